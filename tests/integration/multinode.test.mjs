// Issue 7: two `qoc serve` nodes on different loopback ports sharing one PostgreSQL
// database, as behind a load balancer. Every atomic use case keeps its guarantee across
// the nodes, a key rotated through one is used and published by the other within the
// documented delay (QOC_SIGNER_REFRESH_S, 5 s: docs/decisions/store-postgres.md), and a
// PostgreSQL restart in the middle of traffic gives only 200s and 503s with Retry-After,
// no crash, and no 200 for a token that is not in the database.
//
// PostgreSQL only: it starts a private throwaway cluster (tests/pg/cluster.sh), because it
// restarts the server, which would disturb the other tests on the shared one. Both nodes
// use one data directory, so they share the master key (what operators do: every node
// needs the same master.key).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { startServer, createAccount, fixture, runQoc, tempDir, freePort, readPgState, psql, pgCreateDatabase, qocEnv, BIN } from './lib/qoc.mjs';

const SOURCE = process.env.QOCTEST_SOURCE_DIR || path.resolve('.');
const CLUSTER = path.join(SOURCE, 'tests/pg/cluster.sh');
const REDIRECT = 'https://app.example.com/cb';
const EMAIL = 'owner@example.com';
// The documented bound after which a rotated key signs on every node, plus slack for a
// loaded test machine.
const KEY_DELAY_MS = 5000 + 3000;

const cluster = (cmd, state) => {
  const r = spawnSync(CLUSTER, [cmd, state], { encoding: 'utf8', timeout: 120000 });
  if (r.status !== 0) throw new Error(`cluster.sh ${cmd}: ${r.stderr}`);
};
// The same without blocking the event loop: traffic keeps flowing meanwhile.
const clusterAsync = (cmd, state) => promisify(execFile)(CLUSTER, [cmd, state], { timeout: 120000 });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const tokenHash = (t) => createHash('sha256').update(t).digest('base64url');

describe('two qoc nodes sharing one PostgreSQL', () => {
  const state = path.join(os.tmpdir(), `qoc-multinode-${process.pid}.state`);
  let pg, dir, env, a, b, svc, web, pat;

  const basic = (app, secret = app.client_secret) =>
    `Basic ${Buffer.from(`${encodeURIComponent(app.client_id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
  const post = (node, p, params, auth) => fetch(`${node.url}${p}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(auth ? { authorization: auth } : {}) },
    body: new URLSearchParams(params).toString(),
  });
  const cc = (node, app, secret) => post(node, '/oauth2/token', { grant_type: 'client_credentials' }, basic(app, secret));
  const introspect = async (node, app, token) => (await (await post(node, '/oauth2/introspect', { token }, basic(app))).json());
  const mkCode = (app, scope = 'openid offline_access') => fixture(['code', 'create', '--client-id', app.client_id,
    '--email', EMAIL, '--redirect-uri', REDIRECT, '--scope', scope], env).code;
  const redeem = (node, app, code) => post(node, '/oauth2/token',
    { grant_type: 'authorization_code', code, redirect_uri: REDIRECT }, basic(app));
  const api = (node, method, p, body) => fetch(`${node.url}${p}`, {
    method,
    headers: { authorization: `Bearer ${pat}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const kidOf = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url')).kid;

  before(async () => {
    cluster('start', state);
    pg = readPgState(state);
    dir = tempDir('qoc-multinode-');
    env = { QOC_DATA_DIR: dir, QOC_DATABASE: pgCreateDatabase(pg, 'qoc_multinode') };
    const portA = await freePort();
    // One issuer for both, as behind a load balancer.
    const shared = { ...env, QOC_ISSUER: `http://127.0.0.1:${portA}`, QOC_DB_POOL_SIZE: '6', QOC_DB_BUSY_TIMEOUT_MS: '2000' };
    a = await startServer({ dataDir: dir, port: portA, env: shared });
    b = await startServer({ dataDir: dir, env: shared });
    createAccount(dir, { email: EMAIL, name: 'Owner' }, env);
    svc = fixture(['app', 'create', '--owner-email', EMAIL, '--name', 'svc', '--type', 'service'], env);
    web = fixture(['app', 'create', '--owner-email', EMAIL, '--name', 'web', '--type', 'web', '--redirect-uri', REDIRECT], env);
    const r = runQoc(['token', 'create', '--email', EMAIL], { env });
    assert.equal(r.status, 0, r.stderr);
    pat = r.stdout.trim();
  });

  after(async () => {
    const outs = [];
    for (const n of [a, b]) {
      if (!n) continue;
      const { code } = await n.stop();
      outs.push([code, n.output()]);
    }
    cluster('stop', state);
    rmSync(dir, { recursive: true, force: true });
    for (const [code, out] of outs) {
      assert.doesNotMatch(out, /AddressSanitizer|LeakSanitizer|runtime error/);
      assert.equal(code, 0);
    }
  });

  test('`qoc migrate` run from two nodes at once on a fresh database: both succeed, each migration applied once', async () => {
    const url = pgCreateDatabase(pg, 'qoc_migrate_race');
    const run = () => new Promise((resolve) => {
      execFile(BIN, ['migrate'],
        { env: qocEnv({ QOC_DATA_DIR: dir, QOC_DATABASE: url }) },
        (err, stdout, stderr) => resolve({ code: err ? err.code : 0, stdout, stderr }));
    });
    const rs = await Promise.all([run(), run(), run()]);
    let applied = 0;
    for (const r of rs) {
      assert.equal(r.code, 0, r.stderr);
      const m = /migrate: postgres store up to date, applied (\d+) migration/.exec(r.stdout);
      assert.ok(m, r.stdout);
      applied += Number(m[1]);
    }
    // Between them they applied each migration exactly once: the sum is what the
    // database records, and one more run finds nothing to do.
    const recorded = Number(psql(pg, 'qoc_migrate_race', 'SELECT count(*) FROM schema_migrations'));
    assert.ok(recorded >= 1);
    assert.equal(applied, recorded);
    const again = await run();
    assert.match(again.stdout, /applied 0 migrations/);
  });

  test('a database URL that cannot be used stops qoc with a message that never shows its password', () => {
    for (const url of [`postgres://qoc:s3cr3t-pw@%2Fnonexistent-qoc-dir/qoc`,
      'host=/nonexistent-qoc-dir dbname=qoc user=qoc password=s3cr3t-pw']) {
      const r = runQoc(['migrate'], { env: { QOC_DATA_DIR: dir, QOC_DATABASE: url, QOC_LOG_LEVEL: 'debug' } });
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /database/);
      assert.doesNotMatch(r.stderr + r.stdout, /s3cr3t-pw/);
    }
  });

  test('attack: spreading wrong client secrets over two nodes does not double the budget (store-backed throttle)', async () => {
    const victim = fixture(['app', 'create', '--owner-email', EMAIL, '--name', 'throttled', '--type', 'service'], env);
    const bad = `qoc_secret_${'A'.repeat(43)}`;
    // 11 wrong on each node: 22 in all, over the 20 of one (client, address).
    for (let i = 0; i < 11; i++) {
      await cc(a, victim, bad);
      await cc(b, victim, bad);
    }
    // Per node they would have 11 each (no lock); shared, both nodes refuse now.
    assert.equal((await cc(a, victim, bad)).status, 429);
    assert.equal((await cc(b, victim, bad)).status, 429);
    const rows = psql(pg, 'qoc_multinode', "SELECT count(*) FROM throttles WHERE k LIKE 'client_pair:%'");
    assert.match(String(rows), /[1-9]/);
  });

  test('both nodes answer from the one database (readyz names postgres)', async () => {
    for (const n of [a, b]) {
      const r = await fetch(`${n.url}/readyz`);
      assert.equal(r.status, 200);
      assert.equal((await r.json()).store, 'postgres');
    }
    // A token issued by A is known to B.
    const t = await (await cc(a, svc)).json();
    assert.equal((await introspect(b, svc, t.access_token)).active, true);
  });

  test('a code redeemed on A cannot be redeemed on B (SECURITY.md "one winner"; reuse revokes A\'s tokens)', async () => {
    const code = mkCode(web);
    const first = await redeem(a, web, code);
    assert.equal(first.status, 200);
    const tokens = await first.json();
    const second = await redeem(b, web, code);
    assert.equal(second.status, 400);
    assert.equal((await second.json()).error, 'invalid_grant');
    // RFC 6749 §4.1.2 / SECURITY.md: the reuse revoked what the code gave, on every node.
    assert.equal((await introspect(a, web, tokens.access_token)).active, false);
    assert.equal((await introspect(b, web, tokens.access_token)).active, false);
  });

  test('the same code sent to A and B at once: exactly one 200', async () => {
    for (let round = 0; round < 5; round++) {
      const code = mkCode(web);
      const rs = await Promise.all([redeem(a, web, code), redeem(b, web, code), redeem(a, web, code), redeem(b, web, code)]);
      const statuses = rs.map((r) => r.status).sort();
      assert.deepEqual(statuses, [200, 400, 400, 400], `round ${round}`);
    }
  });

  test('parallel refreshes of one token on A and B: one winner (SECURITY.md), the family is revoked', async () => {
    for (let round = 0; round < 5; round++) {
      const t = await (await redeem(a, web, mkCode(web))).json();
      assert.ok(t.refresh_token);
      const refresh = (n) => post(n, '/oauth2/token', { grant_type: 'refresh_token', refresh_token: t.refresh_token }, basic(web));
      const rs = await Promise.all([refresh(a), refresh(b)]);
      const statuses = rs.map((r) => r.status).sort();
      assert.deepEqual(statuses, [200, 400], `round ${round}`);
      const win = await rs.find((r) => r.status === 200).json();
      // The loser presented a used token: the whole family, the winner's included, is dead.
      assert.equal((await introspect(b, web, win.access_token)).active, false);
    }
  });

  test('a secret regenerated through A is refused at B\'s token endpoint on the next request', async () => {
    const app = fixture(['app', 'create', '--owner-email', EMAIL, '--name', 'rot', '--type', 'service'], env);
    assert.equal((await cc(b, app)).status, 200); // B has used (and read) the old secret
    const r = await api(a, 'POST', `/api/v1/applications/${app.client_id}/secret`);
    assert.equal(r.status, 200);
    const fresh = (await r.json()).client_secret;
    const old = await cc(b, app);
    assert.equal(old.status, 401);
    assert.equal((await old.json()).error, 'invalid_client');
    assert.equal((await cc(b, app, fresh)).status, 200);
  });

  test('an application deleted on A is gone on B: no token, its tokens inactive', async () => {
    const app = fixture(['app', 'create', '--owner-email', EMAIL, '--name', 'gone', '--type', 'service'], env);
    const t = await (await cc(b, app)).json();
    assert.equal((await introspect(b, app, t.access_token)).active, true);
    const d = await api(a, 'DELETE', `/api/v1/applications/${app.client_id}`, { confirm_name: 'gone' });
    assert.equal(d.status, 204);
    assert.equal((await cc(b, app)).status, 401);
    assert.equal((await api(b, 'GET', `/api/v1/applications/${app.client_id}`)).status, 404);
    // Its tokens went with it (ON DELETE CASCADE): nothing left for anyone to find.
    assert.equal(psql(pg, 'qoc_multinode', `SELECT count(*) FROM tokens WHERE token_hash = '${tokenHash(t.access_token)}'`), '0');
  });

  test('a key rotated with `qoc keys rotate` is published and used by both nodes within the documented delay', async () => {
    const before = (await (await fetch(`${b.url}/.well-known/jwks.json`)).json()).keys.map((k) => k.kid);
    const r = runQoc(['keys', 'rotate'], { env });
    assert.equal(r.status, 0, r.stderr);
    const kid = /kid (\S+?);/.exec(r.stdout)?.[1];
    assert.ok(kid && !before.includes(kid), r.stdout);
    const start = Date.now();
    // Published: each node's JWKS comes from its signer's snapshot, reloaded from the
    // store within the same bound as the signing key.
    for (const n of [a, b]) {
      let keys = [];
      while (Date.now() - start < KEY_DELAY_MS) {
        keys = (await (await fetch(`${n.url}/.well-known/jwks.json`)).json()).keys.map((k) => k.kid);
        if (keys.includes(kid)) break;
        await sleep(250);
      }
      assert.ok(keys.includes(kid), `node ${n.port} does not publish ${kid} after ${Date.now() - start} ms`);
    }
    // Used: ID tokens from B carry the new kid once B's signer has reloaded.
    let seen = null;
    while (Date.now() - start < KEY_DELAY_MS) {
      const t = await (await redeem(b, web, mkCode(web, 'openid'))).json();
      seen = kidOf(t.id_token);
      if (seen === kid) break;
      await sleep(250);
    }
    assert.equal(seen, kid, `B still signs with ${seen} after ${Date.now() - start} ms`);
  });

  test('analytics: both nodes write events of one application; either node reports all of them (issue 6 on several nodes)', async () => {
    const app = fixture(['app', 'create', '--owner-email', EMAIL, '--name', 'counted', '--type', 'service'], env);
    for (let i = 0; i < 7; i++) assert.equal((await cc(a, app)).status, 200);
    for (let i = 0; i < 5; i++) assert.equal((await cc(b, app)).status, 200);
    for (let i = 0; i < 3; i++) assert.equal((await cc(b, app, 'qoc_secret_wrong')).status, 401);
    const now = Math.floor(Date.now() / 1000);
    const q = `/api/v1/applications/${app.client_id}/analytics?from=${now - 3600}&to=${now + 3600}&granularity=hour`;
    for (const n of [a, b]) {
      let doc;
      const deadline = Date.now() + 15000; // each node's writer flushes within a second
      for (;;) {
        const r = await api(n, 'GET', q);
        assert.equal(r.status, 200);
        doc = await r.json();
        if (doc.total_requests >= 15 || Date.now() > deadline) break;
        await sleep(200);
      }
      assert.equal(doc.total_requests, 15, `node ${n.port}`);
      assert.equal(doc.series.reduce((s, p) => s + p.errors, 0), 3, `node ${n.port}`);
    }
  });

  test('PostgreSQL restarts in the middle of traffic: only 200 or 503 + Retry-After, every 200 committed, both nodes recover', async () => {
    const issued = [];
    const statuses = new Map();
    let stop = false;
    const worker = async (i) => {
      while (!stop) {
        const node = i % 2 ? a : b;
        let r;
        try {
          r = await cc(node, svc);
        } catch (e) {
          throw new Error(`node ${node.port} did not answer (crashed?): ${e.message}`);
        }
        statuses.set(r.status, (statuses.get(r.status) || 0) + 1);
        if (r.status === 200) {
          issued.push((await r.json()).access_token);
        } else {
          const body = await r.text();
          assert.equal(r.status, 503, `unexpected ${r.status}: ${body}`);
          assert.ok(r.headers.get('retry-after'), '503 without Retry-After');
          await sleep(20);
        }
      }
    };
    const workers = [0, 1, 2, 3].map(worker);
    await sleep(1000);
    // A restart that stays down for a moment, so that requests certainly meet it.
    await clusterAsync('down', state);
    await sleep(700);
    await clusterAsync('up', state);
    await sleep(1500);
    stop = true;
    await Promise.all(workers);
    const seen = JSON.stringify([...statuses]);
    assert.ok((statuses.get(200) || 0) > 0, seen);
    assert.ok((statuses.get(503) || 0) > 0, `the outage was never seen: ${seen}`);
    console.log('statuses around the restart:', seen);
    // Recovered: both nodes issue again (a few tries: the pools reconnect on use).
    for (const n of [a, b]) {
      let ok = false;
      for (let i = 0; i < 50 && !ok; i++) {
        const r = await cc(n, svc);
        ok = r.status === 200;
        if (ok) issued.push((await r.json()).access_token);
        else await sleep(100);
      }
      assert.ok(ok, `node ${n.port} did not recover`);
    }
    // Every 200 was committed: each token is in the database and introspects active.
    const hashes = issued.map((t) => `'${tokenHash(t)}'`).join(',');
    assert.equal(psql(pg, 'qoc_multinode', `SELECT count(*) FROM tokens WHERE token_hash IN (${hashes})`), String(issued.length));
    for (const t of issued.slice(-20))
      assert.equal((await introspect(a, svc, t)).active, true);
    for (const n of [a, b]) assert.equal(n.proc.exitCode, null, 'a node exited');
  });
});
