// The console JSON API (issue 4) through real HTTP against the real binary: personal
// access tokens, teams and members, applications (create, list, read, change, delete),
// credentials, the role matrix and the validation rules.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';

import { startServer, tempDir, runQoc, createAccount } from './lib/qoc.mjs';

// Without SMTP configured the mail sender writes <data dir>/mail/<id>.eml (mail/sender.h).
async function waitForMail(dataDir, pred, ms = 8000) {
  const dir = path.join(dataDir, 'mail');
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.eml'))) {
      const text = readFileSync(path.join(dir, f), 'utf8');
      if (pred(text)) return text;
    }
  }
  return null;
}

function token(dataDir, email, extra = []) {
  const r = runQoc(['token', 'create', '--email', email, ...extra], { env: { QOC_DATA_DIR: dataDir } });
  assert.equal(r.status, 0, r.stderr);
  const t = r.stdout.trim();
  assert.match(t, /^qoc_pat_[A-Za-z0-9_-]{43}$/);
  return t;
}

describe('console API', () => {
  let srv, dir;
  const people = {};
  before(async () => {
    dir = tempDir();
    for (const who of ['owner', 'admin', 'dev', 'viewer', 'outsider', 'root']) {
      const a = createAccount(dir, { email: `${who}@example.com`, name: who, admin: who === 'root' });
      people[who] = { ...a, token: token(dir, a.email) };
    }
    srv = await startServer({ dataDir: dir });
  });
  after(async () => {
    const code = await srv?.stop();
    // Under the sanitizer build a leak or undefined behaviour shows here.
    assert.doesNotMatch(srv.output(), /LeakSanitizer|AddressSanitizer|runtime error:/);
    assert.deepEqual(code, { code: 0, signal: null }, srv.output().slice(-2000));
  });

  async function api(who, method, path, body, headers = {}) {
    const h = { ...headers };
    if (who) h.authorization = `Bearer ${people[who]?.token ?? who}`;
    let payload;
    if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      if (!h['content-type']) h['content-type'] = 'application/json';
    }
    const r = await fetch(srv.url + path, { method, headers: h, body: payload });
    const text = await r.text();
    let json;
    try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
    return { status: r.status, headers: r.headers, json, text };
  }

  let team, web, spa;
  test('setup: a team with one member of each role', async () => {
    const t = await api('owner', 'POST', '/api/v1/teams', { name: 'Acme' });
    assert.equal(t.status, 201, t.text);
    team = t.json.id;
    for (const [who, role] of [['admin', 'admin'], ['dev', 'developer'], ['viewer', 'viewer']]) {
      const r = await api('owner', 'POST', `/api/v1/teams/${team}/members`, { email: people[who].email, role });
      assert.equal(r.status, 201, r.text);
      assert.equal(r.json.role, role);
    }
    const m = await api('viewer', 'GET', `/api/v1/teams/${team}/members`);
    assert.equal(m.status, 200);
    assert.equal(m.json.items.length, 4);
    assert.equal((await api('outsider', 'GET', `/api/v1/teams/${team}/members`)).status, 404);
  });

  describe('authentication', () => {
    test('no token, a bad token, another scheme: 401 problem with WWW-Authenticate: Bearer', async () => {
      for (const h of [{}, { authorization: 'Bearer qoc_pat_nope' }, { authorization: 'Basic Zm9vOmJhcg==' }]) {
        const r = await fetch(`${srv.url}/api/v1/me`, { headers: h });
        assert.equal(r.status, 401);
        assert.match(r.headers.get('www-authenticate'), /^Bearer/);
        assert.match(r.headers.get('content-type'), /application\/problem\+json/);
      }
    });
    test('GET /api/v1/me', async () => {
      const r = await api('owner', 'GET', '/api/v1/me');
      assert.equal(r.status, 200);
      assert.equal(r.json.id, people.owner.id);
      assert.equal(r.json.email, 'owner@example.com');
      assert.equal(r.json.is_admin, false);
      assert.ok(r.json.teams.some((t) => t.personal && t.role === 'admin'));
    });
    test('an expired token is refused', async () => {
      const t = token(dir, 'dev@example.com', ['--ttl', '1']);
      await new Promise((r) => setTimeout(r, 2100));
      const r = await fetch(`${srv.url}/api/v1/me`, { headers: { authorization: `Bearer ${t}` } });
      assert.equal(r.status, 401);
    });
    test('tokens: create (shown once), list (never shown), revoke (401 at once)', async () => {
      const c = await api('viewer', 'POST', '/api/v1/tokens', { name: 'script', ttl: 3600 });
      assert.equal(c.status, 201, c.text);
      assert.match(c.json.token, /^qoc_pat_/);
      assert.equal(c.headers.get('cache-control'), 'no-store');
      const me = await fetch(`${srv.url}/api/v1/me`, { headers: { authorization: `Bearer ${c.json.token}` } });
      assert.equal(me.status, 200);
      const l = await api('viewer', 'GET', '/api/v1/tokens');
      assert.equal(l.status, 200);
      assert.ok(l.json.items.some((t) => t.id === c.json.id && t.name === 'script'));
      assert.ok(!l.text.includes('qoc_pat_'));
      assert.equal((await api('outsider', 'DELETE', `/api/v1/tokens/${c.json.id}`)).status, 404);
      assert.equal((await api('viewer', 'DELETE', `/api/v1/tokens/${c.json.id}`)).status, 204);
      const after = await fetch(`${srv.url}/api/v1/me`, { headers: { authorization: `Bearer ${c.json.token}` } });
      assert.equal(after.status, 401);
      assert.equal((await api('viewer', 'POST', '/api/v1/tokens', { name: 'x', ttl: -5 })).status, 422);
      assert.equal((await api('viewer', 'POST', '/api/v1/tokens', { name: 'x', scope: 'all' })).status, 422);
    });
    test('attack (issue 13): a personal access token cannot create a token that outlives it (422 naming ttl)', async () => {
      const short = token(dir, 'dev@example.com', ['--ttl', '600']);
      const mk = (body) => api(short, 'POST', '/api/v1/tokens', body);
      for (const ttl of [0, 601, 3600]) {
        const r = await mk({ name: 'child', ttl });
        assert.equal(r.status, 422, r.text);
        assert.equal(r.json.errors[0].field, 'ttl');
        assert.match(r.json.errors[0].message, /outlive/);
      }
      const ok = await mk({ name: 'child', ttl: 300 });
      assert.equal(ok.status, 201, ok.text);
      // a token without expiry, or the console session, may still make long-lived ones
      assert.equal((await api('dev', 'POST', '/api/v1/tokens', { name: 'long', ttl: 31622400 })).status, 201);
    });
    test('issue 13: at most 100 live personal access tokens per account (422 naming the limit); another account is unaffected', async () => {
      const a = createAccount(dir, { email: 'many@example.com', name: 'many' });
      const t = token(dir, a.email); // the first live token
      let last;
      for (let i = 1; i < 100; i++) {
        last = await api(t, 'POST', '/api/v1/tokens', { name: `t${i}` });
        assert.equal(last.status, 201, `token ${i}: ${last.text}`);
      }
      const over = await api(t, 'POST', '/api/v1/tokens', { name: 'one too many' });
      assert.equal(over.status, 422);
      assert.match(over.json.detail, /at most 100 live personal access tokens/);
      assert.equal((await api('outsider', 'POST', '/api/v1/tokens', { name: 'mine' })).status, 201);
      // revoking one makes room again
      assert.equal((await api(t, 'DELETE', `/api/v1/tokens/${last.json.id}`)).status, 204);
      assert.equal((await api(t, 'POST', '/api/v1/tokens', { name: 'again' })).status, 201);
    });
    test('qoc token create: unknown email and bad ttl are usage errors', () => {
      assert.equal(runQoc(['token', 'create', '--email', 'nobody@example.com'], { env: { QOC_DATA_DIR: dir } }).status, 2);
      assert.equal(runQoc(['token', 'create', '--email', 'dev@example.com', '--ttl', '0'], { env: { QOC_DATA_DIR: dir } }).status, 2);
    });
  });

  describe('teams', () => {
    test('GET /api/v1/teams lists the caller teams with roles', async () => {
      const r = await api('viewer', 'GET', '/api/v1/teams');
      assert.equal(r.status, 200);
      assert.equal(r.json.items.find((t) => t.id === team).role, 'viewer');
    });
    test('only team admins add, change and remove members', async () => {
      const add = await api('dev', 'POST', `/api/v1/teams/${team}/members`, { email: 'outsider@example.com', role: 'viewer' });
      assert.equal(add.status, 403);
      const ok = await api('admin', 'POST', `/api/v1/teams/${team}/members`, { email: 'outsider@example.com', role: 'viewer' });
      assert.equal(ok.status, 201, ok.text);
      assert.ok(await waitForMail(dir, (t) => /^To: outsider@example\.com\r?$/m.test(t)), 'the new member is emailed');
      const ch = await api('admin', 'PATCH', `/api/v1/teams/${team}/members/${people.outsider.id}`, { role: 'developer' });
      assert.equal(ch.status, 200);
      assert.equal(ch.json.role, 'developer');
      const rm = await api('admin', 'DELETE', `/api/v1/teams/${team}/members/${people.outsider.id}`);
      assert.equal(rm.status, 204);
      assert.equal((await api('outsider', 'GET', `/api/v1/teams/${team}/members`)).status, 404);
    });
    test('member errors: unknown email, bad role, unknown field', async () => {
      let r = await api('owner', 'POST', `/api/v1/teams/${team}/members`, { email: 'ghost@example.com', role: 'viewer' });
      assert.equal(r.status, 422);
      assert.equal(r.json.errors[0].field, 'email');
      r = await api('owner', 'POST', `/api/v1/teams/${team}/members`, { email: 'dev@example.com', role: 'boss' });
      assert.equal(r.status, 422);
      assert.equal(r.json.errors[0].field, 'role');
      r = await api('owner', 'POST', `/api/v1/teams/${team}/members`, { email: 'dev@example.com', role: 'viewer', extra: 1 });
      assert.equal(r.status, 422);
      assert.equal(r.json.errors[0].field, 'extra');
    });
  });

  describe('applications', () => {
    test('POST creates a web app (201, secret once) and a spa (no secret)', async () => {
      const r = await api('owner', 'POST', '/api/v1/applications', {
        team, type: 'web', name: 'Shop', redirect_uris: ['https://shop.example.com/cb'],
      });
      assert.equal(r.status, 201, r.text);
      web = r.json;
      assert.match(web.client_id, /^qoc_client_[a-z0-9]{24}$/);
      assert.match(web.client_secret, /^qoc_secret_/);
      assert.equal(r.headers.get('location'), `/api/v1/applications/${web.client_id}`);
      for (const f of ['client_id', 'name', 'description', 'type', 'status', 'redirect_uris', 'allowed_origins',
        'sso_redirect_uris', 'logout_uris', 'access_token_lifetime', 'refresh_token_lifetime', 'id_token_lifetime',
        'grant_types', 'pkce_required', 'token_format', 'id_token_signed_response_alg', 'team', 'owner', 'icon_url',
        'created_at', 'updated_at', 'last_used_at', 'secret_created_at'])
        assert.ok(f in web, f);
      assert.equal(web.team, team);
      assert.equal(web.owner, people.owner.id);
      assert.match(web.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.equal(web.last_used_at, null);

      const s = await api('dev', 'POST', '/api/v1/applications', { team, type: 'spa', name: 'Dash' });
      assert.equal(s.status, 201, s.text);
      spa = s.json;
      assert.equal(spa.client_secret, undefined);
      assert.equal(spa.pkce_required, true);

      const g = await api('viewer', 'GET', `/api/v1/applications/${web.client_id}`);
      assert.equal(g.status, 200);
      assert.equal(g.json.client_secret, undefined);
    });

    test('viewers cannot create in the team; cross-team reads are 404', async () => {
      assert.equal((await api('viewer', 'POST', '/api/v1/applications', { team, type: 'web', name: 'X' })).status, 403);
      const r = await api('outsider', 'POST', '/api/v1/applications', { team, type: 'web', name: 'X' });
      assert.equal(r.status, 422);
      assert.equal(r.json.errors[0].field, 'team');
      assert.equal((await api('outsider', 'GET', `/api/v1/applications/${web.client_id}`)).status, 404);
      assert.equal((await api('outsider', 'GET', '/api/v1/applications/qoc_client_nonexistent00000000000')).status, 404);
    });

    test('validation: HTTPS, wildcard, lifetimes, grant types per type, unknown field', async () => {
      const bad = async (body, field) => {
        const r = await api('owner', 'POST', '/api/v1/applications', { team, name: 'Bad', ...body });
        assert.equal(r.status, 422, `${JSON.stringify(body)}: ${r.text}`);
        assert.match(r.headers.get('content-type'), /application\/problem\+json/);
        assert.ok(r.json.errors.some((e) => e.field.startsWith(field)), `${field} in ${r.text}`);
      };
      await bad({ type: 'web', redirect_uris: ['http://shop.example.com/cb'] }, 'redirect_uris');
      // SECURITY.md: a wildcard is only the whole leftmost label of an https host.
      await bad({ type: 'web', redirect_uris: ['https://a*.example.com/cb'] }, 'redirect_uris');
      await bad({ type: 'web', redirect_uris: ['http://*.example.com/cb'] }, 'redirect_uris');
      await bad({ type: 'web', redirect_uris: ['https://*.com/cb'] }, 'redirect_uris');
      await bad({ type: 'web', allowed_origins: ['https://a.example.com/path'] }, 'allowed_origins');
      await bad({ type: 'web', access_token_lifetime: 10 }, 'access_token_lifetime');
      await bad({ type: 'web', refresh_token_lifetime: 999999999 }, 'refresh_token_lifetime');
      await bad({ type: 'spa', grant_types: ['client_credentials'] }, 'grant_types');
      await bad({ type: 'web', colour: 'blue' }, 'colour');
      await bad({ type: 'web', ['é'.repeat(200)]: 1 }, 'é'.repeat(200)); // named whole, never cut
      await bad({ type: 'rocket' }, 'type');
      await bad({ type: 'web', name: 42 }, 'name');
      await bad({ type: 'web', client_id: 'qoc_client_mine' }, 'client_id');
    });

    test('attack: a wildcard over a public suffix, percent-encoded control characters (issue 13)', async () => {
      // The 422 names the field (with its index) and the rule.
      const refused = async (body, field, rule) => {
        const r = await api('owner', 'POST', '/api/v1/applications', { team, name: 'Bad', type: 'web', ...body });
        assert.equal(r.status, 422, `${JSON.stringify(body)}: ${r.text}`);
        assert.match(r.headers.get('content-type'), /application\/problem\+json/);
        const e = r.json.errors.find((x) => x.field === field);
        assert.ok(e, `${field} in ${r.text}`);
        assert.match(e.message, rule);
      };
      // Debian's Public Suffix List, ICANN (co.uk) and PRIVATE (github.io) sections.
      const publicSuffix = /public suffix/;
      await refused({ redirect_uris: ['https://*.github.io/cb'] }, 'redirect_uris[0]', publicSuffix);
      await refused({ redirect_uris: ['https://ok.example.com/cb', 'https://*.co.uk/cb'] }, 'redirect_uris[1]', publicSuffix);
      await refused({ sso_redirect_uris: ['https://*.herokuapp.com/sso'] }, 'sso_redirect_uris[0]', publicSuffix);
      // %00-%1F and %7F in any hex case are refused as their raw forms are.
      const control = /control characters.*percent-encoded/;
      await refused({ redirect_uris: ['https://shop.example.com/cb%0d%0aSet-Cookie:a=1'] }, 'redirect_uris[0]', control);
      await refused({ redirect_uris: ['https://shop.example.com/cb?x=%00'] }, 'redirect_uris[0]', control);
      await refused({ sso_redirect_uris: ['https://shop.example.com/sso%7F'] }, 'sso_redirect_uris[0]', control);
      await refused({ logout_uris: ['https://shop.example.com/bye%0A'] }, 'logout_uris[0]', control);
      await refused({ logout_uris: ['https://shop.example.com/bye%1f'] }, 'logout_uris[0]', control);
      // The rightful registrations still pass: a wildcard under a registrable domain, a %20.
      const r = await api('owner', 'POST', '/api/v1/applications', {
        team, type: 'web', name: 'Pages', redirect_uris: ['https://*.ada.github.io/cb', 'https://shop.example.com/a%20b'],
        logout_uris: ['https://shop.example.com/bye'],
      });
      assert.equal(r.status, 201, r.text);
      // ...and a PATCH cannot sneak them in later.
      const p = await api('owner', 'PATCH', `/api/v1/applications/${r.json.client_id}`, { logout_uris: ['https://shop.example.com/bye%00'] });
      assert.equal(p.status, 422, p.text);
      assert.ok(p.json.errors.some((e) => e.field === 'logout_uris[0]'), p.text);
    });

    test('bodies: wrong content type 415, invalid JSON 400, invalid UTF-8 400, too large 413', async () => {
      let r = await api('owner', 'POST', '/api/v1/applications', 'type=web', { 'content-type': 'application/x-www-form-urlencoded' });
      assert.equal(r.status, 415);
      r = await api('owner', 'POST', '/api/v1/applications', '{"type":');
      assert.equal(r.status, 400);
      r = await fetch(`${srv.url}/api/v1/applications`, {
        method: 'POST',
        headers: { authorization: `Bearer ${people.owner.token}`, 'content-type': 'application/json' },
        body: Buffer.concat([Buffer.from('{"type":"web","name":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]),
      });
      assert.equal(r.status, 400);
      r = await api('owner', 'POST', '/api/v1/applications', JSON.stringify({ type: 'web', name: 'x'.repeat(70000) }));
      assert.equal(r.status, 413);
      r = await api('owner', 'POST', '/api/v1/applications', '[1]');
      assert.equal(r.status, 400);
    });

    test('PATCH: developers edit, viewers cannot, rules apply, implicit is flagged legacy', async () => {
      let r = await api('dev', 'PATCH', `/api/v1/applications/${web.client_id}`, { description: 'the shop' });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.description, 'the shop');
      assert.equal((await api('viewer', 'PATCH', `/api/v1/applications/${web.client_id}`, { description: 'x' })).status, 403);
      assert.equal((await api('outsider', 'PATCH', `/api/v1/applications/${web.client_id}`, { description: 'x' })).status, 404);
      r = await api('dev', 'PATCH', `/api/v1/applications/${web.client_id}`, { type: 'spa' });
      assert.equal(r.status, 422);
      r = await api('dev', 'PATCH', `/api/v1/applications/${web.client_id}`, { id_token_lifetime: 5 });
      assert.equal(r.status, 422);
      r = await api('dev', 'PATCH', `/api/v1/applications/${spa.client_id}`, { grant_types: ['implicit'], redirect_uris: ['https://dash.example.com/cb'] });
      if (r.status === 200) assert.ok(r.json.warnings.some((w) => w.field === 'grant_types'));
      else assert.equal(r.status, 422);
    });

    test('attack (issue 13): the first-party name "QOC Cloud Console" and its case/space variants cannot be taken (create and rename: 422 naming name)', async () => {
      for (const name of ['QOC Cloud Console', 'qoc cloud console', '  QOC  Cloud\u00a0Console ', 'QOCCloudConsole']) {
        const c = await api('dev', 'POST', '/api/v1/applications', { team, type: 'web', name });
        assert.equal(c.status, 422, `${name}: ${c.text}`);
        assert.equal(c.json.errors[0].field, 'name');
        assert.match(c.json.errors[0].message, /reserved/);
        const r = await api('dev', 'PATCH', `/api/v1/applications/${web.client_id}`, { name });
        assert.equal(r.status, 422, `${name}: ${r.text}`);
        assert.equal(r.json.errors[0].field, 'name');
      }
      // the rightful owner of a near name is not affected
      const ok = await api('dev', 'PATCH', `/api/v1/applications/${web.client_id}`, { name: 'QOC Cloud Console fan page' });
      assert.equal(ok.status, 200, ok.text);
      assert.equal((await api('dev', 'PATCH', `/api/v1/applications/${web.client_id}`, { name: 'Shop' })).status, 200);
    });

    test('status: owners deactivate; only an instance admin suspends and lifts it', async () => {
      let r = await api('owner', 'PATCH', `/api/v1/applications/${web.client_id}`, { status: 'inactive' });
      assert.equal(r.status, 200);
      assert.equal(r.json.status, 'inactive');
      r = await api('owner', 'PATCH', `/api/v1/applications/${web.client_id}`, { status: 'suspended' });
      assert.equal(r.status, 403);
      r = await api('root', 'PATCH', `/api/v1/applications/${web.client_id}`, { status: 'suspended' });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.status, 'suspended');
      r = await api('admin', 'PATCH', `/api/v1/applications/${web.client_id}`, { status: 'active' });
      assert.equal(r.status, 403);
      r = await api('root', 'PATCH', `/api/v1/applications/${web.client_id}`, { description: 'not mine' });
      assert.equal(r.status, 403);
      r = await api('root', 'PATCH', `/api/v1/applications/${web.client_id}`, { status: 'active' });
      assert.equal(r.status, 200);
    });

    test('credentials: developers reveal and regenerate, viewers cannot; spa has none', async () => {
      let r = await api('viewer', 'GET', `/api/v1/applications/${web.client_id}/credentials`);
      assert.equal(r.status, 403);
      r = await api('dev', 'GET', `/api/v1/applications/${web.client_id}/credentials`);
      assert.equal(r.status, 200);
      assert.equal(r.json.client_secret, web.client_secret);
      assert.equal(r.headers.get('cache-control'), 'no-store');
      r = await api('dev', 'POST', `/api/v1/applications/${web.client_id}/secret`);
      assert.equal(r.status, 200);
      assert.notEqual(r.json.client_secret, web.client_secret);
      const again = await api('owner', 'GET', `/api/v1/applications/${web.client_id}/credentials`);
      assert.equal(again.json.client_secret, r.json.client_secret);
      web.client_secret = r.json.client_secret;
      assert.equal((await api('dev', 'GET', `/api/v1/applications/${spa.client_id}/credentials`)).status, 409);
      assert.equal((await api('outsider', 'POST', `/api/v1/applications/${web.client_id}/secret`)).status, 404);
    });

    test('list: filters, search, sort, and cursor pagination over 120 apps', async () => {
      const t = await api('dev', 'POST', '/api/v1/teams', { name: 'Bulk' });
      const bulk = t.json.id;
      for (let i = 0; i < 120; i++) {
        const r = await api('dev', 'POST', '/api/v1/applications', { team: bulk, type: i % 2 ? 'spa' : 'service', name: `app ${String(i).padStart(3, '0')}` });
        assert.equal(r.status, 201, r.text);
      }
      const seen = [];
      let cursor;
      for (let page = 0; page < 20; page++) {
        const r = await api('dev', 'GET', `/api/v1/applications?team=${bulk}&limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        assert.equal(r.status, 200, r.text);
        seen.push(...r.json.items.map((a) => a.name));
        cursor = r.json.next_cursor;
        if (!cursor) break;
      }
      assert.equal(seen.length, 120);
      assert.deepEqual(seen, [...seen].sort());
      let r = await api('dev', 'GET', `/api/v1/applications?team=${bulk}&type=spa&limit=100`);
      assert.equal(r.json.items.length, 60);
      r = await api('dev', 'GET', `/api/v1/applications?team=${bulk}&q=APP%20011`);
      assert.deepEqual(r.json.items.map((a) => a.name), ['app 011']);
      r = await api('dev', 'GET', `/api/v1/applications?team=${bulk}&sort=created_at&order=desc&limit=1`);
      assert.equal(r.json.items.length, 1);
      assert.equal((await api('dev', 'GET', '/api/v1/applications?sort=size')).status, 422);
      assert.equal((await api('dev', 'GET', '/api/v1/applications?cursor=garbage')).status, 422);
      assert.equal((await api('outsider', 'GET', `/api/v1/applications?team=${bulk}`)).status, 404);
      r = await api('viewer', 'GET', '/api/v1/applications');
      assert.ok(r.json.items.every((a) => a.team === team || a.team.startsWith('team_')));
      assert.ok(!r.json.items.some((a) => a.team === bulk));
    });

    function png(w, h) {
      const b = Buffer.alloc(64);
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]).copy(b);
      b.writeUInt32BE(w, 16);
      b.writeUInt32BE(h, 20);
      return b;
    }
    async function putIcon(who, id, body, type) {
      const r = await fetch(`${srv.url}/api/v1/applications/${id}/icon`, {
        method: 'PUT', headers: { authorization: `Bearer ${people[who].token}`, 'content-type': type }, body,
      });
      return { status: r.status, json: await r.json().catch(() => undefined) };
    }

    test('icon: PNG accepted and served with its type and nosniff; SVG, lies and bad sizes refused', async () => {
      assert.equal((await putIcon('viewer', web.client_id, png(64, 64), 'image/png')).status, 403);
      assert.equal((await putIcon('outsider', web.client_id, png(64, 64), 'image/png')).status, 404);
      const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
      assert.equal((await putIcon('dev', web.client_id, svg, 'image/svg+xml')).status, 415);
      let r = await putIcon('dev', web.client_id, svg, 'image/png');
      assert.equal(r.status, 422);
      assert.equal(r.json.errors[0].field, 'icon');
      assert.equal((await putIcon('dev', web.client_id, png(64, 64), 'image/jpeg')).status, 422);
      assert.equal((await putIcon('dev', web.client_id, png(4, 4), 'image/png')).status, 422);
      assert.equal((await putIcon('dev', web.client_id, Buffer.concat([png(64, 64), Buffer.alloc(256 * 1024)]), 'image/png')).status, 413);
      r = await putIcon('dev', web.client_id, png(64, 32), 'image/png');
      assert.equal(r.status, 200);
      const g = await fetch(`${srv.url}/api/v1/applications/${web.client_id}/icon`);
      assert.equal(g.status, 200);
      assert.equal(g.headers.get('content-type'), 'image/png');
      assert.equal(g.headers.get('x-content-type-options'), 'nosniff');
      assert.deepEqual(Buffer.from(await g.arrayBuffer()), png(64, 32));
      const a = await api('viewer', 'GET', `/api/v1/applications/${web.client_id}`);
      assert.equal(a.json.icon_url, `/api/v1/applications/${web.client_id}/icon`);
      assert.equal((await api('dev', 'DELETE', `/api/v1/applications/${web.client_id}/icon`)).status, 204);
      assert.equal((await fetch(`${srv.url}/api/v1/applications/${web.client_id}/icon`)).status, 404);
    });

    test('transfer: wrong password 403 and nothing changes; non-member 422; then the new owner owns it', async () => {
      let r = await api('owner', 'POST', `/api/v1/applications/${web.client_id}/transfer`, { new_owner: people.dev.email, password: 'wrong password!' });
      assert.equal(r.status, 403);
      assert.equal((await api('owner', 'GET', `/api/v1/applications/${web.client_id}`)).json.owner, people.owner.id);
      r = await api('owner', 'POST', `/api/v1/applications/${web.client_id}/transfer`, { new_owner: people.outsider.id, password: people.owner.password });
      assert.equal(r.status, 422);
      assert.equal(r.json.errors[0].field, 'new_owner');
      r = await api('dev', 'POST', `/api/v1/applications/${web.client_id}/transfer`, { new_owner: people.dev.id, password: people.dev.password });
      assert.equal(r.status, 403); // a developer is neither owner nor team admin
      r = await api('owner', 'POST', `/api/v1/applications/${web.client_id}/transfer`, { new_owner: people.dev.email, password: people.owner.password });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.owner, people.dev.id);
      const mail = await waitForMail(dir, (t) => /^To: dev@example\.com\r?$/m.test(t) && /transferred/.test(t));
      assert.ok(mail, 'the new owner is emailed');
      assert.match(mail, new RegExp(web.client_id));
      // The new owner may now transfer it back; the old owner keeps their team role (admin).
      r = await api('dev', 'POST', `/api/v1/applications/${web.client_id}/transfer`, { new_owner: people.owner.id, password: people.dev.password });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.owner, people.owner.id);
    });

    test('audit: every change, reveal and transfer, with who, when and from which address', async () => {
      const r = await api('viewer', 'GET', `/api/v1/applications/${web.client_id}/audit`);
      assert.equal(r.status, 200);
      const actions = r.json.items.map((e) => e.action);
      for (const a of ['app.create', 'app.update', 'app.status.change', 'app.secret.reveal', 'app.secret.regenerate', 'app.icon.set', 'app.icon.clear', 'app.transfer'])
        assert.ok(actions.includes(a), `${a} in ${actions}`);
      const st = r.json.items.find((x) => x.action === 'app.status.change' && x.detail.status === 'suspended');
      assert.equal(st.actor, people.root.id);
      const up = r.json.items.find((x) => x.action === 'app.update');
      assert.deepEqual(up.detail.fields.length >= 1, true);
      const e = r.json.items.find((x) => x.action === 'app.transfer');
      assert.equal(e.ip, '127.0.0.1');
      assert.match(e.at, /Z$/);
      assert.ok([people.owner.id, people.dev.id].includes(e.actor));
      const p = await api('viewer', 'GET', `/api/v1/applications/${web.client_id}/audit?limit=2`);
      assert.equal(p.json.items.length, 2);
      const next = await api('viewer', 'GET', `/api/v1/applications/${web.client_id}/audit?limit=2&before=${p.json.next_before}`);
      assert.ok(next.json.items[0].id < p.json.items[1].id + 1);
      assert.equal((await api('outsider', 'GET', `/api/v1/applications/${web.client_id}/audit`)).status, 404);
      const t = await api('viewer', 'GET', `/api/v1/audit?team=${team}`);
      assert.equal(t.status, 200);
      assert.ok(t.json.items.some((x) => x.action === 'team.member.add'));
      assert.equal((await api('outsider', 'GET', `/api/v1/audit?team=${team}`)).status, 404);
    });

    test('role matrix: each role x each action, a non-member always 404', async () => {
      const c = await api('owner', 'POST', '/api/v1/applications', { team, type: 'web', name: 'Matrix' });
      assert.equal(c.status, 201);
      const id = c.json.client_id;
      const u = `/api/v1/applications/${id}`;
      const roles = ['owner', 'admin', 'dev', 'viewer', 'outsider', 'root'];
      const actions = {
        read: [(w) => api(w, 'GET', u), [200, 200, 200, 200, 404, 200]],
        edit: [(w) => api(w, 'PATCH', u, { description: `by ${w}` }), [200, 200, 200, 403, 404, 403]],
        reveal: [(w) => api(w, 'GET', `${u}/credentials`), [200, 200, 200, 403, 404, 403]],
        regenerate: [(w) => api(w, 'POST', `${u}/secret`), [200, 200, 200, 403, 404, 403]],
        icon_put: [(w) => putIcon(w, id, png(32, 32), 'image/png'), [200, 200, 200, 403, 404, 403]],
        icon_delete: [(w) => api(w, 'DELETE', `${u}/icon`), [204, 204, 204, 403, 404, 403]],
        audit: [(w) => api(w, 'GET', `${u}/audit`), [200, 200, 200, 200, 404, 200]],
        // Allowed roles reach the confirmation check (422): nothing is deleted here.
        delete: [(w) => api(w, 'DELETE', u, { confirm_name: 'not the name' }), [422, 422, 403, 403, 404, 403]],
        transfer: [(w) => api(w, 'POST', `${u}/transfer`, { new_owner: people.owner.id, password: people[w].password }), [200, 200, 403, 403, 404, 403]],
        suspend: [(w) => api(w, 'PATCH', u, { status: 'suspended' }), [403, 403, 403, 403, 404, 200]],
        lift: [(w) => api(w, 'PATCH', u, { status: 'active' }), [403, 403, 403, 403, 404, 200]],
      };
      const got = {};
      for (const [name, [run, expected]] of Object.entries(actions)) {
        got[name] = [];
        for (const w of roles) {
          // suspend/lift: everyone but root is refused while the state is unchanged, so
          // root goes last and the table holds whatever the order.
          got[name].push((await run(w)).status);
        }
        assert.deepEqual(got[name], expected, `${name}: ${roles.join(', ')}`);
      }
    });

    test('transfer: wrong passwords are throttled with the sign-in budget (429 + Retry-After)', async () => {
      let last;
      for (let i = 0; i < 7; i++)
        last = await api('admin', 'POST', `/api/v1/applications/${web.client_id}/transfer`, { new_owner: people.owner.id, password: `wrong ${i} password` });
      assert.equal(last.status, 429);
      assert.ok(Number(last.headers.get('retry-after')) >= 1);
      // Locked means locked, even with the right password.
      const r = await api('admin', 'POST', `/api/v1/applications/${web.client_id}/transfer`, { new_owner: people.owner.id, password: people.admin.password });
      assert.equal(r.status, 429);
    });

    test('delete: the wrong name keeps everything, developers cannot, the right name removes it', async () => {
      let r = await api('owner', 'DELETE', `/api/v1/applications/${web.client_id}`, { confirm_name: 'shop' });
      assert.equal(r.status, 422);
      r = await api('owner', 'DELETE', `/api/v1/applications/${web.client_id}`, {});
      assert.equal(r.status, 422);
      r = await api('owner', 'DELETE', `/api/v1/applications/${web.client_id}`);
      assert.equal(r.status, 422);
      r = await api('owner', 'DELETE', `/api/v1/applications/${web.client_id}`, { confirm_name: 'Shop', force: true });
      assert.equal(r.status, 422);
      assert.equal((await api('owner', 'GET', `/api/v1/applications/${web.client_id}`)).status, 200);
      r = await api('dev', 'DELETE', `/api/v1/applications/${web.client_id}`, { confirm_name: 'Shop' });
      assert.equal(r.status, 403);
      r = await api('admin', 'DELETE', `/api/v1/applications/${web.client_id}`, { confirm_name: 'Shop' });
      assert.equal(r.status, 204);
      assert.equal((await api('owner', 'GET', `/api/v1/applications/${web.client_id}`)).status, 404);
      // Its audit stays readable in the team log.
      const t = await api('owner', 'GET', `/api/v1/audit?team=${team}`);
      assert.ok(t.json.items.some((x) => x.action === 'app.delete' && x.client_id === web.client_id));
    });
  });
});
