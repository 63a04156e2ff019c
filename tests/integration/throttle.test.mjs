// Issue 13 §2: throttles that cannot be turned against users (docs/decisions/throttles.md).
// Each test names the attack; for each, the abuse is refused AND the rightful user at
// another address still succeeds. Client addresses vary by loopback source address
// (127.0.0.2, 127.0.0.3, ...: fetchFrom) and, behind QOC_TRUSTED_PROXIES, by
// X-Forwarded-For. Every loop is bounded in count.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { Browser, createAccount, fetchFrom, fixture, freePort, startServer, tempDir } from './lib/qoc.mjs';

const CB = 'https://app.example.com/cb';
const PASSWORD = 'correct horse battery';
const EMAIL = 'owner@example.com';

const basic = (id, secret) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

describe('throttles that cannot be turned against users', () => {
  let dir, srv, env, svc, spa, web;
  const from = (addr) => fetchFrom(addr);
  const post = (addr, path, params, headers = {}) => from(addr)(`${srv.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(params).toString(),
  });
  const cc = (addr, secret, headers = {}) => post(addr, '/oauth2/token', { grant_type: 'client_credentials' },
    { authorization: basic(svc.client_id, secret), ...headers });
  const wrong = `qoc_secret_${'A'.repeat(43)}`;
  const authorizeUrl = (app) => `${srv.url}/oauth2/authorize?${new URLSearchParams({
    response_type: 'code', client_id: app.client_id, redirect_uri: CB, scope: 'openid', state: 's' })}`;
  // A browser at addr (and, through the trusted proxy, X-Forwarded-For xff).
  const browser = (addr, xff) => new Browser({ origins: [srv.url], fetch: from(addr), headers: xff ? { 'x-forwarded-for': xff } : {} });
  const signInPage = async (b) => {
    const page = await b.get(authorizeUrl(web));
    assert.equal(page.status, 200);
    return page;
  };
  const signIn = (b, page, email, password) => b.submitForm(page, 0, { email, password });
  const signedIn = (page) => page.status === 303 || /\/login\/consent/.test(page.url);

  before(async () => {
    dir = tempDir();
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}`;
    env = { QOC_DATA_DIR: dir, QOC_ISSUER: issuer };
    createAccount(dir, { email: EMAIL, name: 'Owner', password: PASSWORD }, { QOC_ISSUER: issuer });
    for (const who of ['victim', 'bob', 'carol', 'dave'])
      createAccount(dir, { email: `${who}@example.com`, name: who, password: PASSWORD }, { QOC_ISSUER: issuer });
    // 100 parallel sign-ins from one address: above the default per-address connection
    // limit (64, tested in http_connections.test.mjs), which would refuse them first.
    srv = await startServer({ dataDir: dir, port, env: { QOC_ISSUER: issuer, QOC_TRUSTED_PROXIES: '127.0.0.1/32',
      QOC_MAX_CONNECTIONS_PER_ADDRESS: '256' } });
    svc = fixture(['app', 'create', '--owner-email', EMAIL, '--name', 'svc', '--type', 'service'], env);
    spa = fixture(['app', 'create', '--owner-email', EMAIL, '--name', 'spa', '--type', 'spa', '--redirect-uri', CB], env);
    web = fixture(['app', 'create', '--owner-email', EMAIL, '--name', 'web', '--type', 'web', '--redirect-uri', CB], env);
  });
  after(async () => {
    await srv?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('attack: wrong secrets for a client from one address lock that address, not the client', async () => {
    let last;
    for (let i = 0; i < 21; i++) last = await cc('127.0.0.2', wrong);
    assert.equal(last.status, 429);
    assert.ok(Number(last.headers.get('retry-after')) >= 1);
    assert.equal((await cc('127.0.0.2', svc.client_secret)).status, 429); // the attacker stays locked
    // The owner, at another address, keeps working: token and introspection.
    const ok = await cc('127.0.0.3', svc.client_secret);
    assert.equal(ok.status, 200);
    const { access_token: token } = await ok.json();
    const intro = await post('127.0.0.3', '/oauth2/introspect', { token }, { authorization: basic(svc.client_id, svc.client_secret) });
    assert.equal(intro.status, 200);
    assert.equal((await intro.json()).active, true);
  });

  test('attack: client_secret sent for a public client never locks that client', async () => {
    let last;
    for (let i = 0; i < 25; i++)
      last = await post('127.0.0.4', '/oauth2/token', { grant_type: 'refresh_token', refresh_token: 'x', client_id: spa.client_id, client_secret: wrong });
    assert.ok([400, 401, 429].includes(last.status));
    // The public client from any other address: its request is judged on its merits.
    const r = await post('127.0.0.5', '/oauth2/token', { grant_type: 'refresh_token', refresh_token: 'bogus', client_id: spa.client_id });
    assert.equal(r.status, 400);
    assert.equal((await r.json()).error, 'invalid_grant');
  });

  test('attack: one client behind the trusted proxy is not everyone (X-Forwarded-For)', async () => {
    const attacker = browser('127.0.0.1', '198.51.100.7');
    const page = await signInPage(attacker);
    let r;
    for (let i = 0; i < 6; i++) r = await signIn(attacker, page, 'bob@example.com', `wrong ${i}`);
    assert.equal(r.status, 429);
    // Another client of the same proxy signs in to the same account.
    const victim = browser('127.0.0.1', '203.0.113.9');
    assert.ok(signedIn(await signIn(victim, await signInPage(victim), 'bob@example.com', PASSWORD)));
    // An untrusted peer cannot pick its address by X-Forwarded-For.
    const forger = browser('127.0.0.6', '192.0.2.1');
    const fp = await signInPage(forger);
    for (let i = 0; i < 5; i++) await signIn(forger, fp, 'carol@example.com', `wrong ${i}`);
    forger.headers = { 'x-forwarded-for': '192.0.2.2' };
    assert.equal((await signIn(forger, fp, 'carol@example.com', PASSWORD)).status, 429);
  });

  test('attack: knowing only the victim\'s email cannot stop the victim signing in from a clean address', async () => {
    for (const addr of ['127.0.0.7', '127.0.0.8']) {
      const b = browser(addr);
      const page = await signInPage(b);
      let r;
      for (let i = 0; i < 6; i++) r = await signIn(b, page, 'victim@example.com', `wrong ${i}`);
      assert.equal(r.status, 429, `${addr} is locked`);
    }
    // 10 failures on the account: an address that already failed for it is locked by the
    // account-wide budget after one failure.
    const third = browser('127.0.0.9');
    const tp = await signInPage(third);
    assert.equal((await signIn(third, tp, 'victim@example.com', 'wrong')).status, 200);
    assert.equal((await signIn(third, tp, 'victim@example.com', 'wrong again')).status, 429);
    // The victim, from an address without failures, signs in.
    const victim = browser('127.0.0.10');
    assert.ok(signedIn(await signIn(victim, await signInPage(victim), 'victim@example.com', PASSWORD)));
  });

  test('attack: 100 parallel wrong passwords for one account get at most 5 verifications', async () => {
    const b = browser('127.0.0.11');
    const page = await signInPage(b);
    const rs = await Promise.all(Array.from({ length: 100 }, (_, i) => signIn(b, page, 'dave@example.com', `wrong ${i}`)));
    const checked = rs.filter((r) => r.status === 200).length;
    const refused = rs.filter((r) => r.status === 429);
    assert.ok(checked >= 1 && checked <= 5, `${checked} verifications`);
    assert.equal(checked + refused.length, 100);
    for (const r of refused) assert.ok(Number(r.headers.get('retry-after')) >= 1);
    // dave, elsewhere, is not locked out.
    const dave = browser('127.0.0.12');
    assert.ok(signedIn(await signIn(dave, await signInPage(dave), 'dave@example.com', PASSWORD)));
  });

  test('attack: a sign-up flood from one address is throttled; another address signs up', async () => {
    const signup = async (b, email) => {
      const page = await signInPage(b);
      const form = await b.get(`${srv.url}/login/signup?handle=${new URL(page.url).searchParams.get('handle')}`);
      return b.submitForm(form, 0, { name: 'N', email, password: PASSWORD });
    };
    const flood = browser('127.0.0.13');
    let r;
    for (let i = 0; i < 11; i++) r = await signup(flood, 'owner@example.com'); // existing: no hash
    assert.equal(r.status, 429);
    assert.ok(Number(r.headers.get('retry-after')) >= 1);
    const other = browser('127.0.0.14');
    const taken = await signup(other, 'owner@example.com');
    assert.equal(taken.status, 400); // today's answer for a taken email
    assert.match(taken.body, /already exists/);
    assert.ok(signedIn(await signup(other, 'newcomer@example.com')));
  });

  test('attack: parallel sign-ups with a taken email hash nothing and sign-ins still run', async () => {
    // Taken emails never take a hashing slot (at most 2 at once): none is refused for it.
    const rs = await Promise.all(Array.from({ length: 8 }, async (_, i) => {
      const b = browser('127.0.0.1', `198.51.100.${100 + i}`);
      const page = await signInPage(b);
      const form = await b.get(`${srv.url}/login/signup?handle=${new URL(page.url).searchParams.get('handle')}`);
      const [s, login] = await Promise.all([
        b.submitForm(form, 0, { name: 'N', email: 'owner@example.com', password: PASSWORD }),
        i === 0 ? (async () => { const u = browser('127.0.0.15'); return signIn(u, await signInPage(u), 'bob@example.com', PASSWORD); })() : null,
      ]);
      return { s, login };
    }));
    for (const { s } of rs) assert.equal(s.status, 400);
    assert.ok(signedIn(rs[0].login));
  });
});
