// Issue 13 section 4, "state that is bounded and expires", against the real binary:
//   - the background purge deletes expired protocol state and /readyz reports its last
//     round (attack: protocol state that is never deleted fills the store);
//   - an anonymous GET /oauth2/authorize flood from one address cannot fill the disk
//     (pending requests are bounded per browser and per address, the oldest evicted), and
//     a rightful browser at another address still completes its sign-in;
//   - qoc.db, -wal, -shm and -appgen are 0600 whatever the umask (attack: another local
//     user reads the hashes, sealed secrets and pending requests, or writes the WAL).
// Client addresses are loopback source addresses (127.0.0.2 attacker, 127.0.0.3 victim).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { Browser, createAccount, fixture, freePort, startServer, tempDir, STORE, storeExec, storeQuery, fetchFrom } from './lib/qoc.mjs';

const CB = 'https://app.example.com/cb';
const PASSWORD = 'correct horse battery';
const FLOOD = 3000;         // anonymous authorize requests (bounded)
const FLOOD_PARALLEL = 16;
const PER_ADDRESS = 256;    // the default pending_per_address
const hash43 = (label) => label.padEnd(43, 'x').slice(0, 43);

function dirBytes(dir) {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    n += e.isDirectory() ? dirBytes(p) : statSync(p).size;
  }
  return n;
}

async function readyz(srv) {
  const r = await fetch(`${srv.url}/readyz`);
  assert.equal(r.status, 200);
  return r.json();
}

describe('state that is bounded and expires (issue 13 §4)', () => {
  let dir;
  let env;
  let app;
  let issuer;
  let port;

  before(async () => {
    dir = tempDir();
    port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    env = { QOC_DATA_DIR: dir, QOC_ISSUER: issuer };
    createAccount(dir, { email: 'ada@example.com', name: 'Ada', password: PASSWORD }, { QOC_ISSUER: issuer });
    app = fixture(['app', 'create', '--owner-email', 'ada@example.com', '--name', 'Flooded App',
      '--type', 'web', '--redirect-uri', CB], env);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('attack: expired state is never deleted -> the purge deletes it and /readyz reports the round', async () => {
    const srv = await startServer({ dataDir: dir, port, env: { QOC_ISSUER: issuer, QOC_PURGE_INTERVAL: '1' } });
    try {
      // Planted dead rows: pending requests past their expiry, a family revoked long ago.
      for (let i = 0; i < 3; i++)
        storeExec(dir, `INSERT INTO auth_requests (handle_hash, browser_hash, client_id, params, created_at, expires_at)
          VALUES ('${hash43(`purgeh${i}`)}', '${hash43('purgeb')}', '${app.client_id}', '{}', 1000, 1600)`);
      storeExec(dir, "INSERT INTO revoked_families (family_id, revoked_at) VALUES ('fam_purge_old', 1000)");
      // A throttle budget that remembers nothing any more (quiet past its window).
      storeExec(dir, `INSERT INTO throttles (k, failures, pending, locks, last_fail, locked_until, pending_until,
        granted, expires_at) VALUES ('addr:purge-old', 3, 0, 0, 1000, 0, 0, 1, 2000)`);
      const deadline = Date.now() + 20000;
      let body;
      for (;;) {
        body = await readyz(srv);
        const total = body.purge?.last?.deleted_total;
        if (total && total.auth_requests >= 3 && total.revoked_families >= 1 && total.throttles >= 1) break;
        assert.ok(Date.now() < deadline, `no purge round deleted the planted rows: ${JSON.stringify(body.purge)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      // The existing members stay.
      assert.equal(body.status, 'ready');
      assert.equal(body.store, STORE);
      assert.equal(typeof body.analytics.enabled, 'boolean');
      // The purge's: when, rows per kind (this round and since start), errors.
      const p = body.purge;
      assert.equal(p.enabled, true);
      assert.equal(p.interval_s, 1);
      assert.match(p.last.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.ok(Math.abs(p.last.unix - Date.now() / 1000) < 60);
      assert.ok(p.last.rounds >= 1);
      for (const kind of ['auth_requests', 'auth_codes', 'tokens', 'sso_sessions', 'revoked_families', 'throttles']) {
        assert.equal(typeof p.last.deleted[kind], 'number', kind);
        assert.equal(typeof p.last.deleted_total[kind], 'number', kind);
      }
      assert.deepEqual(p.last.errors, {});
      assert.equal(p.last.error, undefined);
      assert.equal(p.last.skipped, false);
      assert.equal(storeQuery(dir, `SELECT count(*) FROM auth_requests WHERE browser_hash = '${hash43('purgeb')}'`), '0');
      assert.equal(storeQuery(dir, "SELECT count(*) FROM revoked_families WHERE family_id = 'fam_purge_old'"), '0');
      assert.equal(storeQuery(dir, "SELECT count(*) FROM throttles WHERE k = 'addr:purge-old'"), '0');
    } finally {
      await srv.stop();
    }
  });

  test('config: purge_interval and the pending bounds are validated with a message naming the key', async () => {
    const { runQoc } = await import('./lib/qoc.mjs');
    for (const [key, bad] of [['QOC_PURGE_INTERVAL', '0'], ['QOC_PENDING_PER_BROWSER', '0'], ['QOC_PENDING_PER_ADDRESS', 'many']]) {
      const r = runQoc(['migrate'], { env: { QOC_DATA_DIR: dir, [key]: bad } });
      assert.notEqual(r.status, 0, key);
      assert.match(r.stderr, new RegExp(key.slice(4).toLowerCase()), key);
    }
  });

  test(`attack: ${FLOOD} anonymous GET /oauth2/authorize from one address fill the disk -> bounded; the victim at another address signs in`, { timeout: 300000 }, async () => {
    // Baseline: the data directory after a clean stop (SQLite checkpoints the WAL into
    // qoc.db and removes it), so both measures compare what stays on disk.
    let srv = await startServer({ dataDir: dir, port, env: { QOC_ISSUER: issuer } });
    await srv.stop();
    const before = STORE === 'sqlite' ? dirBytes(dir) : 0;

    srv = await startServer({ dataDir: dir, port, env: { QOC_ISSUER: issuer } });
    const attacker = fetchFrom('127.0.0.2', { keepAlive: true });
    const victimFetch = fetchFrom('127.0.0.3', { keepAlive: true });
    try {
      const authorize = (state) => `${srv.url}/oauth2/authorize?${new URLSearchParams({
        response_type: 'code', client_id: app.client_id, redirect_uri: CB, scope: 'openid', state })}`;
      // The victim starts signing in first: the oldest pending request of all.
      const victim = new Browser({ origins: [srv.url], fetch: victimFetch });
      let page = await victim.get(authorize('victim-state'));
      assert.equal(page.status, 200);
      assert.equal(new URL(page.url).pathname, '/login');

      // The flood: no cookies (a new browser each time), a 1000-byte state to make each row
      // count. Each one is a valid request that creates a pending request.
      const big = 's'.repeat(1000); // + the index: under QOC_AUTHZ_STATE_MAX (1024)
      let sent = 0;
      let created = 0;
      let firstOdd = null;
      const floodDeadline = Date.now() + 240000;
      const worker = async () => {
        while (sent < FLOOD && Date.now() < floodDeadline) {
          const i = sent++;
          const r = await attacker(authorize(`${big}${i}`), { redirect: 'manual' });
          await r.arrayBuffer();
          const loc = new URL(r.headers.get('location') || '/', srv.url);
          if (r.status === 303 && loc.pathname === '/login' && loc.searchParams.get('handle')) created++;
          else if (!firstOdd) firstOdd = `${r.status} ${r.headers.get('location')}`;
        }
      };
      await Promise.all(Array.from({ length: FLOOD_PARALLEL }, worker));
      assert.equal(sent, FLOOD, 'the flood did not finish in time');
      assert.equal(created, FLOOD, `every flood request made a pending request (else: ${firstOdd})`);

      // Bounded: the attacker's address holds at most pending_per_address of them.
      const attackerRows = Number(storeQuery(dir, "SELECT count(*) FROM auth_requests WHERE addr = '127.0.0.2'"));
      assert.ok(attackerRows <= PER_ADDRESS, `${attackerRows} pending requests kept for one address`);
      assert.equal(storeQuery(dir, "SELECT count(*) FROM auth_requests WHERE addr = '127.0.0.3'"), '1');

      // The rightful user at another address: their (oldest) request still completes.
      page = await victim.submitForm(page, 0, { email: 'ada@example.com', password: PASSWORD });
      if (new URL(page.url).pathname === '/login/consent')
        page = await victim.submitForm(page, 0, {}, { submitter: { name: 'decision', value: 'allow' } });
      assert.equal(page.status, 303, page.body.slice(0, 300));
      const cb = new URL(page.location);
      assert.equal(`${cb.origin}${cb.pathname}`, CB);
      assert.match(cb.searchParams.get('code') || '', /^qoc_ac_/);
      assert.equal(cb.searchParams.get('state'), 'victim-state');
    } finally {
      attacker.close();
      victimFetch.close();
      await srv.stop();
    }
    if (STORE === 'sqlite') {
      const grown = dirBytes(dir) - before;
      // Unbounded, 3,000 rows of > 1 KB each: > 3 MB. Bounded: a few hundred rows.
      assert.ok(grown < 1.5 * 1024 * 1024, `the data directory grew by ${grown} bytes`);
    }
  });

  test('attack: another local user reads or writes the database -> qoc.db, -wal, -shm, -appgen are 0600 under umask 000', { skip: STORE !== 'sqlite' && 'SQLite files only' }, async () => {
    const own = tempDir();
    const old = process.umask(0o000);
    let srv;
    try {
      const p = await freePort();
      srv = await startServer({ dataDir: own, port: p, env: { QOC_ISSUER: `http://127.0.0.1:${p}` } });
    } finally {
      process.umask(old);
    }
    const db = path.join(own, 'qoc.db');
    const files = ['', '-wal', '-shm', '-appgen'].map((s) => db + s);
    try {
      for (const f of files) {
        assert.ok(existsSync(f), `${f} exists while serving`);
        assert.equal(statSync(f).mode & 0o777, 0o600, `${path.basename(f)} mode`);
      }
      await srv.stop();
      // Files left looser (an older version, a copy) are narrowed at the next start.
      for (const f of files) if (existsSync(f)) chmodSync(f, 0o666);
      const p = await freePort();
      srv = await startServer({ dataDir: own, port: p, env: { QOC_ISSUER: `http://127.0.0.1:${p}` } });
      for (const f of files) {
        assert.ok(existsSync(f), `${f} exists while serving`);
        assert.equal(statSync(f).mode & 0o777, 0o600, `${path.basename(f)} mode after a restart`);
      }
    } finally {
      await srv.stop();
      rmSync(own, { recursive: true, force: true });
    }
  });
});
