// HTTP framing (issue 13 §1) on raw sockets against the real binary: RFC 9112 §6.1 / §6.3
// (Content-Length and Transfer-Encoding must frame a request one way only, or a proxy in
// front and QOC split the bytes differently: request smuggling), RFC 9110 §5.5 (no NUL, CR
// or LF inside a field value) and the 431 for a head of many small fields.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startServer, rawRequest, statusOf, createAccount, runQoc, tempDir } from './lib/qoc.mjs';

// A complete second request hidden where the first one's body would be.
const SMUGGLED = 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';
const responses = (raw) => (raw.match(/HTTP\/1\.1 \d{3} /g) || []).length;

describe('HTTP framing', () => {
  let srv, dir, pat;
  before(async () => {
    dir = tempDir();
    createAccount(dir, { email: 'framing@example.com' });
    const r = runQoc(['token', 'create', '--email', 'framing@example.com'], { env: { QOC_DATA_DIR: dir } });
    assert.equal(r.status, 0, r.stderr);
    pat = r.stdout.trim();
    srv = await startServer({ dataDir: dir });
  });
  after(async () => { await srv.stop(); });

  // Each refusal must come at once and close the connection: rawRequest resolves on close,
  // long before its 5 s fallback.
  async function refused(bytes, status) {
    const t0 = Date.now();
    const raw = await rawRequest(srv.port, bytes, { untilMs: 5000 });
    assert.ok(Date.now() - t0 < 4000, `answered and closed at once (${Date.now() - t0} ms)`);
    assert.equal(statusOf(raw), status, raw);
    assert.ok(!/HTTP\/1\.1 200/.test(raw), `the smuggled request was not answered:\n${raw}`);
    return raw;
  }

  test('baseline: the same bytes with one Content-Length are two requests on one connection', async () => {
    const raw = await rawRequest(srv.port, `POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n${SMUGGLED}`);
    assert.equal(responses(raw), 2, raw); // what a proxy that read the second length would never forward
  });

  test('attack: smuggling with two different Content-Length fields is 400 and closes (RFC 9112 §6.3)', async () => {
    const raw = await refused(`POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: ${SMUGGLED.length}\r\n\r\n${SMUGGLED}`, 400);
    assert.equal(responses(raw), 1, raw);
    assert.match(raw, /X-Request-Id: [0-9a-f]{16}/i);
  });

  test('attack: smuggling with a Content-Length list of different members is 400 and closes (RFC 9110 §8.6)', async () => {
    // libmicrohttpd refuses this one itself (its HTML 400) before QOC sees the request.
    await refused(`POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0, ${SMUGGLED.length}\r\n\r\n${SMUGGLED}`, 400);
  });

  test('attack: smuggling with Content-Length and Transfer-Encoding is 400 and closes (RFC 9112 §6.1)', async () => {
    const raw = await refused(`POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${SMUGGLED}`, 400);
    assert.equal(responses(raw), 1, raw);
    // Either order of the two fields.
    await refused(`POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n${SMUGGLED}`, 400);
  });

  test('two equal Content-Length fields are one length (RFC 9110 §8.6) and keep working', async () => {
    const raw = await rawRequest(srv.port, `POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    assert.equal(statusOf(raw), 405, raw);
  });

  test('Transfer-Encoding whose final coding is not chunked is 400 at once (RFC 9112 §6.3)', async () => {
    await refused('POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\nabc', 400);
    await refused('POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\nabc', 400);
    await refused('POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\nabc', 400);
  });

  test('a transfer coding besides chunked is 501 at once (RFC 9112 §6.1)', async () => {
    await refused(`POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n${SMUGGLED}`, 501);
  });

  test('Transfer-Encoding in an HTTP/1.0 request is 400 (RFC 9112 §6.1)', async () => {
    await refused(`POST /healthz HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${SMUGGLED}`, 400);
  });

  test('a chunked body alone still works', async () => {
    const raw = await rawRequest(srv.port, 'POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n2\r\n{}\r\n0\r\n\r\n');
    assert.equal(statusOf(raw), 405, raw);
  });

  test('attack: a real PAT followed by NUL and junk does not authenticate (RFC 9110 §5.5)', async () => {
    const ok = await rawRequest(srv.port, `GET /api/v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${pat}\r\nConnection: close\r\n\r\n`);
    assert.equal(statusOf(ok), 200, ok); // the token itself is good
    const raw = await refused(`GET /api/v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${pat}\0junk\r\nConnection: close\r\n\r\n`, 400);
    assert.ok(!raw.includes('framing@example.com'), raw);
    // ... also as the last field, and with a NUL right at the value's start.
    await refused(`GET /api/v1/me HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer ${pat}\0\0junk\r\n\r\n`, 400);
    await refused(`GET /api/v1/me HTTP/1.1\r\nHost: x\r\nX-A: \0${pat}\r\nAuthorization: Bearer ${pat}\r\n\r\n`, 400);
  });

  test('a CR or a bare LF inside a field value is 400 (RFC 9110 §5.5, RFC 9112 §2.2)', async () => {
    await refused('GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\nConnection: close\r\n\r\n', 400);
    await refused('GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\nX-B: b\r\nConnection: close\r\n\r\n', 400);
    // obs-fold (RFC 9112 §5.2) is refused too.
    await refused('GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\nConnection: close\r\n\r\n', 400);
  });

  test('many small Cookie fields over max_header_bytes get our 431, never a silent close', async () => {
    // 16 KiB counted with libmicrohttpd's bookkeeping per field (docs/http.md): from about
    // 210 small fields on. On main 300 of them were a 200, and a few hundred more were
    // closed without any answer.
    for (let n = 220; n <= 480; n += 20) {
      const cookies = Array.from({ length: n }, (_, i) => `Cookie: c${i}=v\r\n`).join('');
      const raw = await rawRequest(srv.port, `GET /healthz HTTP/1.1\r\nHost: x\r\n${cookies}Connection: close\r\n\r\n`);
      assert.equal(statusOf(raw), 431, `${n} Cookie fields: ${raw.slice(0, 200)}`);
      assert.match(raw, /X-Request-Id: [0-9a-f]{16}/i);
    }
    // The rightful user with a few cookies still gets in.
    const raw = await rawRequest(srv.port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nCookie: a=1\r\nCookie: b=2\r\nConnection: close\r\n\r\n');
    assert.equal(statusOf(raw), 200, raw);
  });
});
