// The back channel against the real binary: token endpoint (authorization_code + PKCE,
// refresh_token, client_credentials), userinfo, introspection, revocation, CORS. Codes come
// from the test-only `qoc-fixture code create` (the login pages are built elsewhere);
// `openid-client` v6, a certified relying party nobody here wrote, drives the happy paths
// and validates the ID tokens against the JWKS. Negative tests name their SECURITY.md clause.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import { startServer, createAccount, fixture } from './lib/qoc.mjs';

const REDIRECT = 'https://app.example.com/cb';
const ORIGIN = 'https://app.example.com';
const EMAIL = 'ada@example.com';

describe('back channel', () => {
  let srv;
  let env;
  let web; // confidential web app: authorization_code + refresh_token
  let other; // another web app
  let svc; // service app: client_credentials
  let account;

  const mkApp = (type, ...extra) => fixture(['app', 'create', '--owner-email', EMAIL, '--name', `${type} app`,
    '--type', type, ...(type === 'service' ? [] : ['--redirect-uri', REDIRECT]), ...extra], env);
  const mkCode = (app, { scope = 'openid profile email offline_access', nonce, challenge, ttl } = {}) => {
    const args = ['code', 'create', '--client-id', app.client_id, '--email', EMAIL, '--redirect-uri', REDIRECT,
      '--scope', scope];
    if (nonce) args.push('--nonce', nonce);
    if (challenge) args.push('--code-challenge', challenge);
    if (ttl !== undefined) args.push('--ttl', String(ttl));
    return fixture(args, env).code;
  };
  const basic = (id, secret) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
  // POST a form to path; auth: an app (client_secret_basic) or null.
  const post = (path, params, { app, headers = {}, query = '' } = {}) => fetch(`${srv.url}${path}${query}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(app ? { authorization: basic(app.client_id, app.client_secret) } : {}),
      ...headers,
    },
    body: new URLSearchParams(params).toString(),
  });
  const json = async (r) => ({ status: r.status, headers: r.headers, body: await r.json() });
  const redeem = (app, code, extra = {}) => post('/oauth2/token',
    { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, ...extra }, { app });
  const introspect = async (app, token) => (await json(await post('/oauth2/introspect', { token }, { app }))).body;
  const userinfo = (token) => fetch(`${srv.url}/oauth2/userinfo`, { headers: { authorization: `Bearer ${token}` } });
  const rpConfig = (app) => client.discovery(new URL(srv.url), app.client_id, app.client_secret ?? undefined,
    undefined, { execute: [client.allowInsecureRequests] });

  before(async () => {
    srv = await startServer({ loopbackIssuer: true });
    env = { QOC_DATA_DIR: srv.dataDir };
    account = createAccount(srv.dataDir, { email: EMAIL, name: 'Ada' });
    web = mkApp('web', '--origin', ORIGIN);
    other = mkApp('web', '--origin', 'https://other.example.com');
    svc = mkApp('service');
  });
  after(async () => {
    const { code } = await srv.stop();
    // the check build runs under ASan/UBSan: a report or a leak would show here
    assert.doesNotMatch(srv.output(), /AddressSanitizer|LeakSanitizer|runtime error/);
    assert.equal(code, 0);
  });

  test('openid-client: code + PKCE, ID token (nonce, at_hash) against the JWKS, userinfo, refresh rotation, introspection, revocation', async () => {
    const config = await rpConfig(web);
    const verifier = client.randomPKCECodeVerifier();
    const nonce = client.randomNonce();
    const code = mkCode(web, { nonce, challenge: await client.calculatePKCECodeChallenge(verifier) });
    const cb = new URL(`${REDIRECT}?code=${encodeURIComponent(code)}&iss=${encodeURIComponent(srv.url)}`);
    const tokens = await client.authorizationCodeGrant(config, cb,
      { pkceCodeVerifier: verifier, expectedNonce: nonce, idTokenExpected: true });
    assert.match(tokens.access_token, /^qoc_at_[A-Za-z0-9_-]{43}$/);
    assert.match(tokens.refresh_token, /^qoc_rt_[A-Za-z0-9_-]{43}$/);
    assert.equal(tokens.token_type.toLowerCase(), 'bearer');
    assert.equal(tokens.expires_in, 3600);
    const claims = tokens.claims(); // validated by openid-client: signature, iss, aud, nonce, at_hash
    assert.equal(claims.sub, account.id);
    assert.equal(claims.nonce, nonce);
    assert.ok(claims.at_hash);
    assert.ok(claims.auth_time);

    const info = await client.fetchUserInfo(config, tokens.access_token, account.id);
    assert.deepEqual(info, { sub: account.id, name: 'Ada', email: EMAIL, email_verified: false });

    const intro = await client.tokenIntrospection(config, tokens.access_token);
    assert.equal(intro.active, true);
    assert.equal(intro.client_id, web.client_id);
    assert.equal(intro.sub, account.id);
    assert.equal(intro.iss, srv.url);
    assert.equal(intro.token_type, 'Bearer');
    assert.equal(intro.scope, 'openid profile email offline_access'); // as the code granted it
    const foreign = await client.tokenIntrospection(await rpConfig(other), tokens.access_token);
    assert.deepEqual(foreign, { active: false }); // RFC 7662 §4: only its own tokens

    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
    assert.notEqual(refreshed.refresh_token, tokens.refresh_token); // rotation
    assert.equal(refreshed.claims().sub, account.id);
    assert.equal(refreshed.claims().nonce, undefined); // OIDC Core §12.2
    assert.equal((await client.tokenIntrospection(config, tokens.refresh_token)).active, false);

    await client.tokenRevocation(config, refreshed.refresh_token);
    // RFC 7009 §2.1: a refresh token takes its family, access tokens included
    assert.equal((await client.tokenIntrospection(config, refreshed.access_token)).active, false);
  });

  test('openid-client: client_credentials gives an access token and no refresh token', async () => {
    const config = await rpConfig(svc);
    const t = await client.clientCredentialsGrant(config, { scope: 'api.read' });
    assert.match(t.access_token, /^qoc_at_/);
    assert.equal(t.refresh_token, undefined); // SECURITY.md "No refresh token for client_credentials"
    assert.equal(t.id_token, undefined);
    assert.equal(t.scope, 'api.read');
    const intro = await client.tokenIntrospection(config, t.access_token);
    assert.equal(intro.active, true);
    assert.equal(intro.sub, svc.client_id);
  });

  test('SECURITY.md "Refresh tokens rotate; presenting a used one revokes its whole family, access tokens included"', async () => {
    const t = (await json(await redeem(web, mkCode(web)))).body;
    const r1 = await json(await post('/oauth2/token', { grant_type: 'refresh_token', refresh_token: t.refresh_token }, { app: web }));
    assert.equal(r1.status, 200);
    assert.equal((await introspect(web, r1.body.access_token)).active, true);
    const reuse = await json(await post('/oauth2/token', { grant_type: 'refresh_token', refresh_token: t.refresh_token }, { app: web }));
    assert.equal(reuse.status, 400);
    assert.equal(reuse.body.error, 'invalid_grant');
    assert.deepEqual(await introspect(web, r1.body.access_token), { active: false });
    assert.deepEqual(await introspect(web, r1.body.refresh_token), { active: false });
  });

  test('SECURITY.md "A code is consumed atomically (one winner among any number of parallel redemptions)"', async () => {
    const code = mkCode(web);
    const rs = await Promise.all(Array.from({ length: 20 }, () => redeem(web, code)));
    const statuses = rs.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 200).length, 1, statuses.join(','));
    assert.equal(statuses.filter((s) => s === 400).length, 19);
    // "A reused code ... revokes every token issued from it": the winner's tokens too
    const winner = await rs[statuses.indexOf(200)].json();
    assert.deepEqual(await introspect(web, winner.access_token), { active: false });
  });

  test('SECURITY.md "of parallel refreshes exactly one wins"', async () => {
    const t = (await json(await redeem(web, mkCode(web)))).body;
    const rs = await Promise.all(Array.from({ length: 20 }, () => post('/oauth2/token',
      { grant_type: 'refresh_token', refresh_token: t.refresh_token }, { app: web })));
    const statuses = rs.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 200).length, 1, statuses.join(','));
  });

  test('SECURITY.md PKCE: downgrade both ways is refused; a failed check burns the code', async () => {
    const verifier = client.randomPKCECodeVerifier();
    const challenge = await client.calculatePKCECodeChallenge(verifier);
    // a challenge without a verifier
    let r = await json(await redeem(web, mkCode(web, { challenge })));
    assert.equal(r.body.error, 'invalid_grant');
    // a verifier without a challenge
    r = await json(await redeem(web, mkCode(web), { code_verifier: verifier }));
    assert.equal(r.body.error, 'invalid_grant');
    // "A failed PKCE check burns the code"
    const code = mkCode(web, { challenge });
    r = await json(await redeem(web, code, { code_verifier: client.randomPKCECodeVerifier() }));
    assert.equal(r.body.error, 'invalid_grant');
    r = await json(await redeem(web, code, { code_verifier: verifier }));
    assert.equal(r.status, 400);
    assert.equal(r.body.error, 'invalid_grant');
    // malformed verifier: invalid_request (RFC 7636 §4.1)
    r = await json(await redeem(web, mkCode(web, { challenge }), { code_verifier: 'short' }));
    assert.equal(r.body.error, 'invalid_request');
  });

  test('RFC 6749 §4.1.3: redirect_uri must be identical; a code of another client is invalid_grant', async () => {
    let r = await json(await redeem(web, mkCode(web), { redirect_uri: 'https://app.example.com/cb/' }));
    assert.equal(r.body.error, 'invalid_grant');
    r = await json(await redeem(web, mkCode(web), { redirect_uri: 'https://APP.example.com/cb' }));
    assert.equal(r.body.error, 'invalid_grant');
    r = await json(await redeem(other, mkCode(web)));
    assert.equal(r.body.error, 'invalid_grant');
    r = await json(await redeem(web, mkCode(web, { ttl: -1 })));
    assert.equal(r.body.error, 'invalid_grant'); // expired
  });

  test('attack (issue 13): a code presented by another authenticated client is refused and stays valid for its own client', async () => {
    const code = mkCode(web);
    for (let i = 0; i < 2; i++) {
      const r = await json(await redeem(other, code));
      assert.equal(r.status, 400);
      assert.equal(r.body.error, 'invalid_grant');
    }
    // the rightful client still redeems it, and its tokens are live (no family was revoked)
    const ok = await json(await redeem(web, code));
    assert.equal(ok.status, 200);
    assert.equal((await introspect(web, ok.body.access_token)).active, true);
    // after the redemption, another client's presentation is still no "reuse" that revokes
    assert.equal((await json(await redeem(other, code))).body.error, 'invalid_grant');
    assert.equal((await introspect(web, ok.body.access_token)).active, true);
  });

  test('SECURITY.md "Basic credentials are form-url-decoded after base64"', async () => {
    const pct = (s) => [...s].map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join('');
    const auth = `Basic ${Buffer.from(`${pct(svc.client_id)}:${pct(svc.client_secret)}`).toString('base64')}`;
    const r = await post('/oauth2/token', { grant_type: 'client_credentials' }, { headers: { authorization: auth } });
    assert.equal(r.status, 200);
  });

  test('SECURITY.md "one auth method per request"; "credentials never in the query"', async () => {
    let r = await json(await post('/oauth2/token', { grant_type: 'client_credentials', client_secret: svc.client_secret }, { app: svc }));
    assert.equal(r.status, 400);
    assert.equal(r.body.error, 'invalid_request');
    r = await json(await post('/oauth2/token', { grant_type: 'client_credentials', client_id: svc.client_id },
      { query: `?client_secret=${svc.client_secret}` }));
    assert.equal(r.body.error, 'invalid_request');
    r = await json(await post('/oauth2/token', { grant_type: 'client_credentials' }, { app: svc, query: `?client_id=${svc.client_id}` }));
    assert.equal(r.body.error, 'invalid_request');
    // client_secret_post alone is fine
    r = await post('/oauth2/token', { grant_type: 'client_credentials', client_id: svc.client_id, client_secret: svc.client_secret });
    assert.equal(r.status, 200);
  });

  test('SECURITY.md "wrong credentials give 401 invalid_client with WWW-Authenticate"', async () => {
    const r = await json(await post('/oauth2/token', { grant_type: 'client_credentials' },
      // Change the last character to another canonical one (a 32-byte secret's last
      // base64url character is one of 16: 'A' itself one time in 16).
      { app: { client_id: svc.client_id, client_secret: `${svc.client_secret.slice(0, -1)}${svc.client_secret.endsWith('A') ? 'E' : 'A'}` } }));
    assert.equal(r.status, 401);
    assert.equal(r.body.error, 'invalid_client');
    assert.match(r.headers.get('www-authenticate'), /^Basic realm="qoc"/);
    const unknown = await json(await post('/oauth2/token', { grant_type: 'client_credentials' },
      { app: { client_id: 'qoc_client_000000000000000000000000', client_secret: svc.client_secret } }));
    assert.equal(unknown.status, 401);
    assert.equal(unknown.body.error, 'invalid_client');
  });

  test('SECURITY.md "Repeated failures are throttled": 429 with Retry-After, before any secret check', async () => {
    const victim = mkApp('service');
    const wrong = { client_id: victim.client_id, client_secret: `qoc_secret_${'A'.repeat(43)}` };
    let last;
    for (let i = 0; i < 21; i++) last = await post('/oauth2/token', { grant_type: 'client_credentials' }, { app: wrong });
    assert.equal(last.status, 429);
    assert.ok(Number(last.headers.get('retry-after')) >= 1);
    const right = await post('/oauth2/token', { grant_type: 'client_credentials' }, { app: victim });
    assert.equal(right.status, 429); // locked whatever the secret
  });

  test('SECURITY.md "Token endpoint: POST and form-encoded only ... Cache-Control: no-store"', async () => {
    const get = await fetch(`${srv.url}/oauth2/token`);
    assert.equal(get.status, 405);
    assert.equal(get.headers.get('cache-control'), 'no-store');
    const js = await fetch(`${srv.url}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: basic(svc.client_id, svc.client_secret) },
      body: JSON.stringify({ grant_type: 'client_credentials' }),
    });
    assert.equal(js.status, 400);
    assert.equal((await js.json()).error, 'invalid_request');
    assert.equal(js.headers.get('cache-control'), 'no-store');
    const ok = await post('/oauth2/token', { grant_type: 'client_credentials' }, { app: svc });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('cache-control'), 'no-store');
    assert.equal(ok.headers.get('pragma'), 'no-cache');
    const bad = await post('/oauth2/token', { grant_type: 'password' }, { app: svc });
    assert.equal((await bad.json()).error, 'unsupported_grant_type');
    assert.equal(bad.headers.get('cache-control'), 'no-store');
  });

  test('SECURITY.md "No scope escalation"; client_credentials with openid is refused', async () => {
    const t = (await json(await redeem(web, mkCode(web, { scope: 'openid email offline_access' })))).body;
    let r = await json(await post('/oauth2/token',
      { grant_type: 'refresh_token', refresh_token: t.refresh_token, scope: 'openid email profile' }, { app: web }));
    assert.equal(r.body.error, 'invalid_scope');
    r = await json(await post('/oauth2/token',
      { grant_type: 'refresh_token', refresh_token: t.refresh_token, scope: 'email' }, { app: web }));
    assert.equal(r.status, 200); // narrowing is fine, and the refusal did not burn the token
    assert.equal(r.body.scope, 'email');
    r = await json(await post('/oauth2/token', { grant_type: 'client_credentials', scope: 'openid' }, { app: svc }));
    assert.equal(r.body.error, 'invalid_scope');
    r = await json(await post('/oauth2/token', { grant_type: 'client_credentials' }, { app: web }));
    assert.equal(r.body.error, 'unauthorized_client');
  });

  test('SECURITY.md "Inactive, suspended ... applications get invalid_client; their live tokens introspect as active: false"', async () => {
    for (const status of ['inactive', 'suspended']) {
      const app = mkApp('web');
      const t = (await json(await redeem(app, mkCode(app)))).body;
      assert.equal((await introspect(app, t.access_token)).active, true);
      fixture(['app', 'set-status', app.client_id, status], env);
      const r = await json(await post('/oauth2/token', { grant_type: 'refresh_token', refresh_token: t.refresh_token }, { app }));
      assert.equal(r.status, 401);
      assert.equal(r.body.error, 'invalid_client');
      assert.equal((await userinfo(t.access_token)).status, 401);
      assert.equal((await post('/oauth2/introspect', { token: t.access_token }, { app })).status, 401);
      assert.deepEqual(await introspect(other, t.access_token), { active: false });
    }
  });

  test('SECURITY.md "old secrets after a regeneration get invalid_client" at once', async () => {
    const app = mkApp('service');
    assert.equal((await post('/oauth2/token', { grant_type: 'client_credentials' }, { app })).status, 200);
    const fresh = fixture(['app', 'regenerate-secret', app.client_id], env);
    const old = await post('/oauth2/token', { grant_type: 'client_credentials' }, { app });
    assert.equal(old.status, 401);
    assert.equal((await post('/oauth2/token', { grant_type: 'client_credentials' }, { app: fresh })).status, 200);
  });

  test('SECURITY.md deleted applications: their tokens stop working at userinfo and introspection', async () => {
    const app = mkApp('web');
    const t = (await json(await redeem(app, mkCode(app)))).body;
    assert.equal((await userinfo(t.access_token)).status, 200);
    fixture(['app', 'delete', app.client_id], env);
    const r = await userinfo(t.access_token);
    assert.equal(r.status, 401);
    assert.equal(r.headers.get('www-authenticate'), 'Bearer error="invalid_token"');
    assert.equal((await post('/oauth2/introspect', { token: t.access_token }, { app })).status, 401);
    assert.deepEqual(await introspect(web, t.access_token), { active: false });
  });

  test('RFC 6750: userinfo takes the token from the header or the form body, never the query, never both', async () => {
    const t = (await json(await redeem(web, mkCode(web)))).body;
    let r = await fetch(`${srv.url}/oauth2/userinfo`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ access_token: t.access_token }).toString(),
    });
    assert.equal(r.status, 200);
    r = await fetch(`${srv.url}/oauth2/userinfo?access_token=${t.access_token}`);
    assert.equal(r.status, 400);
    assert.equal((await r.json()).error, 'invalid_request');
    r = await fetch(`${srv.url}/oauth2/userinfo`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${t.access_token}` },
      body: new URLSearchParams({ access_token: t.access_token }).toString(),
    });
    assert.equal(r.status, 400);
    r = await fetch(`${srv.url}/oauth2/userinfo`);
    assert.equal(r.status, 401);
    assert.equal(r.headers.get('www-authenticate'), 'Bearer'); // §3.1: no error code without a token
    r = await userinfo('qoc_at_nope');
    assert.equal(r.status, 401);
    assert.equal(r.headers.get('www-authenticate'), 'Bearer error="invalid_token"');
    // a refresh token is not an access token
    assert.equal((await userinfo(t.refresh_token)).status, 401);
    // OIDC Core §5.3: the token must carry openid
    const plain = (await json(await redeem(web, mkCode(web, { scope: 'email' })))).body;
    r = await userinfo(plain.access_token);
    assert.equal(r.status, 403);
    assert.match(r.headers.get('www-authenticate'), /insufficient_scope/);
    assert.equal(r.headers.get('cache-control'), 'no-store');
  });

  test('RFC 7009: revocation - own token revoked, another client\'s untouched (200), unknown 200', async () => {
    const t = (await json(await redeem(web, mkCode(web)))).body;
    let r = await post('/oauth2/revoke', { token: t.access_token }, { app: other });
    assert.equal(r.status, 200);
    assert.equal((await introspect(web, t.access_token)).active, true);
    r = await post('/oauth2/revoke', { token: t.access_token, token_type_hint: 'access_token' }, { app: web });
    assert.equal(r.status, 200);
    assert.equal((await introspect(web, t.access_token)).active, false);
    assert.equal((await introspect(web, t.refresh_token)).active, true); // an access token alone
    r = await post('/oauth2/revoke', { token: 'qoc_rt_unknown' }, { app: web });
    assert.equal(r.status, 200);
    r = await post('/oauth2/revoke', { token: t.access_token }, { app: { ...web, client_secret: 'qoc_secret_x' } });
    assert.equal(r.status, 401); // SECURITY.md "revocation require client authentication"
    r = await json(await post('/oauth2/revoke', {}, { app: web }));
    assert.equal(r.body.error, 'invalid_request');
  });

  test('RFC 9068 JWT access tokens: introspectable, userinfo-capable, not revocable alone (RFC 7009 §2.2.1)', async () => {
    const jwtSvc = mkApp('service', '--token-format', 'jwt');
    const t = (await json(await post('/oauth2/token', { grant_type: 'client_credentials', scope: 'api.read' }, { app: jwtSvc }))).body;
    assert.equal(t.access_token.split('.').length, 3);
    const header = JSON.parse(Buffer.from(t.access_token.split('.')[0], 'base64url').toString());
    assert.equal(header.typ, 'at+jwt');
    const intro = await introspect(jwtSvc, t.access_token);
    assert.equal(intro.active, true);
    assert.equal(intro.sub, jwtSvc.client_id);
    assert.deepEqual(await introspect(svc, t.access_token), { active: false });
    const r = await json(await post('/oauth2/revoke', { token: t.access_token }, { app: jwtSvc }));
    assert.equal(r.status, 400);
    assert.equal(r.body.error, 'unsupported_token_type');
    const jwtWeb = mkApp('web', '--token-format', 'jwt');
    const u = (await json(await redeem(jwtWeb, mkCode(jwtWeb)))).body;
    assert.equal((await userinfo(u.access_token)).status, 200);
    fixture(['app', 'set-status', jwtWeb.client_id, 'suspended'], env);
    assert.equal((await userinfo(u.access_token)).status, 401);
    // an ID token is not an access token
    assert.equal((await userinfo(u.id_token)).status, 401);
  });

  test('issue 13 "JWT access tokens after revocation": refresh reuse and code reuse end the family\'s JWTs at introspection and userinfo before exp', async () => {
    const jwtWeb = mkApp('web', '--token-format', 'jwt');
    const t = (await json(await redeem(jwtWeb, mkCode(jwtWeb)))).body;
    assert.equal(t.access_token.split('.').length, 3);
    assert.equal((await introspect(jwtWeb, t.access_token)).active, true);
    assert.equal((await userinfo(t.access_token)).status, 200);
    const r1 = (await json(await post('/oauth2/token', { grant_type: 'refresh_token', refresh_token: t.refresh_token }, { app: jwtWeb }))).body;
    assert.equal((await userinfo(r1.access_token)).status, 200);
    // attack: the old refresh token shows up again (stolen copy)
    const reuse = await json(await post('/oauth2/token', { grant_type: 'refresh_token', refresh_token: t.refresh_token }, { app: jwtWeb }));
    assert.equal(reuse.body.error, 'invalid_grant');
    for (const at of [t.access_token, r1.access_token]) {
      assert.deepEqual(await introspect(jwtWeb, at), { active: false });
      const u = await userinfo(at);
      assert.equal(u.status, 401);
      assert.match(u.headers.get('www-authenticate'), /invalid_token/);
    }
    // attack: the code is replayed; the JWT issued from it dies too
    const code = mkCode(jwtWeb, { scope: 'openid' });
    const c = (await json(await redeem(jwtWeb, code))).body;
    assert.equal((await userinfo(c.access_token)).status, 200);
    assert.equal((await redeem(jwtWeb, code)).status, 400);
    assert.deepEqual(await introspect(jwtWeb, c.access_token), { active: false });
    assert.equal((await userinfo(c.access_token)).status, 401);
    // app deletion: its JWTs stop at once
    const d = (await json(await redeem(jwtWeb, mkCode(jwtWeb, { scope: 'openid' })))).body;
    assert.equal((await userinfo(d.access_token)).status, 200);
    fixture(['app', 'delete', jwtWeb.client_id], env);
    assert.equal((await userinfo(d.access_token)).status, 401);
    // client_credentials JWTs stay stateless and live
    const jwtSvc = mkApp('service', '--token-format', 'jwt');
    const cc = (await json(await post('/oauth2/token', { grant_type: 'client_credentials' }, { app: jwtSvc }))).body;
    assert.equal((await introspect(jwtSvc, cc.access_token)).active, true);
  });

  test('SECURITY.md CORS: only the exact origins an application registered (preflight too), never credentials', async () => {
    const pre = (origin, path = '/oauth2/token') => fetch(`${srv.url}${path}`, {
      method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
    });
    let r = await pre(ORIGIN);
    assert.equal(r.status, 204);
    assert.equal(r.headers.get('access-control-allow-origin'), ORIGIN);
    assert.match(r.headers.get('access-control-allow-headers'), /Authorization/);
    assert.equal(r.headers.get('access-control-allow-credentials'), null);
    r = await pre('https://evil.example.com');
    assert.equal(r.headers.get('access-control-allow-origin'), null);
    r = await pre('null');
    assert.equal(r.headers.get('access-control-allow-origin'), null);
    r = await pre(ORIGIN, '/oauth2/userinfo');
    assert.equal(r.headers.get('access-control-allow-origin'), ORIGIN);
    r = await pre(ORIGIN, '/oauth2/revoke');
    assert.equal(r.headers.get('access-control-allow-origin'), ORIGIN);
    // the actual response: only the client's own origins
    const code = mkCode(web);
    r = await post('/oauth2/token', { grant_type: 'authorization_code', code, redirect_uri: REDIRECT }, { app: web, headers: { origin: ORIGIN } });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('access-control-allow-origin'), ORIGIN);
    assert.match(r.headers.get('vary'), /Origin/);
    const t = await r.json();
    r = await post('/oauth2/token', { grant_type: 'refresh_token', refresh_token: t.refresh_token }, { app: web, headers: { origin: 'https://other.example.com' } });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('access-control-allow-origin'), null); // another app's origin
    r = await fetch(`${srv.url}/oauth2/userinfo`, { headers: { authorization: `Bearer ${(await r.json()).access_token}`, origin: ORIGIN } });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('access-control-allow-origin'), ORIGIN);
    // introspection is not a browser endpoint
    r = await pre(ORIGIN, '/oauth2/introspect');
    assert.equal(r.headers.get('access-control-allow-origin'), null);
  });

  test('public client: PKCE required, method none, CORS for its origin', async () => {
    const spa = mkApp('spa', '--origin', 'https://spa.example.com');
    const verifier = client.randomPKCECodeVerifier();
    const challenge = await client.calculatePKCECodeChallenge(verifier);
    let r = await post('/oauth2/token', { grant_type: 'authorization_code', code: mkCode(spa, { challenge }),
      redirect_uri: REDIRECT, client_id: spa.client_id, code_verifier: verifier }, { headers: { origin: 'https://spa.example.com' } });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('access-control-allow-origin'), 'https://spa.example.com');
    const t = await r.json();
    r = await post('/oauth2/token', { grant_type: 'authorization_code', code: mkCode(spa),
      redirect_uri: REDIRECT, client_id: spa.client_id });
    assert.equal((await r.json()).error, 'invalid_grant'); // SECURITY.md "Public clients must use PKCE"
    // SECURITY.md "Introspection ... require client authentication": a client id alone is not
    r = await post('/oauth2/introspect', { token: t.access_token, client_id: spa.client_id });
    assert.equal(r.status, 401);
    // RFC 7009 §2.1: a public client may revoke its own token with its client id
    r = await post('/oauth2/revoke', { token: t.refresh_token, client_id: spa.client_id }, { headers: { origin: 'https://spa.example.com' } });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('access-control-allow-origin'), 'https://spa.example.com');
    assert.equal((await userinfo(t.access_token)).status, 401); // the family went with it
  });
});
