// Issue 20 "The log": the access log written in batches (core/logbuf.h) still delivers every
// line, whole, while serving and all of them at SIGTERM; log_format=json makes every log
// line one JSON object; security events are one event= line carrying the request id the
// client got, and never a secret (docs/operations.md "The log"). Every loop is bounded.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { Browser, createAccount, fetchFrom, fixture, runQoc, startServer, tempDir } from './lib/qoc.mjs';

const DISCOVERY = '/.well-known/openid-configuration';
const REDIRECT = 'https://app.example.com/cb';
const EMAIL = 'owner@example.com';
const PASSWORD = 'correct horse battery';

// The access lines of path in a logfmt log.
const accessLines = (log, path) => log.split('\n').filter((l) => / msg=http /.test(l) && l.includes(` path=${path} `));

// Waits (bounded) until cond(log) holds.
async function until(srv, cond, ms = 10000) {
  for (const end = Date.now() + ms; Date.now() < end;) {
    if (cond(srv.stderr())) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return cond(srv.stderr());
}

// GET path n times over keep-alive connections, c at a time.
async function load(url, n, c = 8) {
  const f = fetchFrom('127.0.0.1', { keepAlive: true });
  let left = n;
  await Promise.all(Array.from({ length: c }, async () => {
    while (left-- > 0) {
      const r = await f(url);
      assert.equal(r.status, 200);
      await r.arrayBuffer();
    }
  }));
  f.close();
}

describe('the access log, written in batches', () => {
  test('lines arrive while serving, and after SIGTERM every request has exactly one line', async () => {
    const srv = await startServer();
    try {
      await load(`${srv.url}${DISCOVERY}`, 200);
      // Written by the flusher within ~50 ms; no stop needed (wall time is not asserted).
      assert.ok(await until(srv, (log) => accessLines(log, DISCOVERY).length === 200),
        `200 lines arrived while serving (got ${accessLines(srv.stderr(), DISCOVERY).length})`);
      await load(`${srv.url}${DISCOVERY}`, 1000);
    } finally {
      assert.equal((await srv.stop('SIGTERM')).code, 0);
    }
    const log = srv.stderr();
    const lines = accessLines(log, DISCOVERY);
    assert.equal(lines.length, 1200);
    // Whole lines: each one is a complete access line, none cut or run into another.
    for (const l of lines)
      assert.match(l, /^ts=\S+ level=info msg=http method=GET path=\S+ status=200 bytes=\d+ dur_ms=[\d.]+ req=[0-9a-f]{16}$/);
    assert.equal(new Set(lines.map((l) => l.slice(-16))).size, 1200, 'one line per request id');
    assert.match(log, /msg=stopped/); // the last lines at stop are written too
  });

  test('SIGINT writes everything out too', async () => {
    const srv = await startServer();
    await load(`${srv.url}${DISCOVERY}`, 300);
    assert.equal((await srv.stop('SIGINT')).code, 0);
    assert.equal(accessLines(srv.stderr(), DISCOVERY).length, 300);
  });

  test('SIGHUP (systemctl reload) keeps serving', async () => {
    const srv = await startServer();
    try {
      srv.proc.kill('SIGHUP');
      assert.ok(await until(srv, (log) => /msg="reload requested" signal=SIGHUP/.test(log)));
      assert.equal((await fetch(`${srv.url}/healthz`)).status, 200);
    } finally {
      assert.equal((await srv.stop()).code, 0);
    }
  });

  test('log_format=json: every log line is one JSON object with ts, level, msg, the fields and req', async () => {
    const srv = await startServer({ env: { QOC_LOG_FORMAT: 'json' } });
    await load(`${srv.url}${DISCOVERY}?x="quote"\\back`, 50);
    assert.equal((await srv.stop()).code, 0);
    const lines = srv.stderr().split('\n').filter((l) => l !== '');
    assert.ok(lines.length > 50);
    const objs = lines.map((l) => {
      try { return JSON.parse(l); } catch (e) { assert.fail(`not JSON: ${l}`); }
    });
    for (const o of objs) {
      assert.deepEqual(Object.keys(o).slice(0, 3), ['ts', 'level', 'msg']);
      assert.match(o.ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
    const access = objs.filter((o) => o.msg === 'http' && o.path === DISCOVERY);
    assert.equal(access.length, 50);
    for (const o of access) {
      assert.deepEqual(Object.keys(o), ['ts', 'level', 'msg', 'method', 'path', 'status', 'bytes', 'dur_ms', 'req']);
      assert.equal(o.status, '200');
      assert.match(o.req, /^[0-9a-f]{16}$/);
    }
    assert.ok(objs.some((o) => o.msg === 'serving' && o.listen === `127.0.0.1:${srv.port}`));
  });

  test('log_format is validated like every key', () => {
    const r = runQoc(['migrate'], { env: { QOC_LOG_FORMAT: 'yaml', QOC_DATA_DIR: tempDir() } });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /log_format/);
  });
});

describe('security events: one event= line with the request id, never a secret', () => {
  let dir, srv, env, web, svc;
  const basic = (id, secret) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
  const post = (path, params, headers = {}, from = '127.0.0.1') => fetchFrom(from)(`${srv.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(params).toString(),
  });
  const redeem = (code) => post('/oauth2/token', { grant_type: 'authorization_code', code, redirect_uri: REDIRECT },
    { authorization: basic(web.client_id, web.client_secret) });
  const mkCode = () => fixture(['code', 'create', '--client-id', web.client_id, '--email', EMAIL,
    '--redirect-uri', REDIRECT, '--scope', 'openid offline_access'], env).code;
  // The one log line of event whose req is the X-Request-Id of response r.
  const eventLine = async (event, r) => {
    const id = r.headers.get('x-request-id');
    assert.match(id, /^[0-9a-f]{16}$/);
    const find = (log) => log.split('\n').filter((l) => l.includes(` event=${event} `) && l.endsWith(` req=${id}`));
    assert.ok(await until(srv, (log) => find(log).length === 1), `one ${event} line with req=${id}:\n${srv.stderr().slice(-3000)}`);
    const line = find(srv.stderr())[0];
    assert.match(line, /level=warn /);
    return line;
  };
  const secrets = [];

  before(async () => {
    dir = tempDir();
    createAccount(dir, { email: EMAIL, name: 'Owner', password: PASSWORD, admin: true });
    srv = await startServer({ dataDir: dir, loopbackIssuer: true });
    env = { QOC_DATA_DIR: dir };
    web = fixture(['app', 'create', '--owner-email', EMAIL, '--name', 'web', '--type', 'web', '--redirect-uri', REDIRECT], env);
    svc = fixture(['app', 'create', '--owner-email', EMAIL, '--name', 'svc', '--type', 'service'], env);
    secrets.push(web.client_secret, svc.client_secret, PASSWORD);
  });
  after(async () => {
    await srv?.stop();
    // Nothing secret anywhere in the log: client secrets, codes, tokens, passwords.
    const log = srv.stderr();
    for (const s of secrets) assert.ok(!log.includes(s), `the log holds a secret (${s.slice(0, 12)}...)`);
    assert.doesNotMatch(log, /qoc_(at|rt|secret|pat)_[A-Za-z0-9_-]{20}/);
    rmSync(dir, { recursive: true, force: true });
  });

  test('client_auth_throttled: the refused request\'s id, the client id and address, not the secret', async () => {
    const wrong = `qoc_secret_${'W'.repeat(43)}`;
    secrets.push(wrong);
    let last;
    for (let i = 0; i < 21; i++)
      last = await post('/oauth2/token', { grant_type: 'client_credentials' }, { authorization: basic(svc.client_id, wrong) }, '127.0.0.2');
    assert.equal(last.status, 429);
    const line = await eventLine('client_auth_throttled', last);
    assert.match(line, new RegExp(`client_id=${svc.client_id} addr=127\\.0\\.0\\.2 `));
  });

  test('code_reuse and refresh_reuse', async () => {
    const code = mkCode();
    secrets.push(code);
    const first = await redeem(code);
    assert.equal(first.status, 200);
    const t = await first.json();
    secrets.push(t.access_token, t.refresh_token);
    const again = await redeem(code);
    assert.equal(again.status, 400);
    assert.match(await eventLine('code_reuse', again), new RegExp(`client_id=${web.client_id} `));

    const code2 = mkCode();
    const t2 = await (await redeem(code2)).json();
    secrets.push(code2, t2.access_token, t2.refresh_token);
    const refresh = () => post('/oauth2/token', { grant_type: 'refresh_token', refresh_token: t2.refresh_token },
      { authorization: basic(web.client_id, web.client_secret) });
    const r1 = await refresh();
    assert.equal(r1.status, 200);
    const t3 = await r1.json();
    secrets.push(t3.access_token, t3.refresh_token);
    const reuse = await refresh();
    assert.equal(reuse.status, 400);
    assert.match(await eventLine('refresh_reuse', reuse), new RegExp(`client_id=${web.client_id} `));
  });

  test('app_suspended and app_unsuspended name the application and the admin', async () => {
    const pat = runQoc(['token', 'create', '--email', EMAIL], { env }).stdout.trim();
    secrets.push(pat);
    const patch = (status) => fetch(`${srv.url}/api/v1/applications/${svc.client_id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${pat}`, 'content-type': 'application/json' },
      body: JSON.stringify({ status }),
    });
    const s = await patch('suspended');
    assert.equal(s.status, 200);
    assert.match(await eventLine('app_suspended', s), new RegExp(`client_id=${svc.client_id} by=acct_`));
    const u = await patch('active');
    assert.equal(u.status, 200);
    assert.match(await eventLine('app_unsuspended', u), new RegExp(`client_id=${svc.client_id} by=acct_\\S+ status=active`));
  });

  test('signin_locked and signin_throttled: the budget and the address, never the typed email or password', async () => {
    const b = new Browser({ origins: [srv.url], fetch: fetchFrom('127.0.0.3') });
    const authorize = `${srv.url}/oauth2/authorize?${new URLSearchParams({
      response_type: 'code', client_id: web.client_id, redirect_uri: REDIRECT, scope: 'openid', state: 's' })}`;
    const typed = 'typed-in-the-email-field@example.com';
    const wrongPassword = 'not the right password at all';
    secrets.push(wrongPassword);
    let locked = null;
    for (let i = 0; i < 6 && !locked; i++) {
      const page = await b.get(authorize);
      assert.equal(page.status, 200);
      const r = await b.submitForm(page, 0, { email: typed, password: wrongPassword });
      if (r.status === 429) locked = r;
    }
    assert.ok(locked, 'the sixth wrong password is refused');
    const line = await eventLine('signin_throttled', locked);
    assert.match(line, /budget=account_and_address addr=127\.0\.0\.3 retry_after=\d+/);
    assert.match(srv.stderr(), /event=signin_locked account=\S+ account_and_address=locked address=\S+ addr=127\.0\.0\.3 lock_s=\d+/);
    assert.ok(!srv.stderr().includes(typed), 'the typed email is not logged');
  });
});
