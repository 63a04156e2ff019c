// The full OpenID Connect flows, end to end, driven by `openid-client` v6 (a certified
// relying party nobody here wrote) through the REAL QOC Login pages: no fixture codes.
// Discovery -> buildAuthorizationUrl (PKCE S256, state, nonce) -> the cookie-jar Browser
// (lib/browser.mjs) GETs it, fills the sign-in form (email, password) and the consent form
// (decision=allow) -> the 303 to the redirect URI -> authorizationCodeGrant (validates the
// ID token against the JWKS) -> userinfo -> refresh rotation and reuse detection -> RP-
// initiated logout. Plus: SSO for a second application, a public SPA client with CORS,
// ES256 / EdDSA ID tokens, RFC 9068 JWT access tokens. "SECURITY.md" is
// /work/shared/SECURITY.md; each test names the clause or RFC section it checks.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import { createRemoteJWKSet, jwtVerify, decodeProtectedHeader } from 'jose';
import { Browser, createAccount, fixture, startServer } from './lib/qoc.mjs';

const CB = 'https://app.example.com/cb';
const BYE = 'https://app.example.com/bye';
const SPA_ORIGIN = 'https://spa.example.com';
const SPA_CB = 'https://spa.example.com/cb';
const EMAIL = 'ada@example.com';
const PASSWORD = 'correct horse battery';

describe('OpenID Connect flows through the login pages (openid-client v6)', () => {
  let srv;
  let env;
  let ada;
  let issuer;

  const mkApp = (name, type, ...extra) => fixture(['app', 'create', '--owner-email', EMAIL, '--name', name,
    '--type', type, ...extra], env);
  const rpConfig = (app, metadata = {}, auth) => client.discovery(new URL(issuer), app.client_id,
    { ...(app.client_secret ? { client_secret: app.client_secret } : {}), ...metadata }, auth,
    { execute: [client.allowInsecureRequests] });
  const newBrowser = () => new Browser({ origins: [srv.url] });
  const pathOf = (page) => new URL(page.url).pathname;

  // Runs one authorization in browser b for config: returns { location, signedIn, consented,
  // verifier, state, nonce }. `password` false: expects the SSO session to skip sign-in.
  async function authorize(b, config, { redirectUri = CB, scope = 'openid profile email offline_access' } = {}) {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri, scope, state, nonce,
      code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    let page = await b.get(url.href);
    let signedIn = false;
    let consented = false;
    if (page.status === 200 && pathOf(page) === '/login') {
      page = await b.submitForm(page, 0, { email: EMAIL, password: PASSWORD });
      signedIn = true;
    }
    if (page.status === 200 && pathOf(page) === '/login/consent') {
      page = await b.submitForm(page, 0, {}, { submitter: { name: 'decision', value: 'allow' } });
      consented = true;
    }
    // SECURITY.md "Redirects after a credential POST use 303, never 307/308"
    assert.equal(page.status, 303, `expected the 303 to the client, got ${page.status} at ${page.url}: ${page.body.slice(0, 300)}`);
    assert.ok(page.location.startsWith(`${redirectUri}?`), page.location);
    return { location: page.location, signedIn, consented, verifier, state, nonce };
  }
  const exchange = (config, a) => client.authorizationCodeGrant(config, new URL(a.location),
    { pkceCodeVerifier: a.verifier, expectedState: a.state, expectedNonce: a.nonce, idTokenExpected: true });

  before(async () => {
    srv = await startServer({ loopbackIssuer: true });
    issuer = srv.url;
    env = { QOC_DATA_DIR: srv.dataDir };
    ada = createAccount(srv.dataDir, { email: EMAIL, name: 'Ada Lovelace', password: PASSWORD });
  });
  after(async () => {
    const { code } = await srv.stop();
    // the check build runs under ASan/UBSan: a report or a leak would show here
    assert.doesNotMatch(srv.output(), /AddressSanitizer|LeakSanitizer|runtime error/);
    assert.equal(code, 0);
  });

  test('code + PKCE through sign-in and consent, ID token vs JWKS, userinfo, refresh rotation and reuse, end session (RFC 6749 §4.1, RFC 7636, OIDC Core §3.1, SECURITY.md "Refresh tokens rotate", RP-Initiated Logout §2-§3)', async () => {
    const web = mkApp('Web App', 'web', '--redirect-uri', CB, '--logout-uri', BYE);
    const config = await rpConfig(web);
    // discovery (RFC 8414 / OIDC Discovery): what the client relies on is advertised
    const md = config.serverMetadata();
    assert.equal(md.issuer, issuer);
    assert.deepEqual(md.code_challenge_methods_supported, ['S256']);
    assert.equal(md.authorization_response_iss_parameter_supported, true);
    assert.ok(md.end_session_endpoint);

    const b = newBrowser();
    const a = await authorize(b, config);
    assert.ok(a.signedIn, 'a fresh browser signs in with the password');
    assert.ok(a.consented, 'a third-party app asks for consent');
    const cb = new URL(a.location);
    assert.equal(cb.searchParams.get('iss'), issuer); // RFC 9207 (openid-client checks it too)
    assert.equal(cb.searchParams.get('state'), a.state); // SECURITY.md "state comes back byte-exact"

    const tokens = await exchange(config, a);
    assert.match(tokens.access_token, /^qoc_at_/);
    assert.match(tokens.refresh_token, /^qoc_rt_/);
    // validated by openid-client against the JWKS: signature, iss, aud, exp, nonce, at_hash
    const claims = tokens.claims();
    assert.equal(claims.sub, ada.id);
    assert.equal(claims.nonce, a.nonce);
    assert.equal(typeof claims.auth_time, 'number'); // SECURITY.md "ID tokens: ... auth_time"
    assert.equal(typeof claims.at_hash, 'string'); // SECURITY.md "... at_hash where due"
    assert.ok(claims.sid);
    const kid = decodeProtectedHeader(tokens.id_token).kid; // SECURITY.md "a kid that resolves in the JWKS"
    const jwks = await (await fetch(`${srv.url}/.well-known/jwks.json`)).json();
    assert.ok(jwks.keys.some((k) => k.kid === kid));

    // UserInfo (OIDC Core §5.3), claims by scope
    const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
    assert.equal(info.sub, ada.id);
    assert.equal(info.email, EMAIL);
    assert.equal(info.name, 'Ada Lovelace');

    // Refresh with rotation (SECURITY.md "Refresh tokens rotate"; RFC 9700 §4.14.2)
    const fresh = await client.refreshTokenGrant(config, tokens.refresh_token);
    assert.match(fresh.refresh_token, /^qoc_rt_/);
    assert.notEqual(fresh.refresh_token, tokens.refresh_token);
    assert.notEqual(fresh.access_token, tokens.access_token);
    assert.equal((await client.tokenIntrospection(config, fresh.access_token)).active, true);
    // reuse of the old one: invalid_grant, and the whole family is revoked
    await assert.rejects(client.refreshTokenGrant(config, tokens.refresh_token),
      (e) => { assert.equal(e.error, 'invalid_grant'); return true; });
    assert.equal((await client.tokenIntrospection(config, fresh.access_token)).active, false);
    assert.equal((await client.tokenIntrospection(config, fresh.refresh_token)).active, false);
    assert.equal((await client.tokenIntrospection(config, tokens.access_token)).active, false);

    // RP-initiated logout with the real ID token as hint and a registered URI
    // (SECURITY.md "Logout redirects only to a registered post-logout URI, and only with a
    // valid id_token_hint"; RP-Initiated Logout §3: state comes back)
    const endUrl = client.buildEndSessionUrl(config,
      { id_token_hint: tokens.id_token, post_logout_redirect_uri: BYE, state: 'bye-state' });
    const out = await b.get(endUrl.href);
    assert.equal(out.status, 303);
    const u = new URL(out.location);
    assert.equal(`${u.origin}${u.pathname}`, BYE);
    assert.equal(u.searchParams.get('state'), 'bye-state');
    // the SSO session is gone: the next authorization asks for the password again
    const again = await authorize(b, config);
    assert.ok(again.signedIn, 'after logout the password is asked again');
    assert.equal((await exchange(config, again)).claims().sub, ada.id);
  });

  test('SSO: a second application is authorised with the existing session, no password (issue 3 "SSO session cookie")', async () => {
    const first = mkApp('First App', 'web', '--redirect-uri', CB);
    const second = mkApp('Second App', 'web', '--redirect-uri', CB);
    const b = newBrowser();
    const c1 = await rpConfig(first);
    const a1 = await authorize(b, c1);
    assert.ok(a1.signedIn);
    const t1 = await exchange(c1, a1);
    const c2 = await rpConfig(second);
    const a2 = await authorize(b, c2);
    assert.equal(a2.signedIn, false, 'the SSO session skips the password');
    assert.ok(a2.consented, 'consent is per application');
    const t2 = await exchange(c2, a2);
    assert.equal(t2.claims().sub, ada.id);
    assert.equal(t2.claims().aud, second.client_id);
    assert.equal(t2.claims().sid, t1.claims().sid); // one SSO session
    assert.equal(t2.claims().auth_time, t1.claims().auth_time); // no new authentication
    // RFC 7009 §2.1: revoking the refresh token of a grant revokes its access tokens too;
    // the other application's grant is untouched (SECURITY.md "a client ... revokes only its own")
    await client.tokenRevocation(c1, t1.refresh_token);
    assert.equal((await client.tokenIntrospection(c1, t1.access_token)).active, false);
    assert.equal((await client.tokenIntrospection(c2, t2.access_token)).active, true);
  });

  test('public SPA client: PKCE with client.None(), CORS preflight and the token call from its registered origin (SECURITY.md "Public clients must use PKCE", "CORS only ... for the exact origins")', async () => {
    const spa = mkApp('SPA', 'spa', '--redirect-uri', SPA_CB, '--origin', SPA_ORIGIN);
    assert.equal(spa.client_secret, null);
    // preflight: the registered origin is allowed, another is not
    const preflight = (origin) => fetch(`${srv.url}/oauth2/token`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    let r = await preflight(SPA_ORIGIN);
    assert.ok(r.status === 200 || r.status === 204, `preflight status ${r.status}`);
    assert.equal(r.headers.get('access-control-allow-origin'), SPA_ORIGIN);
    assert.match(r.headers.get('access-control-allow-methods') || '', /POST/);
    r = await preflight('https://evil.example.com');
    assert.equal(r.headers.get('access-control-allow-origin'), null);

    const config = await rpConfig(spa, {}, client.None());
    // the token call carries the browser's Origin; capture what the server answered
    const seen = [];
    config[client.customFetch] = async (url, options) => {
      const headers = new Headers(options.headers);
      headers.set('origin', SPA_ORIGIN);
      const resp = await fetch(url, { ...options, headers });
      seen.push({ url: String(url), acao: resp.headers.get('access-control-allow-origin') });
      return resp;
    };
    const b = newBrowser();
    const a = await authorize(b, config, { redirectUri: SPA_CB, scope: 'openid email' });
    const tokens = await exchange(config, a);
    assert.equal(tokens.claims().sub, ada.id);
    assert.equal(tokens.claims().aud, spa.client_id);
    const tokenCall = seen.find((s) => s.url.endsWith('/oauth2/token'));
    assert.equal(tokenCall.acao, SPA_ORIGIN);

    // without a verifier a public client's code is refused (SECURITY.md "PKCE ... downgrade")
    const plain = client.buildAuthorizationUrl(config, { redirect_uri: SPA_CB, scope: 'openid', state: 's', nonce: 'n' });
    const page = await b.get(plain.href);
    assert.equal(page.status, 303);
    assert.equal(new URL(page.location).searchParams.get('error'), 'invalid_request');
  });

  for (const alg of ['ES256', 'EdDSA']) {
    test(`${alg} ID tokens for an app with --id-token-alg ${alg}, validated by openid-client (SECURITY.md "ID tokens"; OIDC Core §3.1.3.7)`, async () => {
      const app = mkApp(`${alg} App`, 'web', '--redirect-uri', CB, '--id-token-alg', alg);
      const config = await rpConfig(app, { id_token_signed_response_alg: alg });
      const a = await authorize(newBrowser(), config);
      const tokens = await exchange(config, a);
      const header = decodeProtectedHeader(tokens.id_token);
      assert.equal(header.alg, alg);
      assert.equal(tokens.claims().sub, ada.id);
      assert.equal(tokens.claims().nonce, a.nonce);
      assert.equal(typeof tokens.claims().at_hash, 'string');
      const info = await client.fetchUserInfo(config, tokens.access_token, ada.id);
      assert.equal(info.email, EMAIL);
    });
  }

  test('token_format jwt: the code flow gives an RFC 9068 at+jwt access token that verifies against the JWKS (RFC 9068 §2, §4)', async () => {
    const app = mkApp('JWT App', 'web', '--redirect-uri', CB, '--token-format', 'jwt');
    const config = await rpConfig(app);
    const a = await authorize(newBrowser(), config, { scope: 'openid email' });
    const tokens = await exchange(config, a);
    const jwks = createRemoteJWKSet(new URL(`${srv.url}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(tokens.access_token, jwks, { issuer, typ: 'at+jwt' });
    assert.equal(protectedHeader.typ, 'at+jwt');
    assert.equal(payload.sub, ada.id);
    assert.equal(payload.client_id, app.client_id);
    assert.ok(payload.jti);
    assert.ok(payload.exp > payload.iat);
    assert.match(payload.scope, /\bemail\b/);
    // openid-client checked the ID token's at_hash against this very JWT
    assert.equal(tokens.claims().sub, ada.id);
    const info = await client.fetchUserInfo(config, tokens.access_token, ada.id);
    assert.equal(info.email, EMAIL);
  });
});
