// The test-only `qoc-fixture` command (tests/fixture/qoc_fixture.c): it creates and
// changes applications in the store that `qoc` reads, for an account made by
// `qoc user add`, through the same use cases as the console API.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { tempDir, createAccount, fixture, runFixture, runQoc, startServer } from './lib/qoc.mjs';

const CLIENT_ID = /^qoc_client_[a-z0-9]{24}$/;
const SECRET = /^qoc_secret_[A-Za-z0-9_-]{43}$/;

describe('qoc-fixture app', () => {
  let dir;
  let env;
  let ada;
  before(() => {
    dir = tempDir();
    env = { QOC_DATA_DIR: dir };
    ada = createAccount(dir, { email: 'ada@example.com', name: 'Ada' });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const create = (...args) => fixture(['app', 'create', '--owner-email', 'ada@example.com', ...args], env);

  test('createAccount returns the id qoc user add printed', () => {
    assert.match(ada.id, /^acct_[a-z0-9]{20}$/);
    const dup = runQoc(['user', 'add', '--email', 'ADA@example.com', '--name', 'X', '--password-stdin'],
      { env, input: 'long enough\n' });
    assert.notEqual(dup.status, 0);
    assert.throws(() => createAccount(dir, { email: 'ada@example.com' }), /already exists/);
  });

  test('a web app: client id, secret, the owner\'s personal team', () => {
    const app = create('--name', 'Web', '--type', 'web', '--redirect-uri', 'https://app.example.com/cb',
      '--redirect-uri', 'http://127.0.0.1/cb', '--logout-uri', 'https://app.example.com/bye');
    assert.match(app.client_id, CLIENT_ID);
    assert.match(app.client_secret, SECRET);
    assert.equal(app.team_id, `team_${ada.id}`);
    assert.equal(app.owner_id, ada.id);
  });

  test('spa and mobile are public: client_secret is null', () => {
    for (const type of ['spa', 'mobile']) {
      const app = create('--name', type, '--type', type);
      assert.match(app.client_id, CLIENT_ID);
      assert.equal(app.client_secret, null);
    }
  });

  test('a service app with every scalar option', () => {
    const app = create('--name', 'Svc', '--type', 'service', '--grant', 'client_credentials',
      '--status', 'inactive', '--token-format', 'jwt', '--id-token-alg', 'ES256',
      '--access-token-lifetime', '600', '--refresh-token-lifetime', '86400', '--id-token-lifetime', '300',
      '--origin', 'https://app.example.com', '--description', 'machine to machine');
    assert.match(app.client_secret, SECRET);
  });

  test('stdout is exactly one JSON line', () => {
    const r = runFixture(['app', 'create', '--owner-email', 'ada@example.com', '--name', 'J', '--type', 'web'], { env });
    assert.equal(r.status, 0);
    assert.equal(r.stdout.trim().split('\n').length, 1);
    assert.deepEqual(Object.keys(JSON.parse(r.stdout)).sort(), ['client_id', 'client_secret', 'owner_id', 'team_id']);
  });

  test('invalid input exits 2 naming each field', () => {
    const r = runFixture(['app', 'create', '--owner-email', 'ada@example.com', '--name', 'Bad', '--type', 'spa',
      '--redirect-uri', 'https://ok.example/cb', '--redirect-uri', 'http://evil.example/cb',
      '--grant', 'client_credentials', '--access-token-lifetime', '5'], { env });
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /redirect_uris\[1\]: must use https/);
    assert.doesNotMatch(r.stderr, /redirect_uris\[0\]/);
    assert.match(r.stderr, /grant_types\[0\]:/);
    assert.match(r.stderr, /access_token_lifetime: must be between 60 and 86400/);
  });

  test('each bad value names its field', () => {
    const cases = [
      [['--name', 'X', '--type', 'desktop'], /\btype: must be one of web, spa, mobile, service/],
      [['--name', '', '--type', 'web'], /\bname: is required/],
      [['--name', 'X', '--type', 'web', '--status', 'paused'], /\bstatus: /],
      [['--name', 'X', '--type', 'web', '--token-format', 'saml'], /\btoken_format: /],
      [['--name', 'X', '--type', 'web', '--id-token-alg', 'none'], /\bid_token_signed_response_alg: /],
      [['--name', 'X', '--type', 'web', '--origin', 'https://a.example/path'], /\ballowed_origins\[0\]: /],
      [['--name', 'X', '--type', 'web', '--sso-redirect-uri', 'javascript:alert(1)'], /\bsso_redirect_uris\[0\]: /],
      [['--name', 'X', '--type', 'web', '--refresh-token-lifetime', 'soon'], /--refresh-token-lifetime: must be a whole number/],
      [['--name', 'X', '--type', 'web', '--bogus', '1'], /unexpected argument "--bogus"/],
      [['--name', 'X', '--type', 'web', '--redirect-uri'], /incomplete argument "--redirect-uri"/],
      [['--name', 'X'], /--owner-email, --name and --type are required/],
    ];
    for (const [args, want] of cases) {
      const r = runFixture(['app', 'create', '--owner-email', 'ada@example.com', ...args], { env });
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, want, args.join(' '));
    }
  });

  test('an unknown owner exits 2 naming owner-email', () => {
    const r = runFixture(['app', 'create', '--owner-email', 'nobody@example.com', '--name', 'X', '--type', 'web'], { env });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /owner-email: no account nobody@example.com/);
    assert.throws(() => fixture(['app', 'create', '--owner-email', 'nobody@example.com', '--name', 'X', '--type', 'web'], env),
      (e) => e.status === 2 && /owner-email/.test(e.message));
  });

  test('regenerate-secret gives a new secret; public apps have none', () => {
    const app = create('--name', 'Regen', '--type', 'web');
    const again = fixture(['app', 'regenerate-secret', app.client_id], env);
    assert.equal(again.client_id, app.client_id);
    assert.match(again.client_secret, SECRET);
    assert.notEqual(again.client_secret, app.client_secret);
    const spa = create('--name', 'Pub', '--type', 'spa');
    const r = runFixture(['app', 'regenerate-secret', spa.client_id], { env });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /client_id: .* public client/);
  });

  test('set-status and delete; unknown ids exit 2', () => {
    const app = create('--name', 'Life', '--type', 'web');
    assert.deepEqual(fixture(['app', 'set-status', app.client_id, 'suspended'], env),
      { client_id: app.client_id, status: 'suspended' });
    const bad = runFixture(['app', 'set-status', app.client_id, 'paused'], { env });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /status: must be one of active, inactive, suspended/);
    assert.deepEqual(fixture(['app', 'delete', app.client_id], env), { client_id: app.client_id, deleted: true });
    for (const args of [['delete', app.client_id], ['set-status', app.client_id, 'active'], ['regenerate-secret', app.client_id]]) {
      const r = runFixture(['app', ...args], { env });
      assert.equal(r.status, 2, args.join(' '));
      assert.match(r.stderr, /client_id: no application/);
    }
  });

  test('usage errors exit 2', () => {
    assert.equal(runFixture([], { env }).status, 2);
    assert.equal(runFixture(['app', 'launch'], { env }).status, 2);
    assert.equal(runFixture(['app', 'delete'], { env }).status, 2);
    assert.equal(runFixture(['app', 'create', '--config'], { env }).status, 2);
    assert.equal(runFixture(['help'], { env }).status, 0);
  });

  test('reads the same configuration as qoc: a bad key is refused', () => {
    const r = runFixture(['app', 'create', '--owner-email', 'ada@example.com', '--name', 'X', '--type', 'web'],
      { env: { ...env, QOC_NO_SUCH_KEY: '1' } });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /QOC_NO_SUCH_KEY|no_such_key/i);
  });
});

describe('qoc-fixture and a running server', () => {
  test('apps can be made while qoc serve runs on the same data directory', async () => {
    const dir = tempDir();
    const srv = await startServer({ dataDir: dir });
    try {
      createAccount(dir, { email: 'grace@example.com', name: 'Grace' });
      const app = fixture(['app', 'create', '--owner-email', 'grace@example.com', '--name', 'Live', '--type', 'web'],
        { QOC_DATA_DIR: dir });
      assert.match(app.client_secret, SECRET);
      assert.equal((await fetch(`${srv.url}/readyz`)).status, 200);
    } finally {
      await srv.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
