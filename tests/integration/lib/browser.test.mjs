// The form-driving browser of browser.mjs against static HTML and a fake fetch: no server.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Browser, CookieJar, decodeEntities, parseForms, formRequest, parseSetCookie } from './browser.mjs';

const LOGIN = `<!doctype html>
<html><head><title>Sign in &amp; go</title>
<script>var s = "<form action='/evil'>"; if (a > b) {}</script>
<style>form > input { color: red }</style></head>
<body>
<!-- <form action="/commented-out" method="post"><input name="x"></form> -->
<form method="POST" action="/login?flow=a&amp;b=1" id="signin">
  <input type="hidden" name="csrf" value="tok&quot;en&#39;&#x2F;">
  <input type=hidden name=flow value=abc123>
  <input type="email" name="email" autocomplete="username">
  <input type="password" name="password">
  <input type="text" name="note" value="a > b" disabled>
  <input type="checkbox" name="remember" checked>
  <input type="checkbox" name="newsletter" value="yes">
  <button type="submit">Sign in</button>
</form>
<form action='https://other.example/search' id="search"><input name="q" value='x "y"'></form>
</body></html>`;

const CONSENT = `<form method="post" action="consent">
  <input type="hidden" name="handle" value="h1">
  <p>Allow <b>App</b> to see your email?</p>
  <button type="submit" name="decision" value="allow">Allow</button>
  <button type="submit" name="decision" value="deny">Deny</button>
</form>`;

describe('parseForms', () => {
  test('finds only real forms: not in comments, scripts or styles', () => {
    const forms = parseForms(LOGIN);
    assert.equal(forms.length, 2);
    assert.equal(forms[0].id, 'signin');
    assert.equal(forms[1].id, 'search');
  });

  test('reads action (entities decoded), method and controls', () => {
    const [f] = parseForms(LOGIN);
    assert.equal(f.action, '/login?flow=a&b=1');
    assert.equal(f.method, 'post');
    const csrf = f.controls.find((c) => c.name === 'csrf');
    assert.equal(csrf.type, 'hidden');
    assert.equal(csrf.value, `tok"en'/`);
    assert.equal(f.controls.find((c) => c.name === 'flow').value, 'abc123'); // unquoted
    assert.equal(f.controls.find((c) => c.name === 'note').value, 'a > b'); // ">" in quotes
    assert.equal(parseForms(LOGIN)[1].controls[0].value, 'x "y"');
  });

  test('method defaults to get; unknown methods are get', () => {
    assert.equal(parseForms('<form><input name=a></form>')[0].method, 'get');
    assert.equal(parseForms('<form method=PUT><input name=a></form>')[0].method, 'get');
    assert.equal(parseForms('<form><input name=a></form>')[0].action, null);
  });

  test('textarea, select and option values', () => {
    const [f] = parseForms(`<form>
      <textarea name="t">
line &lt;1&gt;</textarea>
      <select name="s1"><option value="a">A</option><option value="b" selected>B</option></select>
      <select name="s2"><option>First &amp; only</option></select>
      <select name="s3"></select>
    </form>`);
    const byName = Object.fromEntries(f.controls.map((c) => [c.name, c.value]));
    assert.equal(byName.t, 'line <1>');
    assert.equal(byName.s1, 'b');
    assert.equal(byName.s2, 'First & only');
    assert.equal(byName.s3, null);
  });

  test('attribute names are case-insensitive, the first duplicate wins', () => {
    const [f] = parseForms('<FORM ACTION="/a" Method="post"><INPUT NAME="x" name="y" VALUE=1></FORM>');
    assert.equal(f.action, '/a');
    assert.equal(f.method, 'post');
    assert.equal(f.controls[0].name, 'x');
  });

  test('entities', () => {
    assert.equal(decodeEntities('&lt;&gt;&amp;&quot;&#39;&#x41;&#66;&unknown;&#0;'), `<>&"'AB&unknown;\ufffd`);
  });
});

describe('formRequest', () => {
  const base = 'http://127.0.0.1:8080/authorize?client_id=x';

  test('POST with hidden inputs, typed fields and checked boxes, relative action', () => {
    const r = formRequest(LOGIN, '#signin', { email: 'ada@example.com', password: 'p@ss w&rd' }, { base });
    assert.equal(r.method, 'POST');
    assert.equal(r.url, 'http://127.0.0.1:8080/login?flow=a&b=1');
    assert.equal(r.contentType, 'application/x-www-form-urlencoded');
    const p = new URLSearchParams(r.body);
    assert.deepEqual([...p.keys()], ['csrf', 'flow', 'remember', 'email', 'password']);
    assert.equal(p.get('csrf'), `tok"en'/`);
    assert.equal(p.get('remember'), 'on');
    assert.equal(p.get('password'), 'p@ss w&rd');
    assert.equal(p.has('note'), false); // disabled
    assert.equal(p.has('newsletter'), false); // unchecked
  });

  test('fields replace, remove and repeat entries', () => {
    const r = formRequest(LOGIN, 0, { csrf: null, flow: 'zzz', scope: ['a', 'b'] }, { base });
    const p = new URLSearchParams(r.body);
    assert.equal(p.has('csrf'), false);
    assert.equal(p.get('flow'), 'zzz');
    assert.deepEqual(p.getAll('scope'), ['a', 'b']);
  });

  test('GET replaces the action query; absolute action ignores base', () => {
    const r = formRequest(LOGIN, '#search', { q: 'a b' }, { base });
    assert.equal(r.method, 'GET');
    assert.equal(r.url, 'https://other.example/search?q=a+b');
    assert.equal(r.body, undefined);
  });

  test('submit buttons: only the one used is sent', () => {
    const none = new URLSearchParams(formRequest(CONSENT, 0, {}, { base }).body);
    assert.equal(none.has('decision'), false);
    const allow = formRequest(CONSENT, 0, {}, { base, submitter: 'allow' });
    assert.equal(allow.url, 'http://127.0.0.1:8080/consent');
    assert.deepEqual([...new URLSearchParams(allow.body)], [['handle', 'h1'], ['decision', 'allow']]);
    const deny = formRequest(CONSENT, 0, {}, { base, submitter: { name: 'decision', value: 'deny' } });
    assert.equal(new URLSearchParams(deny.body).get('decision'), 'deny');
    assert.throws(() => formRequest(CONSENT, 0, {}, { base, submitter: 'maybe' }), /no submit button/);
  });

  test('selectors and their failures', () => {
    assert.equal(formRequest(LOGIN, '[id=search]', {}, { base }).method, 'GET');
    assert.equal(formRequest(LOGIN, 'form[method="POST"]', {}, { base }).method, 'POST');
    assert.equal(formRequest(LOGIN, (f) => f.method === 'get', {}, { base }).method, 'GET');
    assert.throws(() => formRequest(LOGIN, '#nope', {}, { base }), /no form matches/);
    assert.throws(() => formRequest(LOGIN, 5, {}, { base }), /no form matches/);
    assert.throws(() => formRequest('<p>no form</p>', 0, {}, { base }), /page has 0/);
    assert.throws(() => formRequest(LOGIN, 0, {}), /needs the page URL/);
  });

  test('no action submits to the page itself; <base href> is honoured', () => {
    assert.equal(formRequest('<form method=post><input name=a value=1></form>', 0, {}, { base }).url,
      'http://127.0.0.1:8080/authorize?client_id=x');
    assert.equal(formRequest('<base href="/app/"><form method=post action="go"></form>', 0, {}, { base }).url,
      'http://127.0.0.1:8080/app/go');
  });

  test('multipart forms are refused rather than sent wrong', () => {
    assert.throws(() => formRequest('<form method=post enctype="multipart/form-data"></form>', 0, {}, { base }), /not supported/);
  });
});

describe('cookies', () => {
  const url = 'http://127.0.0.1:8080/login/form';

  test('Set-Cookie attributes', () => {
    const c = parseSetCookie('sid=abc; Path=/; HttpOnly; SameSite=Lax; Max-Age=60', url, 1000);
    assert.deepEqual([c.name, c.value, c.path, c.httpOnly, c.sameSite, c.expires, c.hostOnly],
      ['sid', 'abc', '/', true, 'lax', 61000, true]);
    assert.equal(parseSetCookie('a=1', url).path, '/login'); // default path
    assert.equal(parseSetCookie('a=1; Domain=evil.example', url), null);
    assert.equal(parseSetCookie('novalue', url), null);
  });

  test('jar: path matching, replacement, deletion, host-only', () => {
    const jar = new CookieJar();
    jar.store(['a=1; Path=/', 'b=2; Path=/login', 'c=3; Path=/log'], url);
    assert.equal(jar.header('http://127.0.0.1:8080/login/x'), 'b=2; a=1');
    assert.equal(jar.header('http://127.0.0.1:8080/logout'), 'a=1');
    assert.equal(jar.header('http://localhost:8080/'), null); // another host
    jar.store(['a=9; Path=/'], url);
    assert.equal(jar.header('http://127.0.0.1:8080/'), 'a=9');
    jar.store(['a=; Path=/; Max-Age=0'], url);
    assert.equal(jar.header('http://127.0.0.1:8080/'), null);
    jar.store(['e=1; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT'], url);
    assert.equal(jar.get('e'), null);
  });

  test('secure cookies go to https and loopback only', () => {
    const jar = new CookieJar();
    jar.store(['s=1; Path=/; Secure'], 'https://idp.example/');
    assert.equal(jar.header('http://idp.example/'), null);
    assert.equal(jar.header('https://idp.example/'), 's=1');
  });
});

// A fake server: a map from "METHOD path" to a function giving a Response. Records requests.
function fakeFetch(routes) {
  const calls = [];
  const fn = async (url, init) => {
    const u = new URL(url);
    const headers = new Headers(init.headers);
    calls.push({ method: init.method, url, cookie: headers.get('cookie'), body: init.body, contentType: headers.get('content-type'), redirect: init.redirect });
    const h = routes[`${init.method} ${u.pathname}`];
    if (!h) return new Response('not found', { status: 404 });
    return h(u, init);
  };
  fn.calls = calls;
  return fn;
}

describe('Browser', () => {
  const origin = 'http://127.0.0.1:9999';
  const page = (html, headers = []) => new Response(html, { status: 200, headers: [['content-type', 'text/html'], ...headers] });
  const redirect = (status, location, headers = []) => new Response(null, { status, headers: [['location', location], ...headers] });

  test('sign in, consent and the redirect to the client: cookies kept, 303 becomes GET, off-origin stops', async () => {
    const fetch = fakeFetch({
      'GET /authorize': () => redirect(302, '/login?flow=f1', [['set-cookie', 'pre=1; Path=/; HttpOnly']]),
      'GET /login': () => page(LOGIN.replace('/login?flow=a&amp;b=1', '/login')),
      'POST /login': () => redirect(303, '/consent', [['set-cookie', 'sid=s1; Path=/; HttpOnly; SameSite=Lax']]),
      'GET /consent': () => page(CONSENT),
      'POST /consent': () => redirect(303, 'https://app.example/cb?code=c1&state=xyz&iss=x'),
    });
    const b = new Browser({ fetch });
    const login = await b.get(`${origin}/authorize?client_id=x`);
    assert.equal(login.status, 200);
    assert.equal(login.url, `${origin}/login?flow=f1`);
    assert.deepEqual(login.redirects.map((r) => r.status), [302]);
    assert.equal(fetch.calls[0].redirect, 'manual');
    assert.equal(fetch.calls[1].cookie, 'pre=1');

    const consent = await b.submitForm(login, '#signin', { email: 'ada@example.com', password: 'pw' });
    assert.equal(consent.status, 200);
    const post = fetch.calls[2];
    assert.equal(post.method, 'POST');
    assert.equal(post.contentType, 'application/x-www-form-urlencoded');
    assert.equal(new URLSearchParams(post.body).get('email'), 'ada@example.com');
    assert.equal(fetch.calls[3].method, 'GET'); // 303 after POST
    assert.equal(fetch.calls[3].body, undefined);
    assert.equal(fetch.calls[3].cookie, 'pre=1; sid=s1');

    const done = await b.submitForm(consent, 0, {}, { submitter: 'allow' });
    assert.equal(done.status, 303); // not followed: another origin
    const cb = new URL(done.location);
    assert.equal(cb.origin, 'https://app.example');
    assert.equal(cb.searchParams.get('code'), 'c1');
    assert.equal(fetch.calls.length, 5);
    assert.equal(new URLSearchParams(fetch.calls[4].body).get('decision'), 'allow');
  });

  test('307 repeats the method and body; loops are cut off', async () => {
    const fetch = fakeFetch({
      'POST /a': () => redirect(307, '/b'),
      'POST /b': () => page('ok'),
      'GET /loop': () => redirect(302, '/loop'),
    });
    const b = new Browser({ fetch, maxRedirects: 3 });
    const r = await b.post(`${origin}/a`, { x: '1' });
    assert.equal(r.body, 'ok');
    assert.equal(fetch.calls[1].method, 'POST');
    assert.equal(fetch.calls[1].body, 'x=1');
    await assert.rejects(b.get(`${origin}/loop`), /more than 3 redirects/);
  });

  test('origins option allows following to other origins', async () => {
    const fetch = fakeFetch({
      'GET /go': () => redirect(302, 'http://localhost:9999/there'),
      'GET /there': () => page('there'),
    });
    const b = new Browser({ fetch, origins: [origin, 'http://localhost:9999'] });
    assert.equal((await b.get(`${origin}/go`)).body, 'there');
  });
});
