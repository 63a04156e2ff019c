// The console API (issue 4) meets the protocol endpoints (issue 3): what a management change
// does to the application's credentials and tokens, observed at the real token, userinfo and
// introspection endpoints of the real binary. Every management call goes through the real
// API with personal access tokens from `qoc token create`; user tokens come from the real
// sign-in -> consent -> code flow (lib/browser.mjs). No qoc-fixture anywhere.
// Each test names the rule it checks: issue 4 "Tests that must exist", ARCHITECTURE.md §5,
// SECURITY.md.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';

import { startServer, tempDir, runQoc, createAccount, freePort, Browser, fetchFrom } from './lib/qoc.mjs';

const CB = 'https://app.example.com/cb';
const PASSWORD = 'correct horse battery';
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

function pat(dataDir, email, env) {
  const r = runQoc(['token', 'create', '--email', email], { env: { ...env, QOC_DATA_DIR: dataDir } });
  assert.equal(r.status, 0, r.stderr);
  const t = r.stdout.trim();
  assert.match(t, /^qoc_pat_[A-Za-z0-9_-]{43}$/);
  return t;
}

describe('console API x protocol endpoints', () => {
  let srv, dir, env;
  const people = {};
  let team;

  before(async () => {
    dir = tempDir();
    const port = await freePort();
    env = { QOC_ISSUER: `http://127.0.0.1:${port}` };
    for (const who of ['owner', 'admin', 'dev', 'viewer', 'outsider', 'root']) {
      const a = createAccount(dir, { email: `${who}@example.com`, name: who, password: PASSWORD, admin: who === 'root' }, env);
      people[who] = { ...a, token: pat(dir, a.email, env) };
    }
    srv = await startServer({ dataDir: dir, port, env });
  });
  after(async () => {
    const code = await srv?.stop();
    // Under the sanitizer build a leak or undefined behaviour shows here.
    assert.doesNotMatch(srv.output(), /LeakSanitizer|AddressSanitizer|runtime error:/);
    assert.deepEqual(code, { code: 0, signal: null }, srv.output().slice(-2000));
  });

  // The management API, as `who` (a key of people).
  async function api(who, method, path, body) {
    const headers = { authorization: `Bearer ${people[who].token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const r = await fetch(srv.url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    let json;
    try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
    return { status: r.status, json, text };
  }
  const appPath = (app) => `/api/v1/applications/${app.client_id}`;
  const patch = (who, app, body) => api(who, 'PATCH', appPath(app), body);

  // An application created through POST /api/v1/applications by the owner, in the team:
  // { client_id, client_secret, name }.
  async function mkApp(name, extra = {}) {
    const r = await api('owner', 'POST', '/api/v1/applications', { team, name, ...extra });
    assert.equal(r.status, 201, r.text);
    return { client_id: r.json.client_id, client_secret: r.json.client_secret, name };
  }
  const mkWeb = (name) => mkApp(name, { type: 'web', redirect_uris: [CB],
    grant_types: ['authorization_code', 'refresh_token', 'client_credentials'] });
  const mkService = (name) => mkApp(name, { type: 'service' });

  const basic = (id, secret) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
  async function form(path, params, creds, via = fetch) {
    const r = await via(srv.url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded',
        ...(creds ? { authorization: basic(creds.client_id, creds.client_secret) } : {}) },
      body: new URLSearchParams(params).toString(),
    });
    return { status: r.status, headers: r.headers, body: await r.json() };
  }
  const clientCredentials = (creds) => form('/oauth2/token', { grant_type: 'client_credentials' }, creds);
  const refresh = (creds, rt) => form('/oauth2/token', { grant_type: 'refresh_token', refresh_token: rt }, creds);
  const introspect = (creds, token) => form('/oauth2/introspect', { token }, creds);
  const userinfo = (token) => fetch(`${srv.url}/oauth2/userinfo`, { headers: { authorization: `Bearer ${token}` } });

  // 401 invalid_client with a WWW-Authenticate challenge (SECURITY.md "wrong credentials give
  // 401 invalid_client with WWW-Authenticate").
  function assertInvalidClient(r, what) {
    assert.equal(r.status, 401, `${what}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error, 'invalid_client', what);
    assert.ok(r.headers.get('www-authenticate'), what);
  }

  // The owner signs in and consents in a fresh browser; the code is redeemed (with PKCE) at
  // the token endpoint. Returns { access_token, refresh_token }.
  async function userTokens(app) {
    const { code, verifier } = await userCode(app);
    const t = await redeem(app, code, verifier);
    assert.equal(t.status, 200, JSON.stringify(t.body));
    assert.ok(t.body.access_token && t.body.refresh_token, JSON.stringify(t.body));
    return t.body;
  }
  const redeem = (app, code, verifier) => form('/oauth2/token',
    { grant_type: 'authorization_code', code, redirect_uri: CB, code_verifier: verifier }, app);
  // The authorization request up to the sign-in page: { b, page, verifier }.
  async function startAuthorization(app) {
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const q = new URLSearchParams({ response_type: 'code', client_id: app.client_id, redirect_uri: CB,
      scope: 'openid email offline_access', state: 'st', code_challenge: challenge, code_challenge_method: 'S256' });
    const b = new Browser({ origins: [srv.url] });
    let page = await b.get(`${srv.url}/oauth2/authorize?${q}`);
    assert.equal(page.status, 200, page.body?.slice(0, 300));
    assert.equal(new URL(page.url).pathname, '/login');
    return { b, page, verifier };
  }
  // The owner signs in and consents: { code, verifier }.
  async function userCode(app) {
    const started = await startAuthorization(app);
    const { b, verifier } = started;
    let page = await b.submitForm(started.page, 0, { email: people.owner.email, password: PASSWORD });
    if (new URL(page.url).pathname === '/login/consent')
      page = await b.submitForm(page, 0, {}, { submitter: { name: 'decision', value: 'allow' } });
    assert.equal(page.status, 303, page.body?.slice(0, 300));
    const code = new URL(page.location).searchParams.get('code');
    assert.ok(code, page.location);
    return { code, verifier };
  }

  let witness; // another application of the team: introspects tokens that are not its own
  test('setup: a team with one member of each role, through the API', async () => {
    const t = await api('owner', 'POST', '/api/v1/teams', { name: 'Protocol' });
    assert.equal(t.status, 201, t.text);
    team = t.json.id;
    for (const [who, role] of [['admin', 'admin'], ['dev', 'developer'], ['viewer', 'viewer']]) {
      const r = await api('owner', 'POST', `/api/v1/teams/${team}/members`, { email: people[who].email, role });
      assert.equal(r.status, 201, r.text);
    }
    witness = await mkWeb('Witness');
  });

  test('issue 4 / ARCHITECTURE.md §5 "Regenerating a secret invalidates the old one at once": old secret invalid_client on the next request, new one works', async () => {
    const app = await mkService('Regenerate me');
    const before = await clientCredentials(app);
    assert.equal(before.status, 200, JSON.stringify(before.body));

    const r = await api('dev', 'POST', `${appPath(app)}/secret`); // developers regenerate (issue 4)
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.client_id, app.client_id);
    assert.match(r.json.client_secret, /^qoc_secret_[A-Za-z0-9_-]{43}$/);
    assert.notEqual(r.json.client_secret, app.client_secret);
    const fresh = { client_id: app.client_id, client_secret: r.json.client_secret };

    assertInvalidClient(await clientCredentials(app), 'old secret, the very next request');
    assertInvalidClient(await introspect(app, before.body.access_token), 'old secret at introspection');
    const now = await clientCredentials(fresh);
    assert.equal(now.status, 200, JSON.stringify(now.body));
    assert.equal((await introspect(fresh, now.body.access_token)).body.active, true);
    // the reveal shows the new secret, not the old
    const shown = await api('owner', 'GET', `${appPath(app)}/credentials`);
    assert.equal(shown.json.client_secret, fresh.client_secret);
    // viewers cannot regenerate, and nothing changes
    assert.equal((await api('viewer', 'POST', `${appPath(app)}/secret`)).status, 403);
    assert.equal((await clientCredentials(fresh)).status, 200);
  });

  test('parallel regenerations: exactly one returned secret works, and it is the one the reveal shows', async () => {
    const app = await mkService('Regenerate in parallel');
    const answers = await Promise.all(['owner', 'admin', 'dev', 'owner', 'admin', 'dev']
      .map((who) => api(who, 'POST', `${appPath(app)}/secret`)));
    for (const r of answers) assert.equal(r.status, 200, r.text);
    const secrets = answers.map((r) => r.json.client_secret);
    assert.equal(new Set(secrets).size, secrets.length, 'every regeneration made a new secret');
    const works = [];
    for (const client_secret of [app.client_secret, ...secrets]) {
      const r = await clientCredentials({ client_id: app.client_id, client_secret });
      if (r.status === 200) works.push(client_secret);
      else assertInvalidClient(r, 'a superseded secret');
    }
    assert.equal(works.length, 1, 'exactly one secret verifies');
    assert.notEqual(works[0], app.client_secret);
    assert.equal((await api('owner', 'GET', `${appPath(app)}/credentials`)).json.client_secret, works[0]);
  });

  test('issue 4 "delete (wrong name keeps everything, right name removes it and its tokens fail at the token and introspection endpoints)"', async () => {
    const app = await mkWeb('Delete me');
    const user = await userTokens(app);
    const svc = await clientCredentials(app);
    assert.equal(svc.status, 200, JSON.stringify(svc.body));

    for (const body of [{ confirm_name: 'delete me' }, { confirm_name: 'Delete me ' }, {}]) {
      const r = await api('owner', 'DELETE', appPath(app), body);
      assert.equal(r.status, 422, r.text);
      assert.ok(r.json.errors.some((e) => e.field === 'confirm_name'), r.text);
    }
    // developers cannot delete, even with the right name (issue 4 "Only the owner (or a team admin) ... deletes")
    assert.equal((await api('dev', 'DELETE', appPath(app), { confirm_name: 'Delete me' })).status, 403);
    // the wrong names kept the application AND its tokens, and logged no deletion
    const audit = await api('owner', 'GET', `${appPath(app)}/audit`);
    assert.ok(!audit.json.items.some((e) => e.action === 'app.delete'));
    assert.equal((await api('owner', 'GET', appPath(app))).status, 200);
    assert.equal((await userinfo(user.access_token)).status, 200);
    assert.equal((await introspect(app, user.access_token)).body.active, true);
    assert.equal((await introspect(app, svc.body.access_token)).body.active, true);
    // a live client_credentials token (no openid) gets 403 insufficient_scope at userinfo; a
    // dead one 401 invalid_token: how a third party sees that it stopped working
    assert.equal((await userinfo(svc.body.access_token)).status, 403);
    assert.equal((await clientCredentials(app)).status, 200);

    const del = await api('owner', 'DELETE', appPath(app), { confirm_name: 'Delete me' });
    assert.equal(del.status, 204, del.text);
    assert.equal((await api('owner', 'GET', appPath(app))).status, 404);

    // SECURITY.md "deleted applications ... get invalid_client; their live tokens introspect as {active: false}"
    assertInvalidClient(await clientCredentials(app), 'deleted app at the token endpoint');
    assertInvalidClient(await refresh(app, user.refresh_token), 'deleted app refreshing');
    assertInvalidClient(await introspect(app, user.access_token), 'deleted app introspecting');
    // ARCHITECTURE.md §5 "its tokens stop working at once": userinfo refuses the user token
    const ui = await userinfo(user.access_token);
    assert.equal(ui.status, 401);
    assert.match(ui.headers.get('www-authenticate'), /invalid_token/);
    // another client sees only {active:false} (RFC 7662 §4), whatever the token was
    assert.deepEqual((await introspect(witness, user.access_token)).body, { active: false });
    assert.deepEqual((await introspect(witness, svc.body.access_token)).body, { active: false });
    const dead = await userinfo(svc.body.access_token);
    assert.equal(dead.status, 401);
    assert.match(dead.headers.get('www-authenticate'), /invalid_token/);
    // a second delete: 404, nothing left
    assert.equal((await api('owner', 'DELETE', appPath(app), { confirm_name: 'Delete me' })).status, 404);
  });

  test('ARCHITECTURE.md §5 "Inactive and suspended applications cannot obtain or use tokens (their live tokens introspect as inactive)": PATCH inactive, then active', async () => {
    const app = await mkWeb('Toggle me');
    const user = await userTokens(app);
    const svc = await clientCredentials(app);
    assert.equal(svc.status, 200);

    // viewers read everything but change nothing; another team's app is 404 (issue 4 roles)
    assert.equal((await patch('viewer', app, { status: 'inactive' })).status, 403);
    assert.equal((await patch('outsider', app, { status: 'inactive' })).status, 404);
    assert.equal((await clientCredentials(app)).status, 200, 'still active');
    let r = await patch('dev', app, { status: 'inactive' }); // developers edit settings
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.status, 'inactive');
    assertInvalidClient(await clientCredentials(app), 'inactive: client_credentials');
    assertInvalidClient(await refresh(app, user.refresh_token), 'inactive: refresh');
    assertInvalidClient(await introspect(app, user.access_token), 'inactive: introspection');
    assert.equal((await userinfo(user.access_token)).status, 401);
    assert.equal((await userinfo(svc.body.access_token)).status, 401);
    assert.deepEqual((await introspect(witness, user.access_token)).body, { active: false });

    r = await patch('owner', app, { status: 'active' });
    assert.equal(r.status, 200, r.text);
    assert.equal((await clientCredentials(app)).status, 200);
    // a status change does not revoke: the live tokens are back (token-endpoint.md)
    assert.equal((await userinfo(user.access_token)).status, 200);
    assert.equal((await introspect(app, svc.body.access_token)).body.active, true);
    const rotated = await refresh(app, user.refresh_token);
    assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
  });

  test('parallel status changes: each 200 or 409, and the token endpoint agrees with the status that stuck', async () => {
    const app = await mkService('Flip flop');
    for (let round = 0; round < 3; round++) {
      const answers = await Promise.all(Array.from({ length: 10 }, (_, k) =>
        patch(['owner', 'admin', 'dev'][k % 3], app, { status: k % 2 ? 'active' : 'inactive' })));
      for (const r of answers) assert.ok([200, 409].includes(r.status), `${r.status} ${r.text}`);
      assert.ok(answers.some((r) => r.status === 200));
      const status = (await api('viewer', 'GET', appPath(app))).json.status;
      const cc = await clientCredentials(app);
      if (status === 'active') assert.equal(cc.status, 200, JSON.stringify(cc.body));
      else assertInvalidClient(cc, `status ${status}`);
    }
  });

  test('ARCHITECTURE.md §5 "Only an instance admin can suspend or lift a suspension"; suspended apps cannot get tokens', async () => {
    const app = await mkWeb('Suspend me');
    const user = await userTokens(app);
    // team members, whatever their role: 403; a non-member: 404 (SECURITY.md: another team's app is 404)
    for (const who of ['owner', 'admin', 'dev', 'viewer'])
      assert.equal((await patch(who, app, { status: 'suspended' })).status, 403, who);
    assert.equal((await patch('outsider', app, { status: 'suspended' })).status, 404);
    assert.equal((await clientCredentials(app)).status, 200, 'nothing was suspended');
    const statusEvents = async () => (await api('owner', 'GET', `${appPath(app)}/audit`)).json.items
      .filter((e) => e.action === 'app.status.change');
    assert.deepEqual(await statusEvents(), [], 'a refused change writes no audit event');
    // the instance admin, not in the team, changes only the status
    assert.equal((await patch('root', app, { status: 'suspended', description: 'x' })).status, 403);
    let r = await patch('root', app, { status: 'suspended' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.status, 'suspended');

    assertInvalidClient(await clientCredentials(app), 'suspended: client_credentials');
    assertInvalidClient(await refresh(app, user.refresh_token), 'suspended: refresh');
    assertInvalidClient(await introspect(app, user.access_token), 'suspended: introspection');
    assert.equal((await userinfo(user.access_token)).status, 401);
    // lifting it is the instance admin's too, also to "inactive"
    for (const who of ['owner', 'admin', 'dev'])
      for (const status of ['active', 'inactive'])
        assert.equal((await patch(who, app, { status })).status, 403, `${who} -> ${status}`);
    assertInvalidClient(await clientCredentials(app), 'still suspended');

    r = await patch('root', app, { status: 'active' });
    assert.equal(r.status, 200, r.text);
    assert.equal((await clientCredentials(app)).status, 200);
    assert.equal((await userinfo(user.access_token)).status, 200);
    // issue 4 audit: both changes, by the instance admin, from the caller's address
    const events = await statusEvents();
    assert.deepEqual(events.map((e) => e.detail.status).sort(), ['active', 'suspended']);
    assert.ok(events.every((e) => e.actor === people.root.id && e.ip === '127.0.0.1'));
  });

  test('token_format jwt (RFC 9068): unstored access tokens stop working too when the app is made inactive, suspended or deleted', async () => {
    const app = await mkApp('JWT app', { type: 'web', redirect_uris: [CB], token_format: 'jwt' });
    const user = await userTokens(app);
    assert.equal(user.access_token.split('.').length, 3, 'a JWT access token');
    assert.equal((await userinfo(user.access_token)).status, 200);

    assert.equal((await patch('owner', app, { status: 'inactive' })).status, 200);
    assert.equal((await userinfo(user.access_token)).status, 401);
    assertInvalidClient(await introspect(app, user.access_token), 'inactive jwt app introspecting');
    assert.equal((await patch('owner', app, { status: 'active' })).status, 200);
    assert.equal((await userinfo(user.access_token)).status, 200);
    assert.equal((await introspect(app, user.access_token)).body.active, true);

    assert.equal((await patch('root', app, { status: 'suspended' })).status, 200);
    assert.equal((await userinfo(user.access_token)).status, 401);
    assert.equal((await patch('root', app, { status: 'active' })).status, 200);

    assert.equal((await api('owner', 'DELETE', appPath(app), { confirm_name: 'JWT app' })).status, 204);
    assert.equal((await userinfo(user.access_token)).status, 401);
    assertInvalidClient(await refresh(app, user.refresh_token), 'deleted jwt app refreshing');
    assert.deepEqual((await introspect(witness, user.access_token)).body, { active: false });
  });

  test('issue 3 "takes effect on the next request": flows in progress when the status changes or the app is deleted', async () => {
    const app = await mkWeb('In flight');
    // an authorization started while active, finished while inactive: no code
    const started = await startAuthorization(app);
    assert.equal((await patch('owner', app, { status: 'inactive' })).status, 200);
    const done = await started.b.submitForm(started.page, 0, { email: people.owner.email, password: PASSWORD });
    assert.ok(!(done.location ?? '').startsWith(CB), `no redirect to the client: ${done.status} ${done.location}`);
    assert.notEqual(new URL(done.url).pathname, '/login/consent');
    // web.c qoc_web_pending_load: the pending request is gone for an app no longer active
    assert.equal(done.status, 403);
    // ... and a new one is refused at once
    const refused = await new Browser({ origins: [srv.url] }).get(`${srv.url}/oauth2/authorize?${new URLSearchParams({
      response_type: 'code', client_id: app.client_id, redirect_uri: CB, scope: 'openid' })}`);
    assert.equal(refused.status, 403); // login/pages.c "Application unavailable", never a redirect
    assert.match(refused.body, /Application unavailable/);
    assert.equal((await patch('owner', app, { status: 'active' })).status, 200);

    // a code issued while active is not redeemed while inactive or suspended
    const issued = await userCode(app);
    for (const [who, status] of [['owner', 'inactive'], ['root', 'suspended']]) {
      assert.equal((await patch(who, app, { status })).status, 200);
      assertInvalidClient(await redeem(app, issued.code, issued.verifier), `code at a ${status} app`);
      assert.equal((await patch(who, app, { status: 'active' })).status, 200);
    }
    // revocation needs an active client too (SECURITY.md: inactive applications get invalid_client)
    const user = await userTokens(app);
    assert.equal((await patch('owner', app, { status: 'inactive' })).status, 200);
    assertInvalidClient(await form('/oauth2/revoke', { token: user.refresh_token }, app), 'revocation by an inactive app');
    assert.equal((await patch('owner', app, { status: 'active' })).status, 200);
    assert.equal((await introspect(app, user.refresh_token)).body.active, true, 'nothing was revoked');

    // a code issued before the deletion is worthless after it
    const late = await userCode(app);
    assert.equal((await api('owner', 'DELETE', appPath(app), { confirm_name: 'In flight' })).status, 204);
    assertInvalidClient(await redeem(app, late.code, late.verifier), 'code of a deleted app');
  });

  test('a deletion racing token requests: each answer is 200 or 401 invalid_client, never a 5xx; other clients are untouched', async (t) => {
    const other = await mkService('Bystander');
    const seen = new Map();
    // 8 + 8 per app: fewer than the 20 failures that lock a client id (token-endpoint.md).
    // Each round's requests for the doomed app come from an address of their own: up to 16
    // failures a round, 80 in all, would pass the 50 failures one address may make
    // (docs/decisions/throttles.md, client_addr) and turn late answers into 429s.
    for (let round = 0; round < 5; round++) {
      const app = await mkService(`Race ${round}`);
      const via = fetchFrom(`127.0.0.${40 + round}`);
      const cc = () => form('/oauth2/token', { grant_type: 'client_credentials' }, app, via);
      const mine = Array.from({ length: 8 }, cc);
      const theirs = Array.from({ length: 8 }, () => clientCredentials(other));
      const del = api('owner', 'DELETE', appPath(app), { confirm_name: `Race ${round}` });
      const more = Array.from({ length: 8 }, cc);
      const results = await Promise.all([...mine, ...more]);
      assert.equal((await del).status, 204);
      for (const r of results) {
        seen.set(r.status, (seen.get(r.status) ?? 0) + 1);
        assert.ok(r.status === 200 || (r.status === 401 && r.body.error === 'invalid_client'), `${r.status} ${JSON.stringify(r.body)}`);
      }
      for (const r of await Promise.all(theirs)) assert.equal(r.status, 200, JSON.stringify(r.body));
      // whatever was issued before the deletion is dead now
      for (const r of results.filter((x) => x.status === 200)) {
        const u = await userinfo(r.body.access_token);
        assert.equal(u.status, 401, 'a token of the deleted app');
      }
    }
    t.diagnostic(`answers by status: ${JSON.stringify(Object.fromEntries(seen))}`);
  });

  test('ARCHITECTURE.md §5 "last used": a successful token request sets last_used_at (RFC 3339 UTC)', async () => {
    const app = await mkService('Use me');
    let r = await api('viewer', 'GET', appPath(app));
    assert.equal(r.status, 200);
    assert.equal(r.json.last_used_at, null);
    // a failed request is not a use
    assertInvalidClient(await clientCredentials({ client_id: app.client_id, client_secret: `qoc_secret_${'A'.repeat(43)}` }), 'wrong secret');
    assert.equal((await api('viewer', 'GET', appPath(app))).json.last_used_at, null);

    const t0 = Math.floor(Date.now() / 1000) - 1;
    assert.equal((await clientCredentials(app)).status, 200);
    r = await api('viewer', 'GET', appPath(app));
    assert.match(r.json.last_used_at ?? '', RFC3339, r.text);
    const at = Date.parse(r.json.last_used_at) / 1000;
    assert.ok(at >= t0 && at <= Date.now() / 1000 + 1, `${r.json.last_used_at} is now`);
    // the listing shows it too
    const l = await api('owner', 'GET', `/api/v1/applications?team=${team}&q=${encodeURIComponent('Use me')}`);
    assert.equal(l.status, 200, l.text);
    assert.equal(l.json.items.find((a) => a.client_id === app.client_id)?.last_used_at, r.json.last_used_at);
  });

  test('instance admins list every team with all=true (console-api.md "Instance admins read every application"); others 403', async () => {
    const mine = await api('outsider', 'POST', '/api/v1/applications', { name: 'Outsider personal', type: 'service' });
    assert.equal(mine.status, 201, mine.text);
    const listAll = async (who, query) => {
      const ids = [];
      let cursor;
      for (let page = 0; page < 50; page++) {
        const r = await api(who, 'GET', `/api/v1/applications?${query}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        assert.equal(r.status, 200, r.text);
        ids.push(...r.json.items.map((a) => ({ id: a.client_id, team: a.team })));
        cursor = r.json.next_cursor;
        if (!cursor) return ids;
      }
      assert.fail('too many pages');
    };
    // without the flag, an instance admin sees only their own teams (nothing here)
    let r = await api('root', 'GET', '/api/v1/applications');
    assert.equal(r.status, 200);
    assert.ok(!r.json.items.some((a) => a.client_id === witness.client_id));
    assert.equal((await api('root', 'GET', `/api/v1/applications?team=${team}`)).status, 404);

    const every = await listAll('root', 'all=true');
    assert.ok(every.some((a) => a.id === witness.client_id), 'a team app');
    assert.ok(every.some((a) => a.id === mine.json.client_id), 'a personal-team app');
    assert.equal(new Set(every.map((a) => a.id)).size, every.length, 'no duplicates across pages');
    const oneTeam = await listAll('root', `all=true&team=${team}`);
    assert.ok(oneTeam.length >= 1 && oneTeam.every((a) => a.team === team));
    assert.ok(oneTeam.some((a) => a.id === witness.client_id));
    r = await api('root', 'GET', '/api/v1/applications?all=true&q=Witness');
    assert.deepEqual(r.json.items.map((a) => a.client_id), [witness.client_id]);
    r = await api('root', 'GET', '/api/v1/applications?all=false');
    assert.equal(r.status, 200);
    assert.ok(!r.json.items.some((a) => a.client_id === witness.client_id));

    for (const who of ['owner', 'admin', 'outsider']) {
      r = await api(who, 'GET', '/api/v1/applications?all=true');
      assert.equal(r.status, 403, `${who}: ${r.text}`);
      assert.equal((await api(who, 'GET', `/api/v1/applications?all=true&team=${team}`)).status, 403, who);
    }
    r = await api('root', 'GET', '/api/v1/applications?all=yes');
    assert.equal(r.status, 422);
    assert.equal(r.json.errors[0].field, 'all');
  });
});
