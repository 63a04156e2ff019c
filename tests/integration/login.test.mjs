// QOC Login, end to end: the real binary, driven through its HTML pages by a cookie-jar
// browser (lib/browser.mjs): /oauth2/authorize -> sign-in -> consent -> the redirect to the
// application with the code; SSO reuse, prompt and max_age, the error page, throttling,
// CSRF and browser binding, form_post, logout. "SECURITY.md" is /work/shared/SECURITY.md;
// each test names the clause it checks. The code-for-tokens exchange is the token
// endpoint's (another branch): these tests stop at the redirect that carries the code.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { Browser, createAccount, fixture, freePort, startServer, tempDir, parseForms, STORE, storeQuery } from './lib/qoc.mjs';

const CB = 'https://app.example.com/cb';
const BYE = 'https://app.example.com/bye';
const PASSWORD = 'correct horse battery';
// A state with bytes that break naive handling: spaces, &, =, +, %, quotes, <, non-ASCII.
const STATE = 'a b&c=d+e%25f"g\'<h>é☃';

describe('QOC Login (browser side)', () => {
  let dir;
  let srv;
  let issuer;
  let env;
  let ada;
  let web;     // the main web application
  const apps = {};

  before(async () => {
    dir = tempDir();
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    env = { QOC_DATA_DIR: dir, QOC_ISSUER: issuer };
    ada = createAccount(dir, { email: 'ada@example.com', name: 'Ada Lovelace', password: PASSWORD }, { QOC_ISSUER: issuer });
    createAccount(dir, { email: 'bob@example.com', name: 'Bob', password: PASSWORD }, { QOC_ISSUER: issuer });
    createAccount(dir, { email: 'dan@example.com', name: 'Dan', password: PASSWORD }, { QOC_ISSUER: issuer });
    srv = await startServer({ dataDir: dir, port, env: { QOC_ISSUER: issuer } });
    const mk = (name, ...extra) => fixture(['app', 'create', '--owner-email', 'ada@example.com', '--name', name,
      '--type', 'web', '--redirect-uri', CB, '--logout-uri', BYE, ...extra], env);
    web = mk('Web App');
    for (const n of ['deny', 'double', 'formpost', 'csrf', 'rotation', 'logout', 'signup', 'throttle'])
      apps[n] = mk(`App ${n}`);
    apps.implicit = mk('Implicit App', '--grant', 'authorization_code', '--grant', 'implicit');
  });
  after(async () => {
    await srv?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const authorizeUrl = (app, params = {}) => {
    const q = new URLSearchParams({ response_type: 'code', client_id: app.client_id, redirect_uri: CB,
      scope: 'openid email', state: STATE, ...params });
    for (const [k, v] of Object.entries(params)) if (v === null) q.delete(k);
    return `${srv.url}/oauth2/authorize?${q}`;
  };
  const newBrowser = () => new Browser({ origins: [srv.url] });
  const signIn = (b, page, email = 'ada@example.com', password = PASSWORD) =>
    b.submitForm(page, 0, { email, password });
  const allow = (b, page) => b.submitForm(page, 0, {}, { submitter: { name: 'decision', value: 'allow' } });
  // The callback's parameters (query, or fragment with { fragment: true }).
  const callback = (page, { fragment = false } = {}) => {
    assert.equal(page.status, 303, `expected a 303 to the client, got ${page.status}: ${page.body.slice(0, 300)}`);
    const u = new URL(page.location);
    assert.equal(`${u.origin}${u.pathname}`, CB);
    return new URLSearchParams(fragment ? u.hash.slice(1) : u.search);
  };
  // Sign in and consent for app in browser b; returns the callback parameters.
  async function fullFlow(b, app, params = {}) {
    let page = await b.get(authorizeUrl(app, params));
    assert.equal(page.status, 200);
    assert.match(new URL(page.url).pathname, /^\/login$/);
    page = await signIn(b, page);
    if (new URL(page.url).pathname === '/login/consent') page = await allow(b, page);
    return callback(page);
  }
  const assertPageHeaders = (page, what) => {
    const h = page.headers;
    assert.match(h.get('content-type') || '', /^text\/html; charset=utf-8/, what);
    assert.match(h.get('content-security-policy') || '', /frame-ancestors 'none'/, what);
    assert.equal(h.get('x-frame-options'), 'DENY', what);
    assert.equal(h.get('referrer-policy'), 'no-referrer', what);
    assert.equal(h.get('x-content-type-options'), 'nosniff', what);
    assert.equal(h.get('cache-control'), 'no-store', what);
  };

  test('sign-in -> consent -> code redirect: code, state byte-exact, iss (RFC 6749 §4.1.2, RFC 9207)', async () => {
    const b = newBrowser();
    let page = await b.get(authorizeUrl(web));
    assert.equal(page.redirects[0].status, 303);
    assert.equal(page.status, 200);
    assert.match(page.body, /Web App/);
    const form = parseForms(page.body)[0];
    assert.ok(form.controls.some((c) => c.name === 'email'));
    assert.ok(form.controls.some((c) => c.name === 'password'));
    page = await signIn(b, page);
    // SECURITY.md "Redirects after a credential POST use 303, never 307/308"
    assert.equal(page.redirects[0].status, 303);
    assert.equal(new URL(page.url).pathname, '/login/consent');
    assert.match(page.body, /<button type="submit" name="decision" value="allow">Allow<\/button>/);
    assert.match(page.body, /<button type="submit" name="decision" value="deny">/);
    assert.match(page.body, /ada@example\.com/);
    // issue 13: the consent page names the team that registered the application
    assert.match(page.body, /Registered by the team <strong>Ada Lovelace<\/strong>/);
    page = await allow(b, page);
    const p = callback(page);
    assert.match(p.get('code'), /^qoc_ac_[A-Za-z0-9_-]{43}$/);
    assert.equal(p.get('state'), STATE); // SECURITY.md "state comes back byte-exact"
    assert.equal(p.get('iss'), issuer); // SECURITY.md "Every authorization response ... carries iss"
    // SECURITY.md "never into a header": the state appears only encoded in Location
    for (const [k, v] of page.headers) if (k !== 'location') assert.ok(!v.includes(STATE), k);
  });

  test('SSO: a second authorization skips the password and the remembered consent (issue 3)', async () => {
    const b = newBrowser();
    await fullFlow(b, web);
    const page = await b.get(authorizeUrl(web, { state: 'second' }));
    assert.equal(page.redirects.length, 0);
    const p = callback(page);
    assert.match(p.get('code'), /^qoc_ac_/);
    assert.equal(p.get('state'), 'second');
    // a wider scope than consented asks again
    const wider = await b.get(authorizeUrl(web, { scope: 'openid email profile' }));
    assert.equal(new URL(wider.url).pathname, '/login/consent');
  });

  test('prompt=login forces the form even with a session (OIDC Core §3.1.2.1)', async () => {
    const b = newBrowser();
    await fullFlow(b, web);
    const page = await b.get(authorizeUrl(web, { prompt: 'login' }));
    assert.equal(new URL(page.url).pathname, '/login');
    assert.equal(page.status, 200);
    // signed in again, consent remembered: straight to the client
    const p = callback(await signIn(b, page));
    assert.match(p.get('code'), /^qoc_ac_/);
  });

  test('max_age=0 forces sign-in (OIDC Core §3.1.2.1)', async () => {
    const b = newBrowser();
    await fullFlow(b, web);
    const page = await b.get(authorizeUrl(web, { max_age: '0' }));
    assert.equal(new URL(page.url).pathname, '/login');
    const ok = await b.get(authorizeUrl(web, { max_age: '3600' }));
    assert.match(callback(ok).get('code'), /^qoc_ac_/);
  });

  test('prompt=none without a session: login_required with state and iss (OIDC Core §3.1.2.6, RFC 9207)', async () => {
    const page = await newBrowser().get(authorizeUrl(web, { prompt: 'none' }));
    const p = callback(page);
    assert.equal(p.get('error'), 'login_required');
    assert.equal(p.get('state'), STATE);
    assert.equal(p.get('iss'), issuer);
    assert.equal(p.get('code'), null);
  });

  test('prompt=none with a session but no consent: consent_required (OIDC Core §3.1.2.6)', async () => {
    const b = newBrowser();
    await fullFlow(b, web);
    const p = callback(await b.get(authorizeUrl(apps.deny, { prompt: 'none' })));
    assert.equal(p.get('error'), 'consent_required');
    assert.equal(p.get('iss'), issuer);
  });

  test('SECURITY.md "An invalid client or redirect URI shows an error page and never redirects"', async () => {
    const b = newBrowser();
    const cases = [
      [authorizeUrl({ client_id: 'qoc_client_nosuchclient000000000' }), 400, /Unknown application/],
      [authorizeUrl(web, { client_id: null }), 400, /Unknown application/],
      [authorizeUrl(web, { redirect_uri: 'https://evil.example.com/cb' }), 400, /not set up correctly/],
      [authorizeUrl(web, { redirect_uri: 'https://APP.example.com/cb' }), 400, /not set up correctly/],
      [authorizeUrl(web, { redirect_uri: `${CB}/` }), 400, /not set up correctly/],
    ];
    for (const [url, status, text] of cases) {
      const page = await b.send('GET', url);
      assert.equal(page.status, status, url);
      assert.equal(page.location, null, url);
      assert.match(page.body, text, url);
      assertPageHeaders(page, url);
    }
  });

  test('an invalid parameter with a good client and URI goes back to the client with iss (RFC 6749 §4.1.2.1)', async () => {
    const p = callback(await newBrowser().get(authorizeUrl(web, { response_type: 'nonsense' })));
    assert.equal(p.get('error'), 'unsupported_response_type');
    assert.equal(p.get('state'), STATE);
    assert.equal(p.get('iss'), issuer);
  });

  test('SECURITY.md "same answer for an unknown account": wrong password and unknown email look alike', async () => {
    const b = newBrowser();
    const start = await b.get(authorizeUrl(web));
    const wrong = await signIn(b, start, 'ada@example.com', 'not the password');
    const unknown = await signIn(b, start, 'nobody@example.com', 'not the password');
    assert.equal(wrong.status, 200);
    assert.equal(unknown.status, wrong.status);
    for (const page of [wrong, unknown]) {
      assert.match(page.body, /Wrong email or password\./);
      assert.equal(page.location, null);
      assertPageHeaders(page, 'sign-in failure');
    }
    assert.equal(b.jar.get('qoc_sso'), null); // no session for a failure
  });

  test('SECURITY.md "login throttled per account": the sixth try after five failures is 429', async () => {
    const b = newBrowser();
    const start = await b.get(authorizeUrl(apps.throttle));
    for (let i = 0; i < 5; i++) {
      const page = await signIn(b, start, 'Bob@Example.com ', `wrong ${i}`);
      assert.equal(page.status, 200);
    }
    // even the right password is refused while locked, and without checking it
    const locked = await signIn(b, start, 'bob@example.com', PASSWORD);
    assert.equal(locked.status, 429);
    assert.match(locked.body, /Too many attempts/);
    assert.ok(Number(locked.headers.get('retry-after')) >= 1);
    assertPageHeaders(locked, 'throttled');
  });

  test('SECURITY.md "Login ... CSRF-protected": a missing or another browser\'s token is refused', async () => {
    const a = newBrowser();
    const other = newBrowser();
    const pageA = await a.get(authorizeUrl(apps.csrf));
    const pageO = await other.get(authorizeUrl(apps.csrf));
    const tokenO = parseForms(pageO.body)[0].controls.find((c) => c.name === 'csrf').value;
    const missing = await a.submitForm(pageA, 0, { email: 'ada@example.com', password: PASSWORD, csrf: null });
    assert.equal(missing.status, 403);
    assert.match(missing.body, /expired/i);
    const foreign = await a.submitForm(pageA, 0, { email: 'ada@example.com', password: PASSWORD, csrf: tokenO });
    assert.equal(foreign.status, 403);
    assert.equal(a.jar.get('qoc_sso'), null);
    // a POST from a browser without its binding cookie
    const bare = new Browser({ origins: [srv.url] });
    const nocookie = await bare.submitForm(pageA.body, 0, { email: 'ada@example.com', password: PASSWORD }, { base: pageA.url });
    assert.equal(nocookie.status, 403);
  });

  test('SECURITY.md "bound to the browser session that started them": a handle replayed in another browser is refused', async () => {
    const a = newBrowser();
    const thief = newBrowser();
    const pageA = await a.get(authorizeUrl(apps.csrf));
    const handle = new URL(pageA.url).searchParams.get('handle');
    assert.match(handle, /^[A-Za-z0-9_-]{43}$/);
    const replay = await thief.get(`${srv.url}/login?handle=${handle}`);
    assert.equal(replay.status, 403);
    // the thief's own, valid CSRF token with the victim's handle
    const own = await thief.get(authorizeUrl(apps.csrf));
    const posted = await thief.submitForm(own, 0, { email: 'ada@example.com', password: PASSWORD, handle });
    assert.equal(posted.status, 403);
    // and the victim's request still works
    const p = await signIn(a, pageA);
    assert.equal(new URL(p.url).pathname, '/login/consent');
  });

  test('consent double submit issues one code (store: authreq_take)', async () => {
    const b = newBrowser();
    let page = await b.get(authorizeUrl(apps.double));
    page = await signIn(b, page);
    assert.equal(new URL(page.url).pathname, '/login/consent');
    const results = await Promise.all([allow(b, page), allow(b, page), allow(b, page)]);
    const codes = results.filter((r) => r.status === 303);
    assert.equal(codes.length, 1);
    assert.match(callback(codes[0]).get('code'), /^qoc_ac_/);
    for (const r of results.filter((x) => x.status !== 303)) assert.equal(r.status, 403);
  });

  test('deny -> access_denied with state and iss (RFC 6749 §4.1.2.1)', async () => {
    const b = newBrowser();
    let page = await b.get(authorizeUrl(apps.deny));
    page = await signIn(b, page);
    page = await b.submitForm(page, 0, {}, { submitter: { name: 'decision', value: 'deny' } });
    const p = callback(page);
    assert.equal(p.get('error'), 'access_denied');
    assert.equal(p.get('state'), STATE);
    assert.equal(p.get('iss'), issuer);
    assert.equal(p.get('code'), null);
  });

  test('consent CSRF: the sign-in token cannot approve (one purpose per form)', async () => {
    const b = newBrowser();
    let page = await b.get(authorizeUrl(apps.formpost));
    const loginToken = parseForms(page.body)[0].controls.find((c) => c.name === 'csrf').value;
    page = await signIn(b, page);
    assert.equal(new URL(page.url).pathname, '/login/consent');
    const forged = await b.submitForm(page, 0, { csrf: loginToken }, { submitter: { name: 'decision', value: 'allow' } });
    assert.equal(forged.status, 403);
  });

  test('response_mode=form_post renders a form to the redirect URI (OAuth 2.0 Form Post Response Mode)', async () => {
    const b = newBrowser();
    await fullFlow(b, apps.formpost);
    const page = await b.get(authorizeUrl(apps.formpost, { response_mode: 'form_post' }));
    assert.equal(page.status, 200);
    assertPageHeaders(page, 'form_post');
    const form = parseForms(page.body).find((f) => f.action === CB);
    assert.ok(form, 'a form posting to the redirect URI');
    assert.equal(form.method, 'post');
    const fields = Object.fromEntries(form.controls.filter((c) => c.name).map((c) => [c.name, c.value]));
    assert.match(fields.code, /^qoc_ac_/);
    assert.equal(fields.state, STATE);
    assert.equal(fields.iss, issuer);
    assert.match(page.body, /\/login\/static\/autosubmit\.js/);
    // SECURITY.md "never unescaped into HTML"
    assert.ok(!page.body.includes(STATE));
  });

  // Implicit (RFC 6749 §4.2, OIDC Core §3.2). openid-client v6 does not do implicit, so
  // the ID token is checked with jose against the JWKS the server publishes.
  const implicitFlow = async (app, params) => {
    const b = newBrowser();
    let page = await b.get(authorizeUrl(app, params));
    page = await signIn(b, page);
    if (new URL(page.url).pathname === '/login/consent') page = await allow(b, page);
    return callback(page, { fragment: true });
  };
  const verifyIdToken = async (app, idToken, nonce) => {
    const jwks = createRemoteJWKSet(new URL(`${srv.url}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(idToken, jwks, { issuer, audience: app.client_id });
    assert.equal(payload.nonce, nonce); // OIDC Core §3.2.2.11: nonce REQUIRED in the ID token
    assert.equal(payload.sub, ada.id);
    assert.equal(typeof payload.auth_time, 'number');
    return { payload, protectedHeader };
  };
  // OIDC Core §3.2.2.9: at_hash = base64url(left half of SHA-256(access_token)) for RS256.
  const atHash = (at) => createHash('sha256').update(at, 'ascii').digest().subarray(0, 16).toString('base64url');
  const introspect = async (app, token) => {
    const r = await fetch(`${srv.url}/oauth2/introspect`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${encodeURIComponent(app.client_id)}:${encodeURIComponent(app.client_secret)}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token }).toString(),
    });
    assert.equal(r.status, 200);
    return r.json();
  };

  // The app's "last used" (issue 3 "Every successful protocol call updates ... last used"),
  // read from the store file with the sqlite3 shell (read-only; WAL lets it read live).
  const hasSqlite3 = STORE === 'postgres' || spawnSync('sqlite3', ['-version']).status === 0;
  const lastUsed = (app) => storeQuery(dir,
    `SELECT coalesce(CAST(last_used_at AS TEXT), 'null') FROM applications WHERE client_id = '${app.client_id}'`);

  test('implicit token: access token in the fragment, Bearer, expires_in, scope, state, iss; no refresh token (RFC 6749 §4.2.2)', async () => {
    const p = await implicitFlow(apps.implicit, { response_type: 'token', scope: 'email' });
    assert.match(p.get('access_token'), /^qoc_at_/);
    assert.equal(p.get('token_type'), 'Bearer');
    assert.ok(Number(p.get('expires_in')) > 0);
    assert.equal(p.get('scope'), 'email');
    assert.equal(p.get('state'), STATE); // SECURITY.md "state comes back byte-exact"
    assert.equal(p.get('iss'), issuer); // RFC 9207
    assert.equal(p.get('refresh_token'), null); // RFC 6749 §4.2.2: MUST NOT issue a refresh token
    assert.equal(p.get('id_token'), null);
    assert.equal(p.get('code'), null);
    const info = await introspect(apps.implicit, p.get('access_token'));
    assert.equal(info.active, true);
    assert.equal(info.client_id, apps.implicit.client_id);
    assert.equal(info.sub, ada.id);
  });

  test('implicit id_token: ID token with nonce, aud, iss, scope claims; no access token (OIDC Core §3.2.2.5, §5.4)', async () => {
    const p = await implicitFlow(apps.implicit, { response_type: 'id_token', nonce: 'nonce-idt' });
    assert.equal(p.get('access_token'), null);
    assert.equal(p.get('token_type'), null);
    assert.equal(p.get('refresh_token'), null);
    assert.equal(p.get('iss'), issuer);
    assert.equal(p.get('state'), STATE);
    const { payload } = await verifyIdToken(apps.implicit, p.get('id_token'), 'nonce-idt');
    assert.equal(payload.at_hash, undefined);
    assert.equal(payload.email, 'ada@example.com'); // no access token: claims in the ID token
  });

  test('implicit id_token token: both, ID token with at_hash of the access token (OIDC Core §3.2.2.10)', async () => {
    const p = await implicitFlow(apps.implicit, { response_type: 'id_token token', nonce: 'nonce-both' });
    const at = p.get('access_token');
    assert.match(at, /^qoc_at_/);
    assert.equal(p.get('token_type'), 'Bearer');
    assert.equal(p.get('refresh_token'), null);
    const { payload, protectedHeader } = await verifyIdToken(apps.implicit, p.get('id_token'), 'nonce-both');
    assert.equal(protectedHeader.alg, 'RS256');
    assert.equal(payload.at_hash, atHash(at));
    assert.equal((await introspect(apps.implicit, at)).active, true);
  });

  test('implicit records the application as used (issue 3 "last used")', { skip: !hasSqlite3 && 'no sqlite3 shell' }, async () => {
    const app = fixture(['app', 'create', '--owner-email', 'ada@example.com', '--name', 'Implicit LastUsed',
      '--type', 'web', '--redirect-uri', CB, '--grant', 'authorization_code', '--grant', 'implicit'], env);
    assert.equal(lastUsed(app), 'null');
    await implicitFlow(app, { response_type: 'id_token', nonce: 'n-lu' });
    assert.match(lastUsed(app), /^\d+$/);
  });

  test('implicit: nonce is required for an ID token (OIDC Core §3.2.2.1)', async () => {
    const page = await newBrowser().get(authorizeUrl(apps.implicit, { response_type: 'id_token', nonce: null }));
    const p = callback(page, { fragment: true });
    assert.equal(p.get('error'), 'invalid_request');
    assert.equal(p.get('iss'), issuer);
  });

  test('implicit for an app without the implicit grant: unauthorized_client (RFC 6749 §4.2.2.1)', async () => {
    for (const rt of ['token', 'id_token', 'id_token token']) {
      const page = await newBrowser().get(authorizeUrl(web, { response_type: rt, nonce: 'n1' }));
      const p = callback(page, { fragment: true });
      assert.equal(p.get('error'), 'unauthorized_client', rt);
      assert.equal(p.get('access_token'), null);
      assert.equal(p.get('id_token'), null);
      assert.equal(p.get('state'), STATE);
      assert.equal(p.get('iss'), issuer);
    }
  });

  test('SECURITY.md "Session IDs rotate at login": qoc_sso changes at every sign-in, the old one is dead', async () => {
    const b = newBrowser();
    await fullFlow(b, apps.rotation);
    const first = b.jar.get('qoc_sso').value;
    let page = await b.get(authorizeUrl(apps.rotation, { prompt: 'login' }));
    page = await signIn(b, page);
    callback(page);
    const second = b.jar.get('qoc_sso').value;
    assert.notEqual(second, first);
    // a browser holding the old cookie is not signed in
    const old = newBrowser();
    old.jar.store([`qoc_sso=${first}; Path=/`], srv.url);
    const p = await old.get(authorizeUrl(apps.rotation, { prompt: 'none' }));
    assert.equal(callback(p).get('error'), 'login_required');
  });

  test('SECURITY.md "cookies are HttpOnly, SameSite=Lax"', async () => {
    const b = newBrowser();
    await fullFlow(b, web);
    for (const name of ['qoc_b', 'qoc_sso']) {
      const c = b.jar.get(name);
      assert.ok(c, name);
      assert.ok(c.httpOnly, `${name} HttpOnly`);
      assert.equal(c.sameSite, 'lax', name);
      assert.equal(c.path, '/');
    }
  });

  test('sign-up creates the account and signs it in (issue 3)', async () => {
    const b = newBrowser();
    let page = await b.get(authorizeUrl(apps.signup));
    const handle = new URL(page.url).searchParams.get('handle');
    page = await b.get(`${srv.url}/login/signup?handle=${handle}`);
    assert.equal(page.status, 200);
    assertPageHeaders(page, 'sign-up');
    const bad = await b.submitForm(page, 0, { name: 'Cy', email: 'not-an-email', password: 'short' });
    assert.equal(bad.status, 400);
    assert.match(bad.body, /email must look like/);
    assert.match(bad.body, /at least 8/);
    page = await b.submitForm(page, 0, { name: 'Cy', email: 'cy@example.com', password: 'a long enough password' });
    assert.equal(new URL(page.url).pathname, '/login/consent');
    assert.match(page.body, /cy@example\.com/);
    const p = callback(await allow(b, page));
    assert.match(p.get('code'), /^qoc_ac_/);
    // the email is taken now
    const again = newBrowser();
    let p2 = await again.get(authorizeUrl(apps.signup));
    p2 = await again.get(`${srv.url}/login/signup?handle=${new URL(p2.url).searchParams.get('handle')}`);
    const dup = await again.submitForm(p2, 0, { name: 'Cy', email: 'CY@example.com', password: 'a long enough password' });
    assert.equal(dup.status, 400);
    assert.match(dup.body, /already exists/);
  });

  test('logout with a valid id_token_hint redirects only to a registered logout URI (SECURITY.md, RP-Initiated Logout §3)', async () => {
    const b = newBrowser();
    await fullFlow(b, apps.logout);
    const { id_token: hint } = fixture(['app', 'id-token', apps.logout.client_id, ada.id], env);
    // unregistered URI: signed out, no redirect
    const other = newBrowser();
    await fullFlow(other, apps.logout);
    const q0 = new URLSearchParams({ id_token_hint: hint, post_logout_redirect_uri: 'https://evil.example.com/bye', state: 's' });
    const refused = await other.get(`${srv.url}/oauth2/logout?${q0}`);
    assert.equal(refused.status, 200);
    assert.equal(refused.location, null);
    assert.match(refused.body, /signed out/i);
    assertPageHeaders(refused, 'signed out');
    // registered URI: 303 there with state
    const q = new URLSearchParams({ id_token_hint: hint, post_logout_redirect_uri: BYE, state: STATE });
    const page = await b.get(`${srv.url}/oauth2/logout?${q}`);
    assert.equal(page.status, 303);
    const u = new URL(page.location);
    assert.equal(`${u.origin}${u.pathname}`, BYE);
    assert.equal(u.searchParams.get('state'), STATE);
    // the session is over
    const p = await b.get(authorizeUrl(apps.logout, { prompt: 'none' }));
    assert.equal(callback(p).get('error'), 'login_required');
  });

  test('attack (issue 13, RP-Initiated Logout 1.0 §4): an id_token_hint for another account neither ends this session nor redirects without confirmation', async () => {
    const b = newBrowser();
    let page = await b.get(authorizeUrl(apps.logout));
    page = await signIn(b, page, 'dan@example.com');
    if (new URL(page.url).pathname === '/login/consent') page = await allow(b, page);
    assert.match(callback(page).get('code'), /^qoc_ac_/);
    // a page holding Ada's (valid) ID token sends Dan's browser to logout with it
    const { id_token: adaHint } = fixture(['app', 'id-token', apps.logout.client_id, ada.id], env);
    const q = new URLSearchParams({ id_token_hint: adaHint, post_logout_redirect_uri: BYE, state: 's' });
    const confirm = await b.get(`${srv.url}/oauth2/logout?${q}`);
    assert.equal(confirm.status, 200);
    assert.equal(confirm.location, null);
    assert.ok(parseForms(confirm.body)[0].controls.some((c) => c.name === 'csrf'));
    // Dan is still signed in
    assert.match(callback(await b.get(authorizeUrl(apps.logout, { prompt: 'none' }))).get('code'), /^qoc_ac_/);
    // Dan confirms: signed out, and still no redirect
    const done = await b.submitForm(confirm, 0);
    assert.equal(done.status, 200);
    assert.equal(done.location, null);
    assert.match(done.body, /signed out/i);
    assert.equal(callback(await b.get(authorizeUrl(apps.logout, { prompt: 'none' }))).get('error'), 'login_required');
  });

  test('logout without a hint asks first and never redirects (SECURITY.md "only with a valid id_token_hint")', async () => {
    const b = newBrowser();
    await fullFlow(b, apps.logout);
    const q = new URLSearchParams({ post_logout_redirect_uri: BYE, state: 's', client_id: apps.logout.client_id });
    for (const url of [`${srv.url}/oauth2/logout?${q}`, `${srv.url}/oauth2/logout?${q}&id_token_hint=eyJhbGciOiJub25lIn0.e30.`]) {
      const page = await b.get(url);
      assert.equal(page.status, 200);
      assert.equal(page.location, null);
      assertPageHeaders(page, 'logout confirmation');
      assert.ok(parseForms(page.body)[0].controls.some((c) => c.name === 'csrf'));
    }
    // a confirmation without the token changes nothing
    const forged = await b.post(`${srv.url}/oauth2/logout`, { csrf: 'x'.repeat(43) });
    assert.equal(forged.status, 403);
    assert.match(callback(await b.get(authorizeUrl(apps.logout))).get('code'), /^qoc_ac_/);
    // confirmed: signed out, no redirect
    const confirm = await b.get(`${srv.url}/oauth2/logout?${q}`);
    const done = await b.submitForm(confirm, 0);
    assert.equal(done.status, 200);
    assert.equal(done.location, null);
    assert.match(done.body, /signed out/i);
    const p = await b.get(authorizeUrl(apps.logout, { prompt: 'none' }));
    assert.equal(callback(p).get('error'), 'login_required');
  });

  test('static assets: content types, nosniff, cached; nothing else under /login/static', async () => {
    const css = await fetch(`${srv.url}/login/static/login.css`);
    assert.equal(css.status, 200);
    assert.match(css.headers.get('content-type'), /^text\/css/);
    assert.equal(css.headers.get('x-content-type-options'), 'nosniff');
    assert.match(css.headers.get('cache-control'), /max-age=\d+/);
    const js = await fetch(`${srv.url}/login/static/autosubmit.js`);
    assert.match(js.headers.get('content-type'), /^text\/javascript/);
    for (const p of ['nope.css', '..%2Fqoc.db', 'login.css%00']) {
      const r = await fetch(`${srv.url}/login/static/${p}`);
      assert.equal(r.status, 404, p);
    }
  });

  test('SECURITY.md "Pages send Content-Security-Policy ..." on every page', async () => {
    const b = newBrowser();
    const signin = await b.get(authorizeUrl(apps.signup));
    assertPageHeaders(signin, 'sign-in');
    const expired = await b.get(`${srv.url}/login?handle=${'A'.repeat(43)}`);
    assert.equal(expired.status, 403);
    assertPageHeaders(expired, 'expired');
    const consent = await signIn(b, signin);
    assertPageHeaders(consent, 'consent');
    const err = await b.send('GET', `${srv.url}/oauth2/authorize`);
    assertPageHeaders(err, 'error');
  });

  // Last: everything above ran in this one server process.
  test('the server stops cleanly after all of the above, with no sanitizer report', async () => {
    const { code, signal } = await srv.stop();
    assert.equal(signal, null);
    assert.equal(code, 0);
    assert.doesNotMatch(srv.output(), /Sanitizer|runtime error:/);
  });
});
