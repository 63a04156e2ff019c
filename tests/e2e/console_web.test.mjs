// How qoc serve serves the console web app: the security headers (a strict CSP, no inline
// script), caching, gzip, client-side routes, and the page-weight budget of the first load
// (measured in Chromium: every script the signed-in first load of /console/ fetches, at
// its gzip size on the wire).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { gunzipSync } from 'node:zlib';

import { startServer, tempDir, createAccount } from '../integration/lib/qoc.mjs';
import { openBrowser, withScreenshot, signIn } from './lib/console.mjs';

const BUDGET = 300 * 1024; // issue 5: under 300 KiB of compressed JavaScript

// GET with the given headers; resolves { status, headers, body: Buffer } without decoding.
function rawGet(url, headers = {}) {
  return new Promise((resolve, reject) => {
    http.get(url, { headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob:; " +
  "connect-src 'self'; font-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

describe('console web app: serving', () => {
  let srv, dir, account;
  before(async () => {
    dir = tempDir('qoc-e2e-web-');
    account = createAccount(dir, { email: 'weight@example.com', name: 'Wendy', password: 'weight password 1' });
    srv = await startServer({ dataDir: dir, loopbackIssuer: true });
  });
  after(async () => {
    const code = await srv?.stop();
    assert.doesNotMatch(srv.output(), /LeakSanitizer|AddressSanitizer|runtime error:/);
    assert.deepEqual(code, { code: 0, signal: null }, srv.output().slice(-2000));
  });

  test('index.html: strict CSP, no inline script or style, revalidated on every load', async () => {
    for (const p of ['/console/', '/console/applications/qoc_client_abc/credentials', '/console/team']) {
      const r = await rawGet(srv.url + p);
      assert.equal(r.status, 200, p);
      assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
      assert.equal(r.headers['content-security-policy'], CSP);
      assert.equal(r.headers['x-content-type-options'], 'nosniff');
      assert.equal(r.headers['referrer-policy'], 'no-referrer');
      assert.equal(r.headers['x-frame-options'], 'DENY');
      assert.equal(r.headers['cache-control'], 'no-cache');
      const html = r.body.toString('utf8');
      const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
      assert.equal(scripts.length, 1);
      assert.match(scripts[0][1], /type="module" src="\/console\/assets\/app-[A-Z0-9]+\.js"/);
      assert.equal(scripts[0][2].trim(), '', 'no inline script');
      assert.doesNotMatch(html, /<style|\sstyle=|\son[a-z]+=/i, 'no inline style or handler');
      assert.doesNotMatch(html, /https?:\/\//, 'nothing from another origin');
    }
  });

  test('assets: immutable, typed, gzip when accepted (Vary), 404 when missing; /console redirects', async () => {
    const html = (await rawGet(`${srv.url}/console/`)).body.toString('utf8');
    const js = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)[1];
    const css = /href="(\/console\/assets\/[^"]+\.css)"/.exec(html)[1];
    const plain = await rawGet(srv.url + js);
    assert.equal(plain.status, 200);
    assert.equal(plain.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(plain.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.headers.vary, 'Accept-Encoding');
    const gz = await rawGet(srv.url + js, { 'accept-encoding': 'gzip, deflate, br' });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.ok(gz.body.length < plain.body.length / 2);
    assert.deepEqual(gunzipSync(gz.body), plain.body);
    const c = await rawGet(srv.url + css, { 'accept-encoding': 'gzip' });
    assert.equal(c.headers['content-type'], 'text/css; charset=utf-8');
    assert.equal(c.headers['content-encoding'], 'gzip');
    assert.equal((await rawGet(`${srv.url}/console/assets/app-MISSING.js`)).status, 404);
    const root = await rawGet(`${srv.url}/console`);
    assert.equal(root.status, 301);
    assert.equal(root.headers.location, '/console/');
    // The session routes are the lead's literal routes, not the app's index.html.
    assert.equal((await rawGet(`${srv.url}/console/session`)).status, 401);
  });

  test('page weight: the first load fetches under 300 KiB of compressed JavaScript, all from this origin', async () => {
    const b = await openBrowser(srv.url);
    try {
      await withScreenshot(b.page, 'page-weight', async () => {
        await signIn(b.page, srv.url, account);
        // A fresh tab of the signed-in browser: the first load of the console itself.
        const page = await b.context.newPage();
        const scripts = new Set();
        const origins = new Set();
        page.on('request', (r) => {
          origins.add(new URL(r.url()).origin);
          if (r.resourceType() === 'script') scripts.add(r.url());
        });
        await page.goto(`${srv.url}/console/`, { waitUntil: 'networkidle' });
        await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
        assert.deepEqual([...origins], [srv.url], 'no request leaves the machine');
        assert.ok(scripts.size >= 1);
        let total = 0;
        for (const u of scripts) {
          const r = await rawGet(u, { 'accept-encoding': 'gzip' });
          assert.equal(r.status, 200);
          assert.equal(r.headers['content-encoding'], 'gzip', u);
          total += r.body.length;
        }
        console.log(`console first load: ${scripts.size} script(s), ${(total / 1024).toFixed(1)} KiB gzip`);
        assert.ok(total < BUDGET, `${total} bytes of compressed JavaScript (budget ${BUDGET})`);
        assert.deepEqual(b.problems, []);
      });
    } finally {
      await b.close();
    }
  });
});
