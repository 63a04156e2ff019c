// The platform as a user meets it: the real `qoc` binary on a free loopback port with a
// temporary data directory, driven over HTTP and through its subcommands.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync, writeFileSync, mkdirSync, chmodSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { startServer, runQoc, tempDir, rawRequest, statusOf, freePort, STORE } from './lib/qoc.mjs';

describe('qoc serve', () => {
  let srv;
  before(async () => { srv = await startServer(); });
  after(async () => { await srv.stop(); });

  test('the start-up lines name the console URL and how to make the first administrator', async () => {
    // The server answers /healthz as soon as it listens, and prints these lines just after:
    // on a busy machine they can reach this process a moment after startServer returned.
    for (let i = 0; i < 50 && !/qoc user add --admin/.test(srv.output()); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const out = srv.output();
    assert.match(out, /Console: http:\/\/localhost:\d+\/console\//);
    assert.match(out, /qoc user add --admin/);
  });

  test('GET /healthz answers JSON with a request id', async () => {
    const r = await fetch(`${srv.url}/healthz`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^application\/json/);
    assert.match(r.headers.get('x-request-id') || '', /^[0-9a-f]{16,}$/);
    assert.equal((await r.json()).status, 'ok');
  });

  test('GET /readyz checks the store', async () => {
    const r = await fetch(`${srv.url}/readyz`);
    assert.equal(r.status, 200);
    const body = await r.json();
    assert.equal(body.status, 'ready');
    assert.equal(body.store, STORE);
  });

  test('request ids differ between requests', async () => {
    const a = (await fetch(`${srv.url}/healthz`)).headers.get('x-request-id');
    const b = (await fetch(`${srv.url}/healthz`)).headers.get('x-request-id');
    assert.notEqual(a, b);
  });

  test('unknown path is a 404 problem', async () => {
    const r = await fetch(`${srv.url}/no/such/thing`);
    assert.equal(r.status, 404);
    assert.match(r.headers.get('content-type'), /^application\/problem\+json/);
    assert.equal((await r.json()).status, 404);
  });

  test('wrong method is a 405 with Allow', async () => {
    const r = await fetch(`${srv.url}/healthz`, { method: 'DELETE' });
    assert.equal(r.status, 405);
    assert.match(r.headers.get('allow'), /GET/);
    await r.arrayBuffer();
  });

  test('HEAD carries headers but no body', async () => {
    const raw = await rawRequest(srv.port, 'HEAD /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.equal(statusOf(raw), 200);
    assert.equal(raw.split('\r\n\r\n')[1], '');
  });

  test('an oversized header section is 431', async () => {
    const big = 'a'.repeat(20 * 1024);
    const raw = await rawRequest(srv.port, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${big}\r\nConnection: close\r\n\r\n`);
    assert.equal(statusOf(raw), 431);
  });

  test('an oversized request target is 414', async () => {
    const raw = await rawRequest(srv.port, `GET /healthz?${'q'.repeat(10000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    assert.equal(statusOf(raw), 414);
  });

  test('an oversized body is 413 (declared length)', async () => {
    const raw = await rawRequest(srv.port, `POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${2 * 1024 * 1024}\r\nConnection: close\r\n\r\n{}`);
    assert.equal(statusOf(raw), 413);
  });

  test('an oversized body is 413 (chunked)', async () => {
    const chunk = 'x'.repeat(64 * 1024);
    let body = '';
    for (let i = 0; i < 20; i++) body += `${chunk.length.toString(16)}\r\n${chunk}\r\n`;
    body += '0\r\n\r\n';
    const raw = await rawRequest(srv.port, `POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${body}`);
    assert.equal(statusOf(raw), 413);
  });

  test('the JWKS publishes the first signing keys, one per algorithm', async () => {
    const r = await fetch(`${srv.url}/.well-known/jwks.json`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('cache-control') || '', /max-age=\d+/);
    assert.equal(r.headers.get('access-control-allow-origin'), '*');
    const { keys } = await r.json();
    assert.deepEqual(keys.map((k) => k.alg).sort(), ['ES256', 'EdDSA', 'PS256', 'RS256']);
    const rsa = keys.find((k) => k.alg === 'RS256');
    assert.equal(rsa.use, 'sig');
    assert.ok(rsa.kid && rsa.n && rsa.e);
    for (const k of keys) {
      assert.equal(k.use, 'sig');
      for (const p of ['d', 'p', 'q', 'dp', 'dq', 'qi'])
        assert.equal(k[p], undefined, 'no private part is ever published');
    }
  });

  test('the access log has the path without the query and the request id', async () => {
    const r = await fetch(`${srv.url}/healthz?secret_token=abc123`);
    const id = r.headers.get('x-request-id');
    await r.text();
    await new Promise((res) => setTimeout(res, 200));
    const line = srv.output().split('\n').find((l) => l.includes(`req=${id}`));
    assert.ok(line, `no access log line for ${id}`);
    assert.match(line, /method=GET/);
    assert.match(line, /path=\/healthz( |$)/);
    assert.match(line, /status=200/);
    assert.doesNotMatch(srv.output(), /abc123/);
  });
});

describe('data directory and keys', () => {
  test('first start creates the store, a 0600 master key and a signing key; a restart reuses them', async () => {
    const dir = path.join(tempDir(), 'data');
    const srv = await startServer({ dataDir: dir });
    const first = await (await fetch(`${srv.url}/.well-known/jwks.json`)).json();
    assert.equal((await srv.stop()).code, 0);
    if (STORE === 'sqlite') assert.ok(existsSync(path.join(dir, 'qoc.db')));
    assert.equal(statSync(path.join(dir, 'master.key')).mode & 0o777, 0o600);
    const again = await startServer({ dataDir: dir });
    const second = await (await fetch(`${again.url}/.well-known/jwks.json`)).json();
    assert.deepEqual(second.keys.map((k) => k.kid), first.keys.map((k) => k.kid));
    await again.stop();
    rmSync(path.dirname(dir), { recursive: true, force: true });
  });

  test('qoc keys rotate publishes a new key beside the old one', async () => {
    const dir = tempDir();
    const srv = await startServer({ dataDir: dir });
    try {
      const before = (await (await fetch(`${srv.url}/.well-known/jwks.json`)).json()).keys;
      const r = runQoc(['keys', 'rotate'], { env: { QOC_DATA_DIR: dir, QOC_SIGNING_ALG: 'ES256' } });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /kid/);
      // The server re-reads the key set at most every QOC_SIGNER_REFRESH_S (5) seconds and
      // publishes and signs from the same snapshot (oidc/signer.h): poll a little longer.
      let after = before;
      for (const end = Date.now() + 8000; after.length === before.length && Date.now() < end;) {
        await new Promise((res) => setTimeout(res, 250));
        after = (await (await fetch(`${srv.url}/.well-known/jwks.json`)).json()).keys;
      }
      assert.equal(after.length, before.length + 1);
      const beforeKids = before.map((k) => k.kid);
      const added = after.filter((k) => !beforeKids.includes(k.kid));
      assert.equal(added.length, 1);
      assert.equal(added[0].alg, 'ES256', 'the new key is of QOC_SIGNING_ALG');
      assert.equal(added[0].crv, 'P-256');
      assert.equal(after[after.length - 1].kid, before.find((k) => k.alg === 'ES256').kid,
        'the retired key stays published, after the active ones');
      const kids = after.map((k) => k.kid);
      for (const k of before)
        assert.ok(kids.includes(k.kid), `${k.alg} key ${k.kid} stays published`);
    } finally {
      await srv.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a world-readable master key is refused', () => {
    const dir = tempDir();
    assert.equal(runQoc(['migrate'], { env: { QOC_DATA_DIR: dir } }).status, 0);
    runQoc(['keys', 'rotate'], { env: { QOC_DATA_DIR: dir } });
    chmodSync(path.join(dir, 'master.key'), 0o644);
    const r = runQoc(['keys', 'rotate'], { env: { QOC_DATA_DIR: dir } });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /master\.key/);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('subcommands', () => {
  test('qoc help lists the subcommands', () => {
    const r = runQoc(['help']);
    assert.equal(r.status, 0);
    for (const c of ['serve', 'migrate', 'user add', 'token create', 'keys rotate', 'version'])
      assert.match(r.stdout, new RegExp(c));
  });

  test('qoc version', () => {
    const r = runQoc(['version']);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^qoc \d+\.\d+\.\d+/);
  });

  test('an unknown subcommand is a usage error (exit 2)', () => {
    const r = runQoc(['frobnicate']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /frobnicate/);
  });

  test('qoc migrate is idempotent', () => {
    const dir = tempDir();
    const a = runQoc(['migrate'], { env: { QOC_DATA_DIR: dir } });
    assert.equal(a.status, 0, a.stderr);
    assert.match(a.stdout, /applied [1-9]/);
    const b = runQoc(['migrate'], { env: { QOC_DATA_DIR: dir } });
    assert.equal(b.status, 0, b.stderr);
    assert.match(b.stdout, /applied 0/);
    rmSync(dir, { recursive: true, force: true });
  });

  test('qoc user add creates an account once', () => {
    const dir = tempDir();
    const env = { QOC_DATA_DIR: dir };
    assert.equal(runQoc(['migrate'], { env }).status, 0); // user add never makes a store
    const args = ['user', 'add', '--email', 'Ada@Example.com', '--name', 'Ada Lovelace', '--admin', '--password-stdin'];
    const r = runQoc(args, { env, input: 'correct horse battery staple\n' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /acct_/);
    const dup = runQoc(['user', 'add', '--email', 'ada@example.com', '--name', 'Ada', '--password-stdin'], { env, input: 'another long password\n' });
    assert.equal(dup.status, 1);
    assert.match(dup.stderr, /already/);
    const bad = runQoc(['user', 'add', '--email', 'not-an-email', '--name', 'X', '--password-stdin'], { env, input: 'long enough password\n' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /email/);
    const short = runQoc(['user', 'add', '--email', 'b@example.com', '--name', 'B', '--password-stdin'], { env, input: 'short\n' });
    assert.equal(short.status, 2);
    assert.match(short.stderr, /password/);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('bad configuration stops start-up with exit 2 and names the problem', () => {
  test('a bad value in the environment', () => {
    const r = runQoc(['serve'], { env: { QOC_THREADS: 'many', QOC_DATA_DIR: tempDir() } });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /threads/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  });

  test('an unknown key in the config file', () => {
    const dir = tempDir();
    const file = path.join(dir, 'qoc.conf');
    writeFileSync(file, 'listen = 127.0.0.1:1\nlisen_port = 9\n');
    const r = runQoc(['serve', '--config', file], { env: { QOC_DATA_DIR: dir } });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /lisen_port/);
    assert.match(r.stderr, /qoc\.conf:2/);
  });

  test('an unknown QOC_ variable', () => {
    const r = runQoc(['serve'], { env: { QOC_LISTN: '127.0.0.1:1' } });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /QOC_LISTN/);
  });

  test('a data directory that cannot be written', () => {
    const dir = tempDir();
    const file = path.join(dir, 'not-a-dir');
    writeFileSync(file, 'x');
    const r = runQoc(['serve'], { env: { QOC_DATA_DIR: path.join(file, 'data') } });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /data_dir/);
  });

  test('a port in use', async () => {
    const blocker = net.createServer();
    const port = await freePort();
    await new Promise((res) => blocker.listen(port, '127.0.0.1', res));
    const r = runQoc(['serve'], { env: { QOC_DATA_DIR: tempDir(), QOC_LISTEN: `127.0.0.1:${port}` } });
    blocker.close();
    assert.equal(r.status, 2);
    assert.match(r.stderr, /listen/);
    assert.match(r.stderr, /in use/);
  });
});

describe('graceful stop', () => {
  test('SIGTERM lets an in-flight request finish, then exits 0', async () => {
    const srv = await startServer();
    // Start a request whose body is still on its way, then ask the server to stop.
    const sock = net.connect(srv.port, '127.0.0.1');
    await new Promise((res) => sock.on('connect', res));
    let data = '';
    sock.on('data', (d) => { data += d; });
    const closed = new Promise((res) => sock.on('close', res));
    sock.write('POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{');
    await new Promise((res) => setTimeout(res, 300));
    srv.proc.kill('SIGTERM');
    await new Promise((res) => setTimeout(res, 300));
    // New connections are refused while the old one finishes (a raw socket: fetch would
    // reuse a keep-alive connection from start-up).
    await assert.rejects(new Promise((res, rej) => {
      const s = net.connect(srv.port, '127.0.0.1');
      s.on('connect', () => { s.destroy(); res(); });
      s.on('error', rej);
    }));
    sock.write('}');
    await closed;
    assert.equal(statusOf(data), 405, data);
    const { code } = await srv.exited;
    assert.equal(code, 0, srv.output());
    await srv.stop();
  });

  test('SIGINT exits 0 too', async () => {
    const srv = await startServer();
    assert.equal((await srv.stop('SIGINT')).code, 0);
  });
});
