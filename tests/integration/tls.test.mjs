// Issue 20 "HTTPS": `listen` serves HTTPS when tls_cert and tls_key are set (libmicrohttpd's
// TLS, GnuTLS). A throwaway CA and two server certificates are made here with the openssl
// CLI; curl and openid-client (v6) talk to the server trusting only that CA. TLS 1.1 and
// CBC cipher suites are refused, plain HTTP on the TLS port gets no answer, and SIGHUP
// reloads the certificate without dropping connections: an open keep-alive connection goes
// on working, a new one sees the new certificate, a broken new file keeps the old one.
// Config errors name the key (docs/configuration.md, docs/decisions/tls.md).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import * as client from 'openid-client';

import { BIN, STORE, createAccount, fixture, freePort, qocEnv, rawRequest, runQoc, statusOf, tempDir } from './lib/qoc.mjs';

const EMAIL = 'owner@example.com';

function openssl(args, input) {
  const r = spawnSync('openssl', args, { encoding: 'utf8', input, timeout: 30000 });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

// A CA, and server certificates for 127.0.0.1 signed by it (P-256 keys: quick to make).
function makeCa(dir) {
  const key = path.join(dir, 'ca.key');
  const cert = path.join(dir, 'ca.pem');
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=QOC test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign']);
  return { key, cert };
}

function makeServerCert(dir, ca, name) {
  const key = path.join(dir, `${name}.key`);
  const csr = path.join(dir, `${name}.csr`);
  const cert = path.join(dir, `${name}.pem`);
  const ext = path.join(dir, `${name}.ext`);
  writeFileSync(ext, 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', key, '-out', csr, '-subj', `/CN=${name}`]);
  openssl(['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial',
    '-out', cert, '-days', '2', '-extfile', ext]);
  const fingerprint = new X509Certificate(readFileSync(cert)).fingerprint256;
  return { key, cert, fingerprint };
}

// One HTTPS request trusting only ca; resolves { status, headers, body, socket, fingerprint }
// (the fingerprint of the certificate the server presented on that connection).
function httpsRequest(url, { ca, agent, method = 'GET', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const h = { ...headers };
    if (body !== undefined) h['content-length'] = Buffer.byteLength(body);
    const req = https.request(url, { method, headers: h, ca, agent }, (res) => {
      const chunks = [];
      // Read now: a keep-alive agent takes the socket back at the end of the response.
      const { socket } = res;
      const fingerprint = socket.getPeerCertificate().fingerprint256;
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({
        status: res.statusCode,
        headers: res.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        socket,
        fingerprint,
        reused: req.reusedSocket,
      }));
      res.on('error', reject);
    });
    req.setTimeout(20000, () => req.destroy(new Error(`timeout: ${method} ${url}`)));
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

// openid-client's customFetch on node:https with the test CA (global fetch has no `ca`).
function fetchWithCa(ca) {
  return async (url, options = {}) => {
    const headers = {};
    new Headers(options.headers).forEach((v, k) => { headers[k] = v; });
    const body = options.body === undefined || options.body === null ? undefined : String(options.body);
    const r = await httpsRequest(String(url), { ca, method: options.method || 'GET', headers, body, agent: false });
    const none = [204, 304].includes(r.status) || options.method === 'HEAD';
    return new Response(none ? null : r.body, { status: r.status, headers: Object.entries(r.headers).flatMap(
      ([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]])) });
  };
}

// Starts `qoc serve` with HTTPS on certFile / keyFile; resolves once https /healthz answers.
async function startTls({ dataDir, certFile, keyFile, ca, env = {} }) {
  const port = await freePort();
  const url = `https://127.0.0.1:${port}`;
  const proc = spawn(BIN, ['serve'], {
    env: qocEnv({ QOC_DATA_DIR: dataDir, QOC_LISTEN: `127.0.0.1:${port}`, QOC_ISSUER: url,
      QOC_TLS_CERT: certFile, QOC_TLS_KEY: keyFile, ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout.on('data', (d) => { out += d; });
  proc.stderr.on('data', (d) => { out += d; });
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  const deadline = Date.now() + 20000;
  for (;;) {
    const early = await Promise.race([exited, new Promise((r) => setTimeout(() => r(null), 50))]);
    if (early) throw new Error(`qoc serve exited early (${JSON.stringify(early)}):\n${out}`);
    try {
      if ((await httpsRequest(`${url}/healthz`, { ca, agent: false })).status === 200) break;
    } catch { /* not up yet */ }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`qoc serve did not come up:\n${out}`);
    }
  }
  return {
    url, port, proc, output: () => out,
    // Resolves once the log holds `count` lines matching re (reloads are logged).
    async waitLog(re, count = 1) {
      const end = Date.now() + 10000;
      while ((out.match(new RegExp(re.source, 'g')) || []).length < count) {
        if (Date.now() > end) throw new Error(`no ${re} in the log:\n${out}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      return exited;
    },
  };
}

// SECURITY.md is silent on TLS versions; docs/decisions/tls.md: TLS 1.2 and 1.3 only.
describe('HTTPS (tls_cert, tls_key)', { skip: STORE !== 'sqlite' && 'store-independent: runs once, on SQLite' }, () => {
  let work, dir, ca, one, two, certFile, keyFile, srv, app, caPem;
  const basic = () => `${encodeURIComponent(app.client_id)}:${encodeURIComponent(app.client_secret)}`;

  before(async () => {
    work = tempDir('qoc-tls-');
    dir = path.join(work, 'data');
    ca = makeCa(work);
    caPem = readFileSync(ca.cert);
    one = makeServerCert(work, ca, 'one');
    two = makeServerCert(work, ca, 'two');
    assert.notEqual(one.fingerprint, two.fingerprint);
    // The files the server reads; the tests replace their contents and send SIGHUP.
    certFile = path.join(work, 'server.pem');
    keyFile = path.join(work, 'server.key');
    copyFileSync(one.cert, certFile);
    copyFileSync(one.key, keyFile);
    createAccount(dir, { email: EMAIL });
    app = fixture(['app', 'create', '--owner-email', EMAIL, '--name', 'TLS service', '--type', 'service',
      '--grant', 'client_credentials'], { QOC_DATA_DIR: dir });
    // An idle keep-alive connection lasts request_head_timeout: long enough for the reload test.
    srv = await startTls({ dataDir: dir, certFile, keyFile, ca: caPem, env: { QOC_REQUEST_HEAD_TIMEOUT: '30' } });
  });
  after(async () => {
    if (srv) {
      const { code } = await srv.stop();
      assert.doesNotMatch(srv.output(), /AddressSanitizer|LeakSanitizer|runtime error/);
      assert.equal(code, 0, srv.output());
    }
    rmSync(work, { recursive: true, force: true });
  });

  test('curl --cacert: discovery names https endpoints and client_credentials issues a token', () => {
    const d = spawnSync('curl', ['-sS', '--fail', '--cacert', ca.cert, `${srv.url}/.well-known/openid-configuration`],
      { encoding: 'utf8', timeout: 20000 });
    assert.equal(d.status, 0, d.stderr);
    const meta = JSON.parse(d.stdout);
    assert.equal(meta.issuer, srv.url);
    assert.equal(meta.token_endpoint, `${srv.url}/oauth2/token`);
    const t = spawnSync('curl', ['-sS', '--fail', '--cacert', ca.cert, '--tlsv1.2', '-u', basic(),
      '-d', 'grant_type=client_credentials', meta.token_endpoint], { encoding: 'utf8', timeout: 20000 });
    assert.equal(t.status, 0, t.stderr);
    const tok = JSON.parse(t.stdout);
    assert.equal(tok.token_type, 'Bearer');
    assert.ok(tok.access_token);
    // Without the CA, curl refuses the certificate (it is not a public one).
    const u = spawnSync('curl', ['-sS', `${srv.url}/healthz`], { encoding: 'utf8', timeout: 20000 });
    assert.equal(u.status, 60, u.stderr); // CURLE_PEER_FAILED_VERIFICATION
  });

  test('openid-client: discovery and client_credentials over https, trusting the test CA', async () => {
    const config = await client.discovery(new URL(srv.url), app.client_id, app.client_secret, undefined,
      { [client.customFetch]: fetchWithCa(caPem) }); // no allowInsecureRequests: https only
    config[client.customFetch] = fetchWithCa(caPem);
    assert.equal(config.serverMetadata().issuer, srv.url);
    const tok = await client.clientCredentialsGrant(config);
    assert.ok(tok.access_token);
    const info = await client.tokenIntrospection(config, tok.access_token);
    assert.equal(info.active, true);
  });

  test('TLS 1.1 is refused; TLS 1.2 and 1.3 negotiate AEAD suites; a CBC suite is refused', () => {
    const sclient = (...args) => spawnSync('openssl', ['s_client', '-connect', `127.0.0.1:${srv.port}`,
      '-CAfile', ca.cert, ...args], { encoding: 'utf8', input: '', timeout: 20000 });
    // SECLEVEL=0: the client really offers TLS 1.1 (Debian's default would not even try).
    const old = sclient('-tls1_1', '-cipher', 'DEFAULT:@SECLEVEL=0');
    assert.notEqual(old.status, 0);
    assert.match(old.stdout, /New, \(NONE\), Cipher is \(NONE\)/);
    const cbc = sclient('-tls1_2', '-cipher', 'ECDHE-ECDSA-AES128-SHA:@SECLEVEL=0');
    assert.match(cbc.stdout, /Cipher is \(NONE\)/);
    const v12 = sclient('-tls1_2');
    assert.match(v12.stdout, /New, TLSv1\.2, Cipher is ECDHE-ECDSA-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305)/);
    const v13 = sclient('-tls1_3');
    assert.match(v13.stdout, /New, TLSv1\.3, Cipher is TLS_(AES_(128|256)_GCM_SHA(256|384)|CHACHA20_POLY1305_SHA256)/);
    // curl's view of the same: --tls-max 1.1 fails the handshake.
    const c = spawnSync('curl', ['-sS', '--cacert', ca.cert, '--tlsv1.0', '--tls-max', '1.1', '--ciphers',
      'DEFAULT:@SECLEVEL=0', `${srv.url}/healthz`], { encoding: 'utf8', timeout: 20000 });
    assert.equal(c.status, 35, c.stderr); // CURLE_SSL_CONNECT_ERROR
  });

  test('plain HTTP on the TLS port gets no HTTP answer', async () => {
    const raw = await rawRequest(srv.port, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', { untilMs: 3000 });
    assert.equal(statusOf(raw), null, raw);
    await assert.rejects(fetch(`http://127.0.0.1:${srv.port}/healthz`));
  });

  test('SIGHUP reloads the certificate: an open keep-alive connection keeps working, a new one sees the new certificate, a broken file keeps the last good one', async () => {
    const agent = new https.Agent({ keepAlive: true, maxSockets: 1, ca: caPem });
    try {
      const a = await httpsRequest(`${srv.url}/healthz`, { agent });
      assert.equal(a.status, 200);
      assert.equal(a.fingerprint, one.fingerprint);
      const fresh0 = await httpsRequest(`${srv.url}/healthz`, { ca: caPem, agent: false });
      assert.equal(fresh0.fingerprint, one.fingerprint);

      // New files, then SIGHUP (what `systemctl reload` sends).
      copyFileSync(two.key, keyFile);
      copyFileSync(two.cert, certFile);
      srv.proc.kill('SIGHUP');
      await srv.waitLog(new RegExp(`tls certificate reloaded.*sha256=${two.fingerprint.replace(/:/g, '').toLowerCase()}`));

      // The open connection: same socket, still answered, still the old certificate.
      const b = await httpsRequest(`${srv.url}/healthz`, { agent });
      assert.equal(b.status, 200);
      assert.equal(b.socket, a.socket);
      assert.equal(b.reused, true);
      assert.equal(b.fingerprint, one.fingerprint);
      // A new connection: the new certificate; a token still comes out over it.
      const c = await httpsRequest(`${srv.url}/oauth2/token`, { ca: caPem, agent: false, method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(basic()).toString('base64')}` },
        body: 'grant_type=client_credentials' });
      assert.equal(c.status, 200, c.body);
      assert.equal(c.fingerprint, two.fingerprint);

      // A broken certificate file: reload fails naming tls_cert, the new certificate stays.
      writeFileSync(certFile, '-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n');
      srv.proc.kill('SIGHUP');
      await srv.waitLog(/level=error msg="tls reload failed, the previous certificate stays" error="tls_cert \(/);
      const d = await httpsRequest(`${srv.url}/healthz`, { ca: caPem, agent: false });
      assert.equal(d.status, 200);
      assert.equal(d.fingerprint, two.fingerprint);
      // A key that does not match the certificate: reload fails naming tls_key.
      copyFileSync(one.cert, certFile); // keyFile still holds two's key
      srv.proc.kill('SIGHUP');
      await srv.waitLog(/tls reload failed.*error="tls_key \(.*does not match the certificate in tls_cert/);
      const e = await httpsRequest(`${srv.url}/healthz`, { ca: caPem, agent: false });
      assert.equal(e.fingerprint, two.fingerprint);
      // And the kept-alive connection from before the first reload is still answered.
      const f = await httpsRequest(`${srv.url}/healthz`, { agent });
      assert.equal(f.status, 200);
      assert.equal(f.socket, a.socket);
    } finally {
      agent.destroy();
    }
  });

  test('a handshake that never completes is cut at request_head_timeout (docs/decisions/http-connections.md)', async () => {
    const slow = await startTls({ dataDir: path.join(work, 'data-slow'), certFile: one.cert, keyFile: one.key, ca: caPem,
      env: { QOC_REQUEST_HEAD_TIMEOUT: '1' } });
    try {
      const t0 = Date.now();
      const closedAfter = await new Promise((resolve, reject) => {
        const sock = net.connect(slow.port, '127.0.0.1');
        const timer = setTimeout(() => { sock.destroy(); reject(new Error('not closed within 8 s')); }, 8000);
        // The start of a TLS record (handshake, 512 bytes announced), then nothing.
        sock.on('connect', () => sock.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01])));
        sock.on('error', () => {});
        sock.on('close', () => { clearTimeout(timer); resolve(Date.now() - t0); });
      });
      assert.ok(closedAfter >= 700 && closedAfter < 4000, `closed after ${closedAfter} ms`);
    } finally {
      const { code } = await slow.stop();
      assert.doesNotMatch(slow.output(), /AddressSanitizer|LeakSanitizer|runtime error/);
      assert.equal(code, 0);
    }
  });

  test('config errors name the key: only one of the two set, missing file, not PEM, key mismatch', () => {
    // A data directory of its own (the files are read after the store opened).
    const env = (extra) => ({ QOC_DATA_DIR: path.join(work, 'data-errors'), QOC_LISTEN: '127.0.0.1:1', ...extra });
    const outputs = [];
    const serve = (extra) => {
      const x = runQoc(['serve'], { env: env(extra) });
      outputs.push(x.stderr);
      return x;
    };
    let r = serve({ QOC_TLS_CERT: one.cert });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /config: tls_key: must be set together with tls_cert/);
    r = serve({ QOC_TLS_KEY: one.key });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /config: tls_cert: must be set together with tls_key/);
    const missing = path.join(work, 'missing.pem');
    r = serve({ QOC_TLS_CERT: missing, QOC_TLS_KEY: one.key });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`config: tls_cert \\(${missing}\\): cannot read: No such file or directory`));
    r = serve({ QOC_TLS_CERT: one.cert, QOC_TLS_KEY: missing });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /config: tls_key \(.*missing\.pem\): cannot read/);
    r = serve({ QOC_TLS_CERT: one.key, QOC_TLS_KEY: one.key }); // a key where the chain goes
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /config: tls_cert \(.*one\.key\): not a PEM certificate chain/);
    r = serve({ QOC_TLS_CERT: one.cert, QOC_TLS_KEY: one.cert });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /config: tls_key \(.*one\.pem\): not an unencrypted PEM private key/);
    r = serve({ QOC_TLS_CERT: one.cert, QOC_TLS_KEY: two.key });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /config: tls_key \(.*two\.key\): does not match the certificate in tls_cert/);
    for (const o of outputs) assert.doesNotMatch(o, /AddressSanitizer|LeakSanitizer|runtime error/);
  });
});
