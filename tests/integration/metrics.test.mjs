// Issue 20, metrics: GET /metrics on the metrics listener (metrics_listen), read with a real
// Prometheus parser (Debian's python3-prometheus-client,
// prometheus_client.parser.text_string_to_metric_families), and the counters moved by
// exactly the requests this test sent. Also: off by default, never on the main listener,
// nothing but /metrics on its own.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { startServer, createAccount, fixture, freePort, runQoc, tempDir } from './lib/qoc.mjs';

// Debian's interpreter, where apt puts python3-prometheus-client (scripts/deps.sh), not
// whatever python3 comes first on PATH.
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const PARSE = `
import json, math, sys
from prometheus_client.parser import text_string_to_metric_families
out = []
for fam in text_string_to_metric_families(sys.stdin.read()):
    for s in fam.samples:
        v = s.value
        out.append({"family": fam.name, "type": fam.type, "name": s.name, "labels": s.labels,
                    "value": v if math.isfinite(v) else str(v)})
print(json.dumps(out))
`;

// The exposition parsed: { samples, get(name, labels) -> value or undefined, types }.
function parse(text) {
  const r = spawnSync(PYTHON, ['-c', PARSE], { input: text, encoding: 'utf8', timeout: 30000 });
  assert.equal(r.status, 0, `the Prometheus parser refused the exposition: ${r.stderr}`);
  const samples = JSON.parse(r.stdout);
  const key = (name, labels) => `${name}${JSON.stringify(Object.entries(labels).sort())}`;
  const map = new Map(samples.map((s) => [key(s.name, s.labels), s.value]));
  const types = new Map(samples.map((s) => [s.family, s.type]));
  return { samples, types, get: (name, labels = {}) => map.get(key(name, labels)) };
}

const EMAIL = 'metrics@example.com';
const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

describe('metrics listener', () => {
  let srv;
  let mport;
  let env;
  let svc;
  let jwtSvc;
  let other;

  const basic = (id, secret) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
  const cc = (app, secret = app.client_secret) => fetch(`${srv.url}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(app.client_id, secret) },
    body: 'grant_type=client_credentials',
  });
  const scrape = async () => {
    const r = await fetch(`http://127.0.0.1:${mport}/metrics`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), CONTENT_TYPE);
    return parse(await r.text());
  };
  // Sequential: each request is over (and counted) before the next one and the scrape.
  const times = async (n, fn) => {
    const statuses = [];
    for (let i = 0; i < n; i++) {
      const r = await fn();
      await r.arrayBuffer();
      statuses.push(r.status);
    }
    return statuses;
  };

  before(async () => {
    mport = await freePort();
    srv = await startServer({ loopbackIssuer: true, env: { QOC_METRICS_LISTEN: `127.0.0.1:${mport}` } });
    env = { QOC_DATA_DIR: srv.dataDir };
    createAccount(srv.dataDir, { email: EMAIL, name: 'Metrics' });
    const mk = (name, ...extra) => fixture(['app', 'create', '--owner-email', EMAIL, '--name', name,
      '--type', 'service', ...extra], env);
    svc = mk('metrics svc');
    jwtSvc = mk('metrics jwt svc', '--token-format', 'jwt');
    other = mk('metrics other svc');
  });
  after(async () => {
    await srv?.stop();
  });

  test('counters move by exactly the requests sent', async () => {
    const N = 7; const J = 2; const M = 3; const D = 2;
    const before = await scrape();
    assert.deepEqual(await times(N, () => cc(svc)), Array(N).fill(200));
    assert.deepEqual(await times(J, () => cc(jwtSvc)), Array(J).fill(200));
    assert.deepEqual(await times(M, () => cc(svc, 'qoc_secret_wrong')), Array(M).fill(401));
    assert.deepEqual(await times(D, () => fetch(`${srv.url}/.well-known/openid-configuration`)), Array(D).fill(200));
    assert.deepEqual(await times(1, () => fetch(`${srv.url}/no/such/path`)), [404]);
    const after = await scrape();
    const delta = (name, labels) => (after.get(name, labels) ?? 0) - (before.get(name, labels) ?? 0);

    const token = '/oauth2/token';
    assert.equal(delta('qoc_http_requests_total', { route: token, status: '200' }), N + J);
    assert.equal(delta('qoc_http_requests_total', { route: token, status: '401' }), M);
    assert.equal(delta('qoc_http_requests_total', { route: '/.well-known/openid-configuration', status: '200' }), D);
    // The route label is the router's pattern; a path no route matches is "none".
    assert.equal(delta('qoc_http_requests_total', { route: 'none', status: '404' }), 1);
    assert.ok(!after.samples.some((s) => s.labels.route === '/no/such/path'));
    // Scrapes are not counted: the metrics listener is not part of the traffic.
    assert.ok(!after.samples.some((s) => s.labels.route === '/metrics'));

    // Latency histogram of the token route: count and +Inf bucket moved by every request,
    // buckets cumulative.
    const h = 'qoc_http_request_duration_seconds';
    assert.equal(after.types.get(h), 'histogram');
    assert.equal(delta(`${h}_count`, { route: token }), N + J + M);
    assert.equal(delta(`${h}_bucket`, { route: token, le: '+Inf' }), N + J + M);
    assert.ok(delta(`${h}_sum`, { route: token }) > 0);
    const buckets = after.samples.filter((s) => s.name === `${h}_bucket` && s.labels.route === token);
    assert.ok(buckets.length >= 10);
    for (let i = 1; i < buckets.length; i++) assert.ok(buckets[i].value >= buckets[i - 1].value);

    assert.equal(delta('qoc_tokens_issued_total', { grant: 'client_credentials', format: 'opaque' }), N);
    assert.equal(delta('qoc_tokens_issued_total', { grant: 'client_credentials', format: 'jwt' }), J);
    assert.equal(delta('qoc_tokens_issued_total', { grant: 'authorization_code', format: 'opaque' }), 0);
    // RFC 9068 access tokens are signed with access_token_alg (ES256 by default).
    assert.equal(delta('qoc_signatures_total', { alg: 'ES256', op: 'sign' }), J);
    // Opaque client_credentials tokens are stored (JWT ones are not).
    assert.equal(delta('qoc_store_operation_duration_seconds_count', { op: 'tokens_issue' }), N);
    assert.equal(after.types.get('qoc_store_pool_wait_seconds'), 'histogram');

    // Families read at scrape time.
    assert.ok(after.get('process_cpu_seconds_total') > 0);
    assert.ok(after.get('process_resident_memory_bytes') > 1 << 20);
    assert.ok(after.get('process_open_fds') > 0);
    assert.ok(after.get('process_start_time_seconds') > 1.6e9);
    assert.ok(after.get('qoc_http_open_connections') >= 0);
    assert.equal(after.get('qoc_mail_outbox_pending'), 0);
    assert.equal(after.types.get('qoc_analytics_queue_depth'), 'gauge');
    assert.equal(after.get('qoc_analytics_events_total', { outcome: 'dropped' }), 0);
  });

  // SECURITY.md "Repeated failures are throttled": 20 failures of one (client, address)
  // lock it; each further attempt is a 429 and one client_pair refusal.
  test('throttle refusals by kind', async () => {
    const before = await scrape();
    const statuses = await times(22, () => cc(other, 'qoc_secret_wrong'));
    assert.deepEqual(statuses, [...Array(20).fill(401), 429, 429]);
    const after = await scrape();
    const delta = (kind) => after.get('qoc_throttle_refusals_total', { kind }) - before.get('qoc_throttle_refusals_total', { kind });
    assert.equal(delta('client_pair'), 2);
    assert.equal(delta('client_addr'), 0);
    assert.equal(delta('login_pair'), 0);
  });

  test('the metrics listener serves GET /metrics and nothing else', async () => {
    for (const p of ['/', '/healthz', '/oauth2/token', '/.well-known/openid-configuration', '/metrics/x']) {
      const r = await fetch(`http://127.0.0.1:${mport}${p}`);
      await r.arrayBuffer();
      assert.equal(r.status, 404, p);
    }
    const head = await fetch(`http://127.0.0.1:${mport}/metrics`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-type'), CONTENT_TYPE);
  });

  test('the main listener does not serve /metrics', async () => {
    const r = await fetch(`${srv.url}/metrics`);
    await r.arrayBuffer();
    assert.equal(r.status, 404);
  });
});

describe('metrics_listen', () => {
  test('is off by default', async () => {
    const srv = await startServer();
    try {
      const r = await fetch(`${srv.url}/metrics`);
      await r.arrayBuffer();
      assert.equal(r.status, 404);
      assert.doesNotMatch(srv.output(), /serving metrics/);
    } finally {
      await srv.stop();
    }
  });

  test('a bad value stops the server with a message naming the key', () => {
    const dir = tempDir();
    for (const v of ['9464', '127.0.0.1:', 'localhost:99999']) {
      const r = runQoc(['serve'], { env: { QOC_DATA_DIR: dir, QOC_METRICS_LISTEN: v } });
      assert.equal(r.status, 2, v);
      assert.match(r.stderr, /config: metrics_listen/);
    }
    const r = runQoc(['serve'], { env: { QOC_DATA_DIR: dir, QOC_LISTEN: '127.0.0.1:18555', QOC_METRICS_LISTEN: '127.0.0.1:18555' } });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /metrics_listen: "127\.0\.0\.1:18555" must use another port than listen/);
    rmSync(dir, { recursive: true, force: true });
  });
});
