// Issue 20 "First run" and "Upgrades": subcommands that read or add to a store never make
// one (run from the wrong directory they say where they looked and how to point at the
// right one); the start-up banner's first-administrator hint shows only while there is no
// administrator; `qoc user add` asks for the password without echoing it; a store written by
// a newer qoc is refused by an older `qoc serve` (docs/operations.md "Upgrades").
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { BIN, createAccount, freePort, qocEnv, runQoc, startServer, storeExec, tempDir } from './lib/qoc.mjs';

const HINT = /Create the first administrator/;

// Runs qoc in cwd with only the environment given (no QOC_DATA_DIR: the default ./data).
const runIn = (cwd, args, { env = {}, input } = {}) =>
  spawnSync(BIN, args, { cwd, env: qocEnv(env), input, encoding: 'utf8', timeout: 60000 });

describe('subcommands never create a second, empty store', () => {
  const cases = [
    ['user', 'add', '--email', 'ada@example.com', '--name', 'Ada', '--admin', '--password-stdin'],
    ['token', 'create', '--email', 'ada@example.com'],
    ['keys', 'rotate'],
    ['backup', '/nonexistent-dir/copy.db'],
  ];
  for (const args of cases) {
    test(`qoc ${args.slice(0, 2).join(' ')} in a directory without a store: exit 2, names the directory, creates nothing`, () => {
      const cwd = tempDir();
      const r = runIn(cwd, args, { input: 'correct horse battery staple\n' });
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, /no qoc store in \.\/data \(under [^)]+\)/);
      assert.ok(r.stderr.includes(cwd), `the message names ${cwd}: ${r.stderr}`);
      assert.match(r.stderr, /QOC_DATA_DIR=DIR/);
      assert.match(r.stderr, /--config FILE/);
      assert.deepEqual(readdirSync(cwd), [], 'no data directory, no qoc.db, no master.key');
      rmSync(cwd, { recursive: true, force: true });
    });
  }

  test('pointed at the right data directory from anywhere, qoc user add works', () => {
    const dir = tempDir();
    assert.equal(runQoc(['migrate'], { env: { QOC_DATA_DIR: dir } }).status, 0);
    const elsewhere = tempDir();
    const r = runIn(elsewhere, ['user', 'add', '--email', 'ada@example.com', '--name', 'Ada', '--password-stdin'],
      { env: { QOC_DATA_DIR: dir }, input: 'correct horse battery staple\n' });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(readdirSync(elsewhere), []);
    // A data directory whose master.key is gone is not one either (its secrets are sealed
    // under that key: a new key would make them unreadable).
    rmSync(path.join(dir, 'master.key'));
    const k = runQoc(['keys', 'rotate'], { env: { QOC_DATA_DIR: dir } });
    assert.equal(k.status, 2);
    assert.match(k.stderr, /master\.key is missing/);
    assert.ok(!existsSync(path.join(dir, 'master.key')));
    rmSync(dir, { recursive: true, force: true });
    rmSync(elsewhere, { recursive: true, force: true });
  });
});

describe('the start-up banner', () => {
  test('shows the first-administrator hint only while no administrator exists', async () => {
    const dir = tempDir();
    let srv = await startServer({ dataDir: dir });
    await srv.stop();
    assert.match(srv.output(), HINT);
    assert.match(srv.output(), /build\/qoc user add --admin --email you@example\.com --name "Your Name"\n/,
      'the prompting form, no --password-stdin');
    assert.ok(srv.output().includes(`QOC_DATA_DIR=${dir} `), 'names the data directory it serves');
    createAccount(dir, { email: 'dev@example.com', name: 'Dev' }); // not an admin: still shown
    srv = await startServer({ dataDir: dir });
    await srv.stop();
    assert.match(srv.output(), HINT);
    createAccount(dir, { email: 'root@example.com', name: 'Root', admin: true });
    srv = await startServer({ dataDir: dir });
    await srv.stop();
    assert.match(srv.output(), /QOC is serving on/);
    assert.doesNotMatch(srv.output(), HINT);
    rmSync(dir, { recursive: true, force: true });
  });
});

// A pseudo-terminal from Python's pty module: qoc sees a TTY on stdin, the test reads
// everything the terminal would show.
const PTY = `
import os, pty, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
out = b''
def read_until(pat, secs=30):
    global out
    end = time.time() + secs
    while pat not in out and time.time() < end:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
read_until(b'Password: ')
os.write(fd, os.environ['PW'].encode() + b'\\n')
read_until(b'created account')
read_until(b'\\n__never__', 2)
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode('utf8', 'replace'))
sys.exit(os.waitstatus_to_exitcode(status))
`;

describe('qoc user add at a terminal', () => {
  test('asks for the password and does not echo it', () => {
    const dir = tempDir();
    assert.equal(runQoc(['migrate'], { env: { QOC_DATA_DIR: dir } }).status, 0);
    const pw = 'a password nobody sees 42';
    const r = spawnSync('python3', ['-c', PTY, BIN, 'user', 'add', '--admin', '--email', 'tty@example.com', '--name', 'Tty'],
      { env: qocEnv({ QOC_DATA_DIR: dir, PW: pw }), encoding: 'utf8', timeout: 60000 });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /Password: /);
    assert.match(r.stdout, /created account acct_\S+ <tty@example\.com> \(instance admin\)/);
    assert.ok(!r.stdout.includes(pw), `the terminal showed the password:\n${r.stdout}`);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('upgrades', () => {
  test('a store migrated by a newer qoc is refused by qoc serve, which names the versions', async () => {
    const dir = tempDir();
    assert.equal(runQoc(['migrate'], { env: { QOC_DATA_DIR: dir } }).status, 0);
    storeExec(dir, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_from_the_future', 0)");
    const r = runQoc(['serve'], { env: { QOC_DATA_DIR: dir, QOC_LISTEN: `127.0.0.1:${await freePort()}` } });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /database schema is newer than this binary; refusing it" db_version=9999 known_version=\d+ hint="upgrade qoc"/);
    assert.match(r.stderr, /qoc: database: migration failed/);
    assert.doesNotMatch(r.stdout, /QOC is serving/);
    // qoc migrate refuses it the same way.
    const m = runQoc(['migrate'], { env: { QOC_DATA_DIR: dir } });
    assert.equal(m.status, 1);
    rmSync(dir, { recursive: true, force: true });
  });
});
