// Issue 20 "Backups": `qoc backup FILE` copies the SQLite store while it serves, `qoc restore
// FILE` puts a copy in place of a stopped data directory's store after checking it, and a
// PostgreSQL store is backed up with pg_dump / pg_restore as docs/operations.md says.
// The guarantee under test: every token acknowledged before the backup began is valid
// after the restore, while traffic went on during the backup.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startServer, createAccount, fixture, runQoc, tempDir, qocEnv, BIN, STORE, readPgState, psql, pgCreateDatabase } from './lib/qoc.mjs';

const EMAIL = 'owner@example.com';
const run = promisify(execFile);
// qoc BACKUP/RESTORE without blocking the event loop (the traffic keeps flowing).
const qocAsync = async (args, env) => {
  try {
    const r = await run(BIN, args, { env: qocEnv(env), timeout: 60000 });
    return { status: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    return { status: e.code, stdout: e.stdout, stderr: e.stderr };
  }
};

const basic = (app) =>
  `Basic ${Buffer.from(`${encodeURIComponent(app.client_id)}:${encodeURIComponent(app.client_secret)}`).toString('base64')}`;
const post = (srv, p, params, auth) => fetch(`${srv.url}${p}`, {
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: auth },
  body: new URLSearchParams(params).toString(),
});
const issue = async (srv, app) => {
  const r = await post(srv, '/oauth2/token', { grant_type: 'client_credentials' }, basic(app));
  assert.equal(r.status, 200);
  return (await r.json()).access_token;
};
const active = async (srv, app, token) =>
  (await (await post(srv, '/oauth2/introspect', { token }, basic(app))).json()).active;

describe('qoc backup and qoc restore (SQLite)', { skip: STORE !== 'sqlite' }, () => {
  let work, dir, srv, app;
  before(async () => {
    work = tempDir('qoc-backup-');
    dir = path.join(work, 'data');
    createAccount(dir, { email: EMAIL });
    app = fixture(['app', 'create', '--owner-email', EMAIL, '--name', 'Backed up', '--type', 'service',
      '--grant', 'client_credentials'], { QOC_DATA_DIR: dir });
    srv = await startServer({ dataDir: dir });
  });
  after(async () => {
    await srv?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  test('a backup taken under traffic restores every token acknowledged before it began', async () => {
    const before = [];
    for (let i = 0; i < 40; i++) before.push(await issue(srv, app));
    // Traffic during the backup: eight writers, bounded in count.
    let stop = false;
    const during = [];
    const writers = Array.from({ length: 8 }, async () => {
      for (let i = 0; i < 400 && !stop; i++) during.push(await issue(srv, app));
    });
    const file = path.join(work, 'qoc-backup.db');
    const prev = process.umask(0); // the backup is 0600 whatever the umask
    const b = await qocAsync(['backup', file], { QOC_DATA_DIR: dir });
    process.umask(prev);
    stop = true;
    await Promise.all(writers);
    assert.equal(b.status, 0, b.stderr);
    assert.match(b.stdout, /useless without .*master\.key/);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.ok(during.length > 0, 'traffic ran during the backup');

    // Restore into a new, stopped data directory that has the same master.key.
    const dir2 = path.join(work, 'restored');
    mkdirSync(dir2, { mode: 0o700 });
    copyFileSync(path.join(dir, 'master.key'), path.join(dir2, 'master.key'));
    const r = runQoc(['restore', file], { env: { QOC_DATA_DIR: dir2 } });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(statSync(path.join(dir2, 'qoc.db')).mode & 0o777, 0o600);
    const srv2 = await startServer({ dataDir: dir2 });
    try {
      for (const t of before) assert.equal(await active(srv2, app, t), true);
      // The restored store serves on: the application's secret still authenticates.
      assert.equal(await active(srv2, app, await issue(srv2, app)), true);
    } finally {
      await srv2.stop();
    }
  });

  test('restore refuses a data directory whose qoc serve is running, and changes nothing', async () => {
    const file = path.join(work, 'while-serving.db');
    assert.equal(runQoc(['backup', file], { env: { QOC_DATA_DIR: dir } }).status, 0);
    const token = await issue(srv, app); // written after the backup
    const r = runQoc(['restore', file], { env: { QOC_DATA_DIR: dir } });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /in use by a running qoc serve; stop it first/);
    assert.equal(await active(srv, app, token), true);
  });

  test('restore refuses a backup that another master.key sealed, and changes nothing', async () => {
    const file = path.join(work, 'other-key.db');
    assert.equal(runQoc(['backup', file], { env: { QOC_DATA_DIR: dir } }).status, 0);
    const dir3 = path.join(work, 'other');
    createAccount(dir3, { email: 'someone@example.com' }); // its own store and master.key
    const r = runQoc(['restore', file], { env: { QOC_DATA_DIR: dir3 } });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /master\.key does not open the backup's signing keys/);
    assert.match(r.stderr, /qoc\.db is unchanged/);
    const srv3 = await startServer({ dataDir: dir3 });
    try {
      const who = runQoc(['token', 'create', '--email', 'someone@example.com'], { env: { QOC_DATA_DIR: dir3 } });
      assert.equal(who.status, 0, 'the original store of that directory is still there');
    } finally {
      await srv3.stop();
    }
    assert.ok(!existsSync(path.join(dir3, 'qoc.db.restore')), 'no stage left behind');
  });

  test('restore refuses a damaged file, a file that is not a store, and a missing master.key', async () => {
    const file = path.join(work, 'damaged.db');
    assert.equal(runQoc(['backup', file], { env: { QOC_DATA_DIR: dir } }).status, 0);
    const bytes = readFileSync(file);
    for (let i = 8192; i < bytes.length; i += 4096) bytes.fill(0x5a, i + 100, i + 400);
    writeFileSync(file, bytes);
    const dir4 = path.join(work, 'target');
    mkdirSync(dir4, { mode: 0o700 });
    copyFileSync(path.join(dir, 'master.key'), path.join(dir4, 'master.key'));
    let r = runQoc(['restore', file], { env: { QOC_DATA_DIR: dir4 } });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /not an intact qoc store/);
    assert.ok(!existsSync(path.join(dir4, 'qoc.db')));

    const notdb = path.join(work, 'notes.txt');
    writeFileSync(notdb, 'this is not a database\n'.repeat(300));
    r = runQoc(['restore', notdb], { env: { QOC_DATA_DIR: dir4 } });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /not an intact qoc store/);

    const dir5 = path.join(work, 'nokey');
    mkdirSync(dir5, { mode: 0o700 });
    r = runQoc(['restore', file], { env: { QOC_DATA_DIR: dir5 } });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /master\.key is missing/);
  });

  test('backup refuses the data directory, an existing file, and a data directory with no store', () => {
    let r = runQoc(['backup', path.join(dir, 'copy.db')], { env: { QOC_DATA_DIR: dir } });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /next to master\.key/);
    const file = path.join(work, 'exists.db');
    writeFileSync(file, 'x');
    r = runQoc(['backup', file], { env: { QOC_DATA_DIR: dir } });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /exists; name a new file/);
    assert.equal(readFileSync(file, 'utf8'), 'x');
    const empty = path.join(work, 'empty');
    r = runQoc(['backup', path.join(work, 'nothing.db')], { env: { QOC_DATA_DIR: empty } });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /no qoc store in .*QOC_DATA_DIR=DIR/);
    assert.ok(!existsSync(empty), 'backup creates no data directory');
  });
});

describe('PostgreSQL: pg_dump and pg_restore as docs/operations.md says', { skip: STORE !== 'postgres' }, () => {
  let work, dir, srv, app, pg;
  before(async () => {
    pg = readPgState();
    work = tempDir('qoc-pgbackup-');
    dir = path.join(work, 'data');
    createAccount(dir, { email: EMAIL });
    app = fixture(['app', 'create', '--owner-email', EMAIL, '--name', 'Dumped', '--type', 'service',
      '--grant', 'client_credentials'], { QOC_DATA_DIR: dir });
    srv = await startServer({ dataDir: dir });
  });
  after(async () => {
    await srv?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  test('qoc backup and restore point to pg_dump', () => {
    const r = runQoc(['backup', path.join(work, 'x.db')], { env: { QOC_DATA_DIR: dir } });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /QOC_DATABASE is PostgreSQL; use pg_dump and pg_restore/);
  });

  test('a pg_dump taken under traffic restores every token acknowledged before it', async () => {
    const before = [];
    for (let i = 0; i < 30; i++) before.push(await issue(srv, app));
    let stop = false;
    const writers = Array.from({ length: 4 }, async () => {
      for (let i = 0; i < 200 && !stop; i++) await issue(srv, app);
    });
    // The database this data directory uses (qocEnv made it).
    const url = qocEnv({ QOC_DATA_DIR: dir }).QOC_DATABASE;
    const dump = path.join(work, 'qoc.dump');
    const d = await run(path.join(pg.pgbin, 'pg_dump'), ['--format=custom', '--no-owner', `--file=${dump}`, `--dbname=${url}`], { timeout: 60000 });
    stop = true;
    await Promise.all(writers);
    assert.ok(statSync(dump).size > 0, d.stderr);
    const name = `qoc_restored_${process.pid}`;
    const url2 = pgCreateDatabase(pg, name);
    const r = spawnSync(path.join(pg.pgbin, 'pg_restore'), ['--no-owner', '--exit-on-error', `--dbname=${url2}`, dump], { encoding: 'utf8', timeout: 60000 });
    assert.equal(r.status, 0, r.stderr);
    // A node on the restored database, with the same master.key (the same data dir).
    const srv2 = await startServer({ dataDir: dir, env: { QOC_DATABASE: url2 } });
    try {
      for (const t of before) assert.equal(await active(srv2, app, t), true);
    } finally {
      await srv2.stop();
      psql(pg, 'postgres', `DROP DATABASE ${name}`);
    }
  });
});
