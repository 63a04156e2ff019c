// The console web app's sign-in through QOC Login as a first-party client, and its cookie
// session on the console API (issue 5; console/signin.h). Driven with the cookie-jar
// browser over real HTTP against the real binary: the redirects, the QOC Login sign-in
// form, the cookies and the CSRF header are exactly what a browser sends.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startServer, tempDir, runQoc, createAccount, Browser, fixture, formRequest } from './lib/qoc.mjs';

const CONSOLE_CLIENT = 'qoc_client_qoccloudconsole000000000';

function pat(dataDir, email) {
  const r = runQoc(['token', 'create', '--email', email], { env: { QOC_DATA_DIR: dataDir } });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

// Opens `path` of the console signed out, signs in on the QOC Login form; returns the
// browser and the last page.
async function signIn(srv, who, path = '/console/login?next=/console/applications') {
  const b = new Browser();
  let page = await b.get(srv.url + path);
  assert.equal(page.status, 200, page.body.slice(0, 500));
  assert.match(page.body, /name="?password/, 'the QOC Login sign-in form');
  page = await b.submitForm(page, 0, { email: who.email, password: who.password });
  return { b, page };
}

function cookieOf(b, url, name) {
  const h = b.jar.header(url) || '';
  const m = new RegExp(`(?:^|; )${name}=([^;]*)`).exec(h);
  return m ? m[1] : null;
}

describe('console sign-in through QOC Login', () => {
  let srv, dir, ada, root;
  before(async () => {
    dir = tempDir();
    ada = createAccount(dir, { email: 'ada@example.com', name: 'Ada' });
    root = createAccount(dir, { email: 'root@example.com', name: 'Root', admin: true });
    srv = await startServer({ dataDir: dir, loopbackIssuer: true });
  });
  after(async () => {
    const code = await srv?.stop();
    assert.doesNotMatch(srv.output(), /LeakSanitizer|AddressSanitizer|runtime error:/);
    assert.deepEqual(code, { code: 0, signal: null }, srv.output().slice(-2000));
  });

  test('signs in on the QOC Login form, skips consent (first party), lands on next', async () => {
    const { b, page } = await signIn(srv, ada);
    assert.equal(new URL(page.url).pathname, '/console/applications');
    const hops = b.history.map((h) => new URL(h.url).pathname);
    assert.ok(hops.includes('/console/callback'), hops.join(' '));
    assert.ok(!hops.includes('/login/consent'), 'no consent page for the console');
    // the session cookie: HttpOnly, SameSite=Strict, whole site
    const set = b.history.find((h) => new URL(h.url).pathname === '/console/callback');
    assert.equal(set.status, 303);
    const s = await fetch(`${srv.url}/console/session`, { headers: { cookie: b.jar.header(srv.url + '/') } });
    assert.equal(s.status, 200);
    assert.match(s.headers.get('cache-control'), /no-store/);
    const body = await s.json();
    assert.equal(body.account.email, 'ada@example.com');
    assert.equal(body.account.admin, false);
    assert.match(body.csrf_token, /^[A-Za-z0-9_-]{43}$/);
  });

  test('SECURITY.md Browser and console: the session cookie is HttpOnly, SameSite=Strict, Path=/', async () => {
    const b = new Browser();
    const page = await b.get(`${srv.url}/console/login`);
    const f = formRequest(page.body, 0, { email: ada.email, password: ada.password }, { base: page.url });
    // one hop at a time, to read the callback's Set-Cookie
    let r = await b.send(f.method, f.url, { body: f.body, contentType: f.contentType });
    let setCookies = [];
    for (let i = 0; i < 5 && r.location; i++) {
      const at = r.location;
      r = await b.send('GET', at);
      if (new URL(at).pathname === '/console/callback') setCookies = r.headers.getSetCookie();
    }
    const sess = setCookies.find((c) => c.startsWith('qoc_console='));
    assert.ok(sess, setCookies.join('\n'));
    assert.match(sess, /HttpOnly/i);
    assert.match(sess, /SameSite=Strict/i);
    assert.match(sess, /Path=\/(;|$)/);
    assert.match(sess, /qoc_console=qoc_at_/);
    assert.ok(setCookies.some((c) => /^qoc_console_tx=;/.test(c)), 'the transaction cookie is cleared');
  });

  test('SECURITY.md Browser and console: the API takes the cookie; state changes need the session\'s X-CSRF-Token', async () => {
    const { b } = await signIn(srv, ada);
    const cookie = b.jar.header(srv.url + '/');
    const me = await fetch(`${srv.url}/api/v1/me`, { headers: { cookie } });
    assert.equal(me.status, 200);
    assert.equal((await me.json()).email, 'ada@example.com');
    const { csrf_token } = await (await fetch(`${srv.url}/console/session`, { headers: { cookie } })).json();
    const post = (headers) => fetch(`${srv.url}/api/v1/teams`, {
      method: 'POST', headers: { cookie, 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ name: 'Blue team' }),
    });
    let r = await post({});
    assert.equal(r.status, 403, 'no CSRF header');
    assert.match((await r.json()).detail, /X-CSRF-Token/);
    r = await post({ 'x-csrf-token': csrf_token.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) });
    assert.equal(r.status, 403, 'a wrong CSRF token');
    r = await post({ 'x-csrf-token': csrf_token });
    assert.equal(r.status, 201, await r.text());
    // another session's CSRF token does not fit this session
    const other = await signIn(srv, ada);
    const otherCookie = other.b.jar.header(srv.url + '/');
    r = await fetch(`${srv.url}/api/v1/teams`, {
      method: 'POST', headers: { cookie: otherCookie, 'content-type': 'application/json', 'x-csrf-token': csrf_token },
      body: JSON.stringify({ name: 'Red team' }),
    });
    assert.equal(r.status, 403);
  });

  test('no cookie, a bad cookie or another application\'s token is not a session', async () => {
    let r = await fetch(`${srv.url}/console/session`);
    assert.equal(r.status, 401);
    r = await fetch(`${srv.url}/api/v1/me`, { headers: { cookie: 'qoc_console=qoc_at_' + 'A'.repeat(43) } });
    assert.equal(r.status, 401);
    // a real access token of the same user, issued to another application
    const app = fixture(['app', 'create', '--owner-email', ada.email, '--name', 'Svc', '--type', 'service', '--grant', 'client_credentials'], { QOC_DATA_DIR: dir });
    const tok = await fetch(`${srv.url}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Basic ' + Buffer.from(`${app.client_id}:${app.client_secret}`).toString('base64') },
      body: 'grant_type=client_credentials',
    });
    assert.equal(tok.status, 200, await tok.clone().text());
    const { access_token } = await tok.json();
    r = await fetch(`${srv.url}/console/session`, { headers: { cookie: `qoc_console=${access_token}` } });
    assert.equal(r.status, 401);
  });

  test('SECURITY.md Browser and console (bound to the browser that started it): a callback this browser did not start, or with a wrong state, is refused', async () => {
    const b = new Browser();
    let r = await b.send('GET', `${srv.url}/console/callback?code=x&state=y&iss=${encodeURIComponent(srv.url)}`);
    assert.equal(r.status, 403);
    assert.match(r.body, /not started in this browser/);
    const start = await b.send('GET', `${srv.url}/console/login`);
    assert.equal(start.status, 303);
    const auth = new URL(start.location);
    assert.equal(auth.pathname, '/oauth2/authorize');
    assert.equal(auth.searchParams.get('client_id'), CONSOLE_CLIENT);
    assert.equal(auth.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(auth.searchParams.get('redirect_uri'), `${srv.url}/console/callback`);
    r = await b.send('GET', `${srv.url}/console/callback?code=x&state=${'A'.repeat(43)}&iss=${encodeURIComponent(srv.url)}`);
    assert.equal(r.status, 403);
    assert.match(r.body, /does not belong/);
  });

  test('SECURITY.md Codes (a reused code revokes every token issued from it): a replayed console callback fails and ends the session it made', async () => {
    const b = new Browser();
    const page = await b.get(`${srv.url}/console/login`);
    const tx = cookieOf(b, `${srv.url}/console/callback`, 'qoc_console_tx');
    const first = await b.submitForm(page, 0, { email: ada.email, password: ada.password });
    assert.equal(new URL(first.url).pathname, '/console/');
    const cb = b.history.find((h) => new URL(h.url).pathname === '/console/callback');
    assert.ok(cb && cb.status === 303, JSON.stringify(b.history));
    const cookie = b.jar.header(srv.url + '/');
    assert.equal((await fetch(`${srv.url}/console/session`, { headers: { cookie } })).status, 200);
    // another browser that started its own sign-in cannot use this code: the state is not its
    const b2 = new Browser();
    await b2.send('GET', `${srv.url}/console/login`);
    let r = await b2.send('GET', cb.url);
    assert.equal(r.status, 403);
    assert.match(r.body, /does not belong/);
    // the same browser replaying the callback (its transaction cookie put back)
    b.jar.store([`qoc_console_tx=${tx}; Path=/console/callback`], `${srv.url}/console/callback`);
    r = await b.send('GET', cb.url);
    assert.equal(r.status, 403);
    assert.match(r.body, /already used or has expired/);
    // RFC 6749 §4.1.2: a reused code revokes what it issued
    assert.equal((await fetch(`${srv.url}/console/session`, { headers: { cookie } })).status, 401);
  });

  test('next never leaves the console', async () => {
    for (const next of ['https://evil.example/', '//evil.example/', '/console/../oauth2/token', '/consolex', '/\\evil.example']) {
      const b = new Browser();
      const start = await b.send('GET', `${srv.url}/console/login?next=${encodeURIComponent(next)}`);
      const tx = cookieOf(b, `${srv.url}/console/callback`, 'qoc_console_tx');
      assert.ok(tx, 'transaction cookie');
      const nextIn = Buffer.from(tx.split('.')[1], 'base64url').toString();
      assert.equal(nextIn, '/console/', next);
      assert.equal(start.status, 303);
    }
  });

  test('SECURITY.md Browser and console (CSRF on every state change): sign out needs the CSRF token, revokes the session and ends the SSO session', async () => {
    const { b } = await signIn(srv, ada);
    const cookie = b.jar.header(srv.url + '/');
    const old = cookieOf(b, srv.url + '/', 'qoc_console');
    const { csrf_token } = await (await fetch(`${srv.url}/console/session`, { headers: { cookie } })).json();
    let r = await b.send('POST', `${srv.url}/console/logout`, { body: 'csrf_token=wrong', contentType: 'application/x-www-form-urlencoded' });
    assert.equal(r.status, 403, 'a sign-out form from elsewhere');
    assert.equal((await fetch(`${srv.url}/console/session`, { headers: { cookie } })).status, 200, 'still signed in');
    r = await b.send('POST', `${srv.url}/console/logout`, { body: `csrf_token=${csrf_token}`, contentType: 'application/x-www-form-urlencoded' });
    assert.equal(r.status, 303);
    assert.equal(new URL(r.location).pathname, '/console/login');
    // the old cookie value is dead even if a copy survived
    r = await fetch(`${srv.url}/console/session`, { headers: { cookie: `qoc_console=${old}` } });
    assert.equal(r.status, 401);
    // and QOC Login asks for the password again
    const again = await b.get(`${srv.url}/console/login`);
    assert.match(again.body, /name="?password/);
  });

  test('attack (issue 13): a cross-site POST /console/logout without a console session and CSRF token does not end the QOC Login session', async () => {
    const { b } = await signIn(srv, ada);
    const sso = cookieOf(b, srv.url + '/', 'qoc_sso');
    assert.ok(sso, 'signed in to QOC Login');
    // the attacker's page posts with the browser's cookies except the Strict console one
    const r = await fetch(`${srv.url}/console/logout`, {
      method: 'POST', redirect: 'manual',
      headers: { cookie: `qoc_sso=${sso}`, 'content-type': 'application/x-www-form-urlencoded' }, body: '',
    });
    assert.equal(r.status, 303);
    assert.equal(new URL(r.headers.get('location'), srv.url).pathname, '/oauth2/logout');
    assert.ok(!(r.headers.getSetCookie?.() ?? []).some((c) => c.startsWith('qoc_sso=')), 'the SSO cookie is not cleared');
    // the rightful user is still signed in to QOC Login: the console signs in without a password
    const again = await b.get(`${srv.url}/console/login`);
    assert.doesNotMatch(again.body, /name="?password/);
  });

  test('a sign-in started on another host name moves to the issuer first', async () => {
    const other = srv.url.replace('127.0.0.1', 'localhost');
    const b = new Browser();
    const r = await b.send('GET', `${other}/console/login?next=/console/team`);
    assert.equal(r.status, 303);
    const to = new URL(r.location);
    assert.equal(to.origin, srv.url);
    assert.equal(to.pathname, '/console/login');
    assert.equal(to.searchParams.get('next'), '/console/team');
  });

  test('the console application is registered, read-only even for an instance admin', async () => {
    const token = pat(dir, root.email);
    const h = { authorization: `Bearer ${token}` };
    let r = await fetch(`${srv.url}/api/v1/applications/${CONSOLE_CLIENT}`, { headers: h });
    assert.equal(r.status, 200);
    const app = await r.json();
    assert.equal(app.type, 'spa');
    assert.deepEqual(app.redirect_uris, [`${srv.url}/console/callback`]);
    r = await fetch(`${srv.url}/api/v1/applications/${CONSOLE_CLIENT}`, {
      method: 'PATCH', headers: { ...h, 'content-type': 'application/json' }, body: JSON.stringify({ status: 'suspended' }),
    });
    assert.equal(r.status, 403);
    r = await fetch(`${srv.url}/api/v1/applications/${CONSOLE_CLIENT}`, { method: 'DELETE', headers: h });
    assert.ok(r.status === 403 || r.status === 404, String(r.status));
    // a regular user does not see it at all
    const adaToken = pat(dir, ada.email);
    r = await fetch(`${srv.url}/api/v1/applications/${CONSOLE_CLIENT}`, { headers: { authorization: `Bearer ${adaToken}` } });
    assert.equal(r.status, 404);
  });
});
