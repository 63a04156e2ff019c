// Usage analytics end to end (issue 6): known traffic from real clients (openid-client v6,
// fetch, the cookie-jar browser through the login forms) against the real `qoc serve`,
// with client addresses given through X-Forwarded-For by a trusted proxy (loopback is
// trusted here) and looked up in Debian's tor-geoipdb; then the exact figures in the JSON
// API, the CSV and JSON exports, and the PDF's text (pdftotext) and structure (pdfinfo).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import * as client from 'openid-client';
import { Browser, createAccount, fixture, mapsLibrary, runQoc, startServer, tempDir } from './lib/qoc.mjs';

const CB = 'https://app.example.com/cb';
const EMAIL = 'ada@example.com';
const PASSWORD = 'correct horse battery';
const GEOIP = '/usr/share/tor/geoip';

// An address inside the first IPv4 range of country cc in the tor-geoipdb file itself, so
// the test follows the installed data rather than a hard-coded belief about it.
function addressIn(cc) {
  for (const line of readFileSync(GEOIP, 'utf8').split('\n')) {
    const m = /^(\d+),(\d+),([A-Z?]{2})$/.exec(line);
    if (!m || m[3] !== cc) continue;
    const lo = Number(m[1]);
    const hi = Number(m[2]);
    if (hi - lo < 4) continue;
    const n = lo + 2;
    return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
  }
  throw new Error(`no ${cc} range in ${GEOIP}`);
}

// RFC 4180 rows (quoted fields, CRLF line ends).
function parseCsv(text) {
  assert.ok(text.endsWith('\r\n'), 'RFC 4180: CRLF after the last record');
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field); rows.push(row); row = []; field = ''; i++;
    } else field += c;
  }
  return rows;
}

describe('usage analytics', { skip: !existsSync(GEOIP) && 'tor-geoipdb is not installed' }, () => {
  let srv, env, app, pat, outsiderPat, ada;
  const DE = existsSync(GEOIP) ? addressIn('DE') : '';
  const JP = existsSync(GEOIP) ? addressIn('JP') : '';

  const basic = (id, secret) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
  const post = (p, params, headers = {}) => fetch(`${srv.url}${p}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(params).toString(),
  });
  // An openid-client configuration whose every request comes "through the proxy" from ip.
  const rpConfig = async (ip) => {
    const config = await client.discovery(new URL(srv.url), app.client_id, app.client_secret, undefined,
      { execute: [client.allowInsecureRequests] });
    if (ip) {
      config[client.customFetch] = (url, options) => {
        const headers = new Headers(options.headers);
        headers.set('x-forwarded-for', ip);
        return fetch(url, { ...options, headers });
      };
    }
    return config;
  };
  const api = async (p, token = pat) => {
    const r = await fetch(`${srv.url}${p}`, { headers: { authorization: `Bearer ${token}` } });
    const buf = Buffer.from(await r.arrayBuffer());
    return { status: r.status, headers: r.headers, buf, text: buf.toString('utf8') };
  };

  before(async () => {
    const dir = tempDir();
    ada = createAccount(dir, { email: EMAIL, name: 'Ada', password: PASSWORD });
    createAccount(dir, { email: 'eve@example.com', name: 'Eve' });
    env = { QOC_DATA_DIR: dir };
    const tok = (email) => runQoc(['token', 'create', '--email', email], { env }).stdout.trim();
    pat = tok(EMAIL);
    outsiderPat = tok('eve@example.com');
    app = fixture(['app', 'create', '--owner-email', EMAIL, '--name', 'Analytics "Demo", Inc', '--type', 'web',
      '--redirect-uri', CB, '--grant', 'authorization_code', '--grant', 'refresh_token',
      '--grant', 'client_credentials'], env);
    srv = await startServer({
      dataDir: dir,
      loopbackIssuer: true,
      env: { QOC_TRUSTED_PROXIES: '127.0.0.1/32, ::1', QOC_ANALYTICS_FLUSH_MS: '50' },
    });
  });
  after(async () => {
    const { code } = await srv.stop();
    assert.doesNotMatch(srv.output(), /AddressSanitizer|LeakSanitizer|runtime error/);
    assert.equal(code, 0);
  });

  // The traffic: 15 captured requests (see the expectations below).
  test('known traffic from real clients', async () => {
    const de = await rpConfig(DE);
    const jp = await rpConfig(JP);
    let last;
    for (let i = 0; i < 3; i++) last = await client.clientCredentialsGrant(de, { scope: 'api.read' }); // token DE x3
    for (let i = 0; i < 2; i++) await client.clientCredentialsGrant(jp, { scope: 'api.read' }); // token JP x2
    assert.equal((await client.tokenIntrospection(de, last.access_token)).active, true); // introspect DE
    await client.tokenRevocation(de, last.access_token); // revoke DE
    for (let i = 0; i < 2; i++) { // token JP x2: invalid_client
      const r = await post('/oauth2/token', { grant_type: 'client_credentials' },
        { authorization: basic(app.client_id, 'qoc_secret_wrong'), 'x-forwarded-for': JP });
      assert.equal(r.status, 401);
    }
    let r = await post('/oauth2/token', { grant_type: 'password', username: 'a', password: 'b' }, // token DE: unsupported_grant_type
      { authorization: basic(app.client_id, app.client_secret), 'x-forwarded-for': DE });
    assert.equal(r.status, 400);
    assert.equal((await r.json()).error, 'unsupported_grant_type');
    const cc = await client.clientCredentialsGrant(jp, { scope: 'api.read' }); // token JP (success; 3rd JP token)
    // userinfo DE: a client_credentials token has no openid scope -> insufficient_scope (403)
    r = await fetch(`${srv.url}/oauth2/userinfo`, { headers: { authorization: `Bearer ${cc.access_token}`, 'x-forwarded-for': DE } });
    assert.equal(r.status, 403);
    // A token nobody issued names no application: not captured at all.
    r = await fetch(`${srv.url}/oauth2/userinfo`, { headers: { authorization: 'Bearer qoc_at_nobody' } });
    assert.equal(r.status, 401);
    // An address from an untrusted peer's header would be ignored; loopback is trusted here, and
    // the browser below sends no X-Forwarded-For: its requests count as "ZZ" (loopback).
    const config = await rpConfig(null);
    const b = new Browser({ origins: [srv.url] });
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: CB, scope: 'openid email offline_access', state,
      code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    let page = await b.get(url.href); // authorize ZZ (success: on to the login page)
    assert.equal(new URL(page.url).pathname, '/login');
    page = await b.submitForm(page, 0, { email: EMAIL, password: PASSWORD });
    if (page.status === 200 && new URL(page.url).pathname === '/login/consent')
      page = await b.submitForm(page, 0, {}, { submitter: { name: 'decision', value: 'allow' } });
    assert.equal(page.status, 303); // authorize ZZ: the form completing the authorization
    const tokens = await client.authorizationCodeGrant(config, new URL(page.location), // token ZZ
      { pkceCodeVerifier: verifier, expectedState: state, idTokenExpected: true });
    assert.ok(tokens.refresh_token);
    const info = await client.fetchUserInfo(config, tokens.access_token, tokens.claims().sub); // userinfo ZZ
    assert.equal(info.sub, ada.id);
    // RP-initiated logout with the ID token as hint (logout ZZ): the SSO session ends, the
    // refresh token (offline_access) stays, so ada still counts as an active user.
    const out = await b.get(`${srv.url}/oauth2/logout?id_token_hint=${encodeURIComponent(tokens.id_token)}`);
    assert.equal(out.status, 200);
  });

  // 6 token successes (3 DE, 3 JP) + 2 invalid_client (JP) + 1 unsupported_grant_type (DE)
  // + 1 code exchange (ZZ) = 10 token; introspect 1 (DE); revoke 1 (DE); userinfo 2 (DE
  // insufficient_scope, ZZ success); authorize 2 (ZZ); logout 1 (ZZ). 17 requests, 4 errors.
  const TOTAL = 17;
  const expected = {
    total_requests: TOTAL,
    total_requests_lifetime: TOTAL,
    active_users: 1, // ada holds a live refresh token of the app
    success_rate: 0.7647, // 13 / 17, to 4 decimals
    countries: [{ country: 'DE', requests: 7 }, { country: 'JP', requests: 5 }, { country: 'ZZ', requests: 5 }],
    endpoints: [{ endpoint: 'token', requests: 10 }, { endpoint: 'authorize', requests: 2 },
      { endpoint: 'userinfo', requests: 2 }, { endpoint: 'introspect', requests: 1 }, { endpoint: 'logout', requests: 1 },
      { endpoint: 'revoke', requests: 1 }],
    errors: [{ error: 'invalid_client', count: 2 }, { error: 'insufficient_scope', count: 1 },
      { error: 'unsupported_grant_type', count: 1 }],
  };
  let range; // the query every check uses
  let doc;

  test('the API reports the exact figures once the writer flushed', async () => {
    const now = Math.floor(Date.now() / 1000);
    range = `from=${now - 3 * 3600}&to=${now + 3600}&granularity=hour`;
    const deadline = Date.now() + 15000;
    for (;;) {
      const r = await api(`/api/v1/applications/${app.client_id}/analytics?${range}`);
      assert.equal(r.status, 200, r.text);
      doc = JSON.parse(r.text);
      if (doc.total_requests >= TOTAL || Date.now() > deadline) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    for (const k of Object.keys(expected)) assert.deepEqual(doc[k], expected[k], k);
    assert.equal(doc.client_id, app.client_id);
    assert.equal(doc.granularity, 'hour');
    // from/to aligned outward to whole hours: 4 or 5 hourly buckets, empty ones included
    const from = Math.floor((now - 3 * 3600) / 3600) * 3600;
    const to = Math.ceil((now + 3600) / 3600) * 3600;
    assert.equal(doc.from, new Date(from * 1000).toISOString().replace('.000', ''));
    assert.equal(doc.series.length, (to - from) / 3600);
    assert.equal(doc.series[0].start, doc.from);
    assert.equal(doc.series.reduce((s, p) => s + p.requests, 0), TOTAL);
    assert.equal(doc.series.reduce((s, p) => s + p.errors, 0), 4);
    assert.ok(doc.series.some((p) => p.requests === 0), 'empty buckets are included');
    assert.ok(doc.avg_response_ms > 0 && doc.avg_response_ms < 10000, String(doc.avg_response_ms));
    assert.ok(doc.p95_response_ms > 0, String(doc.p95_response_ms));

    // the capture counters: nothing dropped, everything written (readyz)
    const ready = await (await fetch(`${srv.url}/readyz`)).json();
    assert.deepEqual({ ...ready.analytics, queued: undefined },
      { enabled: true, queued: undefined, captured: TOTAL, dropped: 0, written: TOTAL, skipped: 0, failed: 0 });
  });

  // Issue 13: from/to as a browser's Date.prototype.toISOString() writes them (fractional
  // seconds) and with an offset (RFC 3339 §5.6) give the same report as Unix seconds.
  test('RFC 3339 from/to: toISOString() output and offsets (RFC 3339 §5.6)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const fromMs = (now - 3 * 3600) * 1000 + 123;
    const toMs = (now + 3600) * 1000 + 456;
    const iso = new Date(fromMs).toISOString();
    assert.match(iso, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    // The same instant at +02:00, written out by hand; '+' sent as %2B in the query.
    const plus2 = (ms) => new Date(ms + 2 * 3600 * 1000).toISOString().replace('Z', '+02:00');
    for (const q of [
      `from=${encodeURIComponent(iso)}&to=${encodeURIComponent(new Date(toMs).toISOString())}`,
      `from=${encodeURIComponent(plus2(fromMs))}&to=${encodeURIComponent(plus2(toMs))}`,
      `from=${encodeURIComponent(iso.toLowerCase())}&to=${now + 3600}`,
    ]) {
      const r = await api(`/api/v1/applications/${app.client_id}/analytics?${q}&granularity=hour`);
      assert.equal(r.status, 200, `${q}: ${r.text}`);
      const got = JSON.parse(r.text);
      assert.equal(got.from, doc.from, q);
      assert.equal(got.to, doc.to, q);
      assert.equal(got.total_requests, doc.total_requests, q);
    }
    // A bad time names the field and the forms it takes.
    for (const [q, field] of [['from=2026-12-06T21:50:00', 'from'], ['to=06/12/2026', 'to']]) {
      const r = await api(`/api/v1/applications/${app.client_id}/analytics?${q}`);
      assert.equal(r.status, 422, q);
      const e = JSON.parse(r.text).errors[0];
      assert.equal(e.field, field);
      assert.match(e.message, /RFC 3339 date-time such as 2026-12-06T21:50:00\.123Z/);
    }
    // An unescaped '+' arrives as a space: the message says to send it as %2B.
    const r = await api(`/api/v1/applications/${app.client_id}/analytics?from=${plus2(fromMs)}`);
    assert.equal(r.status, 422);
    assert.match(JSON.parse(r.text).errors[0].message, /%2B/);
  });

  test('day and week granularity keep the totals; defaults and bad parameters', async () => {
    const day = JSON.parse((await api(`/api/v1/applications/${app.client_id}/analytics?granularity=day`)).text);
    assert.equal(day.total_requests, TOTAL);
    assert.ok(day.series.length === 30 || day.series.length === 31, String(day.series.length));
    assert.equal(day.series.at(-1).requests, TOTAL);
    const week = JSON.parse((await api(`/api/v1/applications/${app.client_id}/analytics?granularity=week`)).text);
    assert.equal(week.total_requests, TOTAL);
    assert.equal(new Date(week.series[0].start).getUTCDay(), 1, 'weeks start on Monday');
    for (const [q, field] of [['granularity=month', 'granularity'], ['from=yesterday', 'from'],
      ['from=2026-01-02&to=2026-01-01', 'from'], ['from=2020-01-01&to=2026-01-01', 'to']]) {
      const r = await api(`/api/v1/applications/${app.client_id}/analytics?${q}`);
      assert.equal(r.status, 422, q);
      assert.match(r.text, new RegExp(field));
    }
  });

  test('role rules: another team answers 404, no token 401', async () => {
    assert.equal((await api(`/api/v1/applications/${app.client_id}/analytics`, outsiderPat)).status, 404);
    assert.equal((await api(`/api/v1/applications/${app.client_id}/analytics/export?format=csv`, outsiderPat)).status, 404);
    assert.equal((await fetch(`${srv.url}/api/v1/applications/${app.client_id}/analytics`)).status, 401);
  });

  test('JSON export: the same document as the API, as a download', async () => {
    const r = await api(`/api/v1/applications/${app.client_id}/analytics/export?format=json&${range}`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^application\/json/);
    assert.match(r.headers.get('content-disposition'),
      new RegExp(`^attachment; filename="qoc-analytics-${app.client_id}-\\d{8}-\\d{8}\\.json"$`));
    assert.deepEqual(JSON.parse(r.text), doc);
  });

  test('CSV export (RFC 4180): header, summary, one row per bucket, countries, endpoints, errors', async () => {
    const r = await api(`/api/v1/applications/${app.client_id}/analytics/export?format=csv&${range}`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^text\/csv/);
    assert.match(r.headers.get('content-disposition'), /filename="qoc-analytics-.*\.csv"$/);
    const rows = parseCsv(r.text);
    assert.deepEqual(rows[0], ['section', 'key', 'value', 'errors']);
    for (const row of rows) assert.equal(row.length, 4);
    const summary = Object.fromEntries(rows.filter((x) => x[0] === 'summary').map((x) => [x[1], x[2]]));
    assert.equal(summary.total_requests, String(TOTAL));
    assert.equal(summary.total_requests_lifetime, String(TOTAL));
    assert.equal(summary.active_users, '1');
    assert.equal(summary.success_rate, '0.7647');
    assert.equal(Number(summary.avg_response_ms), doc.avg_response_ms);
    assert.equal(Number(summary.p95_response_ms), doc.p95_response_ms);
    assert.equal(summary.granularity, 'hour');
    const series = rows.filter((x) => x[0] === 'series');
    assert.deepEqual(series.map((x) => [x[1], Number(x[2]), Number(x[3])]),
      doc.series.map((p) => [p.start, p.requests, p.errors]));
    assert.deepEqual(rows.filter((x) => x[0] === 'country').map((x) => ({ country: x[1], requests: Number(x[2]) })), expected.countries);
    assert.deepEqual(rows.filter((x) => x[0] === 'endpoint').map((x) => ({ endpoint: x[1], requests: Number(x[2]) })), expected.endpoints);
    assert.deepEqual(rows.filter((x) => x[0] === 'error').map((x) => ({ error: x[1], count: Number(x[2]) })), expected.errors);
  });

  test('PDF export: opens (pdfinfo), two numbered pages, the figures in its text (pdftotext)', async () => {
    // cairo is loaded by the first PDF, not at start (docs/decisions/lazy-libraries.md).
    assert.ok(!mapsLibrary(srv.proc.pid, 'libcairo.so'), 'cairo mapped before the first PDF');
    const r = await api(`/api/v1/applications/${app.client_id}/analytics/export?format=pdf&${range}`);
    assert.equal(r.status, 200);
    assert.ok(mapsLibrary(srv.proc.pid, 'libcairo.so'), 'the PDF came from the loaded cairo');
    assert.equal(r.headers.get('content-type'), 'application/pdf');
    assert.match(r.headers.get('content-disposition'), /filename="qoc-analytics-.*\.pdf"$/);
    assert.equal(r.buf.subarray(0, 5).toString(), '%PDF-');
    const file = path.join(tempDir('qoc-pdf-'), 'report.pdf');
    writeFileSync(file, r.buf);
    const info = spawnSync('pdfinfo', [file], { encoding: 'utf8' });
    assert.equal(info.status, 0, info.stderr);
    assert.match(info.stdout, /^Pages:\s+2$/m);
    assert.match(info.stdout, /^Title:\s+QOC usage report$/m);
    const txt = spawnSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    assert.equal(txt.status, 0, txt.stderr);
    const t = txt.stdout.replace(/[ \t]+/g, ' ');
    for (const s of ['QOC usage report', 'Analytics "Demo", Inc', app.client_id, 'Total Requests', 'Active Users',
      'Success Rate', 'Average Response Time', '76.47%', `${doc.avg_response_ms.toFixed(2)} ms`,
      `lifetime requests ${TOTAL}`, 'Requests over time', 'Geographic distribution', 'Popular endpoints',
      'Error rates and types', 'invalid_client', 'unsupported_grant_type', 'Page 1 of 2', 'Page 2 of 2'])
      assert.ok(t.includes(s), `PDF text lacks ${JSON.stringify(s)}:\n${t}`);
    // the headline figures, in order, as the boxes show them
    assert.match(t, new RegExp(`Total Requests.*Active Users.*Success Rate.*Average Response Time\\s*\\n\\s*${TOTAL} 1 76\\.47%`));
    for (const c of expected.countries) assert.match(t, new RegExp(`${c.country}\\s+${c.requests}\\b`));
    for (const e of expected.endpoints) assert.match(t, new RegExp(`${e.endpoint}\\s+${e.requests}\\b`));
  });
});

describe('usage analytics: configuration', () => {
  const basic = (app) => `Basic ${Buffer.from(`${app.client_id}:${app.client_secret}`).toString('base64')}`;
  const setup = async (env) => {
    const dir = tempDir();
    createAccount(dir, { email: EMAIL, name: 'Ada', password: PASSWORD });
    const pat = runQoc(['token', 'create', '--email', EMAIL], { env: { QOC_DATA_DIR: dir } }).stdout.trim();
    const app = fixture(['app', 'create', '--owner-email', EMAIL, '--name', 'Svc', '--type', 'service',
      '--grant', 'client_credentials'], { QOC_DATA_DIR: dir });
    const srv = await startServer({ dataDir: dir, env: { QOC_ANALYTICS_FLUSH_MS: '20', ...env } });
    const stop = async () => {
      const { code } = await srv.stop();
      assert.doesNotMatch(srv.output(), /AddressSanitizer|LeakSanitizer|runtime error/);
      assert.equal(code, 0);
    };
    const call = (xff) => fetch(`${srv.url}/oauth2/token`, {
      method: 'POST',
      headers: { authorization: basic(app), 'content-type': 'application/x-www-form-urlencoded', ...(xff ? { 'x-forwarded-for': xff } : {}) },
      body: 'grant_type=client_credentials',
    });
    const report = async () => (await (await fetch(`${srv.url}/api/v1/applications/${app.client_id}/analytics`,
      { headers: { authorization: `Bearer ${pat}` } })).json());
    return { srv, app, call, report, stop };
  };

  test('X-Forwarded-For from a peer that is not a trusted proxy is ignored (the default: none is)', { skip: !existsSync(GEOIP) }, async () => {
    const s = await setup({});
    try {
      assert.equal((await s.call(addressIn('DE'))).status, 200);
      let r;
      for (let i = 0; i < 100 && !(r = await s.report()).total_requests; i++) await new Promise((res) => setTimeout(res, 50));
      assert.deepEqual(r.countries, [{ country: 'ZZ', requests: 1 }]); // the loopback peer, not DE
    } finally { await s.stop(); }
  });

  test('analytics = off captures nothing; /readyz says so', async () => {
    const s = await setup({ QOC_ANALYTICS: 'off' });
    try {
      for (let i = 0; i < 3; i++) assert.equal((await s.call()).status, 200);
      const ready = await (await fetch(`${s.srv.url}/readyz`)).json();
      assert.deepEqual(ready.analytics, { enabled: false });
      await new Promise((res) => setTimeout(res, 200));
      const r = await s.report(); // the API still answers
      assert.equal(r.total_requests, 0);
      assert.equal(r.total_requests_lifetime, 0);
      assert.equal(r.success_rate, null); // a rate of nothing is not 0
    } finally { await s.stop(); }
  });

  test('a bad geoip file or proxy list stops start-up naming the key (exit 2)', async () => {
    const dir = tempDir();
    for (const [env, key] of [[{ QOC_GEOIP: path.join(dir, 'missing.mmdb') }, 'geoip'],
      [{ QOC_TRUSTED_PROXIES: '10.0.0.0/99' }, 'trusted_proxies']]) {
      const r = runQoc(['serve'], { env: { QOC_DATA_DIR: dir, QOC_LISTEN: '127.0.0.1:1', ...env } });
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`config: ${key}`));
    }
  });
});
