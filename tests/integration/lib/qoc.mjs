// Test support: start and stop the real `qoc` binary on a free loopback port with a
// temporary data directory, run its subcommands and the test-only `qoc-fixture`, make
// accounts, and talk raw HTTP when fetch would hide what is on the wire. The cookie-jar
// browser for the QOC Login pages lives in browser.mjs (re-exported here).
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export { Browser, CookieJar, parseForms, formRequest } from './browser.mjs';

export const BIN = process.env.QOCTEST_BIN || path.resolve('build/qoc');
// TEST-ONLY helper binary (tests/fixture/qoc_fixture.c), built next to qoc by CMake.
export const FIXTURE = process.env.QOCTEST_FIXTURE || path.join(path.dirname(BIN), 'qoc-fixture');

export function tempDir(prefix = 'qoc-test-') {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// --- the store under test ---
// QOCTEST_DATABASE=postgres (set by ctest for the integration.<name>.pg runs, together
// with QOCTEST_PG_STATE, the state file of the throwaway cluster tests/pg/cluster.sh
// started) runs every qoc child on PostgreSQL: each data directory a test uses gets its
// own database on that cluster (created on first use), so `qoc serve`, `qoc user add` and
// `qoc-fixture` given one QOC_DATA_DIR share one store, as they do with SQLite.

export const STORE = process.env.QOCTEST_DATABASE === 'postgres' ? 'postgres' : 'sqlite';

// { conninfo, pgdir, pgbin } of a cluster state file (see tests/pg/cluster.sh).
export function readPgState(file = process.env.QOCTEST_PG_STATE) {
  if (!file) throw new Error('QOCTEST_PG_STATE is not set (run the .pg tests through ctest)');
  const text = readFileSync(file, 'utf8');
  const get = (k) => (new RegExp(`^${k}='([^']*)'$`, 'm').exec(text) || [])[1];
  return { conninfo: get('CONNINFO'), pgdir: get('PGDIR'), pgbin: get('PGBIN'), file };
}

// Runs SQL with psql on a database of the cluster; returns the unaligned output.
export function psql(pg, dbname, sql) {
  const r = spawnSync(path.join(pg.pgbin, 'psql'), ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1',
    '-d', `${pg.conninfo} dbname=${dbname}`, '-c', sql], { encoding: 'utf8', timeout: 60000 });
  if (r.status !== 0) throw new Error(`psql ${sql}: ${r.stderr}`);
  return r.stdout.trim();
}

const pgDatabases = new Map(); // data dir -> database name
let pgCluster = null;

// A new database on the cluster; returns its QOC_DATABASE value.
export function pgCreateDatabase(pg, name) {
  psql(pg, 'postgres', `CREATE DATABASE ${name}`);
  return `${pg.conninfo} dbname=${name}`;
}

function pgDatabaseFor(dataDir) {
  pgCluster ??= readPgState();
  const key = path.resolve(dataDir);
  let name = pgDatabases.get(key);
  if (!name) {
    name = `qoc_it_${process.pid}_${pgDatabases.size}_${createHash('sha256').update(key).digest('hex').slice(0, 8)}`;
    pgCreateDatabase(pgCluster, name);
    pgDatabases.set(key, name);
  }
  return { name, url: `${pgCluster.conninfo} dbname=${name}` };
}

// One value from the store of dataDir (the first column of the first row), whichever the
// backend: for tests that look at what was committed.
export function storeQuery(dataDir, sql) {
  if (STORE === 'postgres') return psql(pgCluster ?? readPgState(), pgDatabaseFor(dataDir).name, sql);
  const r = spawnSync('sqlite3', ['-readonly', path.join(dataDir, 'qoc.db'), sql], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`sqlite3 ${sql}: ${r.stderr}`);
  return r.stdout.trim();
}

// Runs a writing statement on the store of dataDir (white-box tests that plant rows, e.g.
// expired state for the purge), whichever the backend; waits for SQLite's lock.
export function storeExec(dataDir, sql) {
  if (STORE === 'postgres') return psql(pgCluster ?? readPgState(), pgDatabaseFor(dataDir).name, sql);
  const r = spawnSync('sqlite3', ['-cmd', '.timeout 10000', path.join(dataDir, 'qoc.db'), sql], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`sqlite3 ${sql}: ${r.stderr}`);
  return r.stdout.trim();
}

// The environment a qoc child sees: ours without any QOC_* (qoc rejects unknown ones),
// plus what the test sets (and, on PostgreSQL, the database of its data directory).
export function qocEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('QOC_')) env[k] = v;
  const db = STORE === 'postgres' && extra.QOC_DATA_DIR && !('QOC_DATABASE' in extra)
    ? { QOC_DATABASE: pgDatabaseFor(extra.QOC_DATA_DIR).url } : {};
  return { ...env, ...db, ...extra };
}

// Runs a subcommand to completion: { status, stdout, stderr }.
export function runQoc(args, { env = {}, input } = {}) {
  const r = spawnSync(BIN, args, { env: qocEnv(env), input, encoding: 'utf8', timeout: 60000 });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

// Starts `qoc serve`; resolves once /healthz answers. Returns { url, port, dataDir, proc,
// stderr(), stop(signal) -> exit code }. `port` (default: a free one) lets a test know the
// URL beforehand, e.g. to set QOC_ISSUER to it. output() is stdout and stderr as they
// came, stderr() the log alone. loopbackIssuer: the issuer is the URL the
// tests reach (http://127.0.0.1:<port>) instead of the default http://localhost:<port>, so
// an OpenID client's discovery check (issuer == URL it fetched) holds.
export async function startServer({ env = {}, dataDir, args = [], port: wantPort, loopbackIssuer = false } = {}) {
  const port = wantPort ?? await freePort();
  const dir = dataDir || tempDir();
  const issuer = loopbackIssuer ? { QOC_ISSUER: `http://127.0.0.1:${port}` } : {};
  const proc = spawn(BIN, ['serve', ...args], {
    env: qocEnv({ QOC_DATA_DIR: dir, QOC_LISTEN: `127.0.0.1:${port}`, ...issuer, ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d) => { out += d; });
  proc.stderr.on('data', (d) => { out += d; err += d; });
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20000;
  for (;;) {
    const early = await Promise.race([exited, new Promise((r) => setTimeout(() => r(null), 50))]);
    if (early) throw new Error(`qoc serve exited early (${JSON.stringify(early)}):\n${out}`);
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) break;
    } catch { /* not up yet */ }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`qoc serve did not come up:\n${out}`);
    }
  }
  return {
    url, port, dataDir: dir, proc,
    output: () => out,
    stderr: () => err, // the log alone
    exited,
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      const r = await exited;
      if (!dataDir) rmSync(dir, { recursive: true, force: true });
      return r;
    },
  };
}

// Whether a running process has mapped a shared library whose file name starts with
// `name` (e.g. 'libcurl.so'): libcurl and cairo are loaded at first use, not at start.
export function mapsLibrary(pid, name) {
  return readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n')
    .some((l) => path.basename(l.trim().split(/\s+/).slice(5).join(' ')).startsWith(name));
}

// Sends raw bytes, resolves with the whole response text once the server closes or
// `untilMs` passes.
export function rawRequest(port, bytes, { untilMs = 3000 } = {}) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let data = '';
    const timer = setTimeout(() => { sock.destroy(); resolve(data); }, untilMs);
    sock.on('data', (d) => { data += d.toString('latin1'); });
    sock.on('error', (e) => { clearTimeout(timer); if (data) resolve(data); else reject(e); });
    sock.on('close', () => { clearTimeout(timer); resolve(data); });
    sock.write(bytes);
  });
}

export function statusOf(raw) {
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(raw);
  return m ? Number(m[1]) : null;
}

// Runs `qoc-fixture` to completion: { status, stdout, stderr }.
export function runFixture(args, { env = {} } = {}) {
  const r = spawnSync(FIXTURE, args, { env: qocEnv(env), encoding: 'utf8', timeout: 60000 });
  if (r.error) throw r.error;
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

// Runs `qoc-fixture ARGS` with env (e.g. { QOC_DATA_DIR: dir }) and returns its JSON
// output; throws (with .status and .stderr) when it fails.
//   fixture(['app', 'create', '--owner-email', e, '--name', 'App', '--type', 'web',
//            '--redirect-uri', 'https://app.example/cb'], { QOC_DATA_DIR: dir })
//   -> { client_id, client_secret (null for spa/mobile), team_id, owner_id }
export function fixture(args, env = {}) {
  const r = runFixture(args, { env });
  if (r.status !== 0) {
    const e = new Error(`qoc-fixture ${args.slice(0, 2).join(' ')} exited ${r.status}: ${r.stderr.trim()}`);
    e.status = r.status;
    e.stderr = r.stderr;
    throw e;
  }
  return JSON.parse(r.stdout);
}

// Makes an account with `qoc user add --password-stdin` in the store of dataDir (or of
// the env given; made first with `qoc migrate` when the directory has none); returns
// { id, email }. Throws with qoc's message when it fails.
export function createAccount(dataDir, { email, name = 'Test User', password = 'correct horse battery', admin = false } = {}, env = {}) {
  // `qoc user add` never creates a store (issue 20): a fresh data directory gets one from
  // `qoc migrate`, as `qoc serve` would make it.
  if (!existsSync(path.join(dataDir, 'master.key'))) {
    const m = runQoc(['migrate'], { env: { ...env, QOC_DATA_DIR: dataDir } });
    if (m.status !== 0) throw new Error(`qoc migrate ${dataDir} exited ${m.status}: ${m.stderr.trim()}`);
  }
  const args = ['user', 'add', '--email', email, '--name', name, '--password-stdin'];
  if (admin) args.push('--admin');
  const r = runQoc(args, { env: { ...env, QOC_DATA_DIR: dataDir }, input: `${password}\n` });
  if (r.status !== 0) {
    const e = new Error(`qoc user add ${email} exited ${r.status}: ${r.stderr.trim()}`);
    e.status = r.status;
    e.stderr = r.stderr;
    throw e;
  }
  const m = /created account (acct_[a-z0-9]+) /.exec(r.stdout);
  if (!m) throw new Error(`qoc user add printed no account id: ${r.stdout}`);
  return { id: m[1], email, name, password };
}

// A fetch whose connections come from localAddress (e.g. '127.0.0.2': all of 127.0.0.0/8
// is loopback), for tests that vary the client address. Enough of fetch for Browser:
// method, headers, a string body, and a Response back (redirects never followed).
// Each request has its own connection, unless { keepAlive: true }: then up to 32 kept
// connections are reused, and f.close() ends them.
export function fetchFrom(localAddress, { keepAlive = false } = {}) {
  const agent = keepAlive ? new http.Agent({ keepAlive: true, localAddress, maxSockets: 32 }) : undefined;
  const f = (url, { method = 'GET', headers = {}, body } = {}) => new Promise((resolve, reject) => {
    const u = new URL(url);
    const h = { ...headers };
    if (body !== undefined) h['content-length'] = Buffer.byteLength(body);
    const req = http.request({ host: u.hostname, port: u.port, path: `${u.pathname}${u.search}`, method, headers: h, localAddress, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const rh = new Headers();
        for (let i = 0; i < res.rawHeaders.length; i += 2) rh.append(res.rawHeaders[i], res.rawHeaders[i + 1]);
        const none = [204, 304].includes(res.statusCode) || method === 'HEAD';
        resolve(new Response(none ? null : Buffer.concat(chunks), { status: res.statusCode, headers: rh }));
      });
      res.on('error', reject);
    });
    req.setTimeout(30000, () => req.destroy(new Error(`timeout: ${method} ${url}`)));
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
  f.close = () => agent?.destroy();
  return f;
}
