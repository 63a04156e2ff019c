// bench/flows.mjs - full authorization code + PKCE flows per second against a running qoc,
// from N Node worker threads each running C flows at once (issue 3 "Speed"). Run by
// bench/protocol.sh; loopback only.
//
//   node bench/flows.mjs MODE URL CLIENT_ID CLIENT_SECRET REDIRECT_URI EMAIL PASSWORD
//   MODE password: every flow starts in a fresh cookie jar, so it signs in with the
//                  password (argon2id) through the real HTML form: GET /oauth2/authorize ->
//                  303 /login -> GET /login -> POST /login -> 303 redirect URI -> POST
//                  /oauth2/token (code + code_verifier). 5 requests.
//   MODE sso:      each flow loop signs in once, then every flow reuses its SSO cookie:
//                  GET /oauth2/authorize -> 303 redirect URI -> POST /oauth2/token. 2 requests.
// Consent is given once before the clock starts (it is remembered per account and app).
// Every flow has its own PKCE verifier (S256), state and nonce, and must end in a 200 from
// the token endpoint with an access token; anything else counts as an error.
// env: BENCH_SECONDS (default 5), BENCH_FLOW_WORKERS (2), BENCH_FLOW_CONCURRENCY (16 per worker).
// Prints one JSON line: { mode, flows, errors, seconds, flows_per_s, p50_ms, p99_ms,
// client_cpu_s }.
//
// Why Node and not a C/libcurl driver: the form handling (hidden csrf and handle fields,
// the form's action) reuses the parser the integration tests already pin
// (tests/integration/lib/browser.mjs) instead of a second HTML scraper in C, and needs no new
// build dependency. The cost is client CPU on the same 2 cores; the driver reports its own
// CPU seconds so the server's share can be told apart.
import http from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { formRequest } from '../tests/integration/lib/browser.mjs';

const b64u = (buf) => buf.toString('base64url');

class Client {
  constructor(base, agent) {
    this.base = new URL(base);
    this.agent = agent;
    this.cookies = new Map();
  }

  request(method, pathOrUrl, { headers = {}, body } = {}) {
    const u = new URL(pathOrUrl, this.base);
    const h = { ...headers };
    if (this.cookies.size) h.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (body !== undefined) h['content-length'] = Buffer.byteLength(body);
    return new Promise((resolve, reject) => {
      const req = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers: h,
        agent: this.agent }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          for (const sc of res.headers['set-cookie'] || []) {
            const [pair] = sc.split(';');
            const eq = pair.indexOf('=');
            const name = pair.slice(0, eq).trim();
            const value = pair.slice(eq + 1).trim();
            if (/max-age=0|expires=thu, 01 jan 1970/i.test(sc) || value === '') this.cookies.delete(name);
            else this.cookies.set(name, value);
          }
          resolve({ status: res.statusCode, location: res.headers.location ? new URL(res.headers.location, u).href : null,
            body: Buffer.concat(chunks).toString('utf8'), url: u.href });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      if (body !== undefined) req.write(body);
      req.end();
    });
  }
}

function fail(what, r) {
  throw new Error(`${what}: ${r.status} ${r.url} ${r.location || ''} ${r.body.slice(0, 200)}`);
}

// One flow in client c. Returns when the token endpoint answered 200 with an access token.
async function flow(c, o, { expectPassword }) {
  const verifier = b64u(randomBytes(32));
  const challenge = b64u(createHash('sha256').update(verifier).digest());
  const state = b64u(randomBytes(12));
  const q = new URLSearchParams({ response_type: 'code', client_id: o.clientId, redirect_uri: o.redirectUri,
    scope: 'openid', state, nonce: b64u(randomBytes(12)), code_challenge: challenge, code_challenge_method: 'S256' });
  let r = await c.request('GET', `/oauth2/authorize?${q}`);
  if (r.status !== 303) fail('authorize', r);
  if (!r.location.startsWith(o.redirectUri)) {
    if (!expectPassword) fail('sso flow went to sign-in', r);
    r = await c.request('GET', r.location);
    if (r.status !== 200) fail('sign-in page', r);
    const f = formRequest(r.body, 0, { email: o.email, password: o.password }, { base: r.url });
    r = await c.request(f.method, f.url, { body: f.body, headers: { 'content-type': f.contentType } });
    if (r.status !== 303) fail('sign-in', r);
    if (new URL(r.location).pathname === '/login/consent') { // only before the clock starts
      r = await c.request('GET', r.location);
      const cf = formRequest(r.body, 0, {}, { base: r.url, submitter: { name: 'decision', value: 'allow' } });
      r = await c.request(cf.method, cf.url, { body: cf.body, headers: { 'content-type': cf.contentType } });
      if (r.status !== 303) fail('consent', r);
    }
  }
  const cb = new URL(r.location);
  if (cb.searchParams.get('state') !== state || !cb.searchParams.get('code')) fail('callback', r);
  const body = new URLSearchParams({ grant_type: 'authorization_code', code: cb.searchParams.get('code'),
    redirect_uri: o.redirectUri, code_verifier: verifier }).toString();
  r = await c.request('POST', '/oauth2/token', { body, headers: { 'content-type': 'application/x-www-form-urlencoded',
    authorization: `Basic ${Buffer.from(`${encodeURIComponent(o.clientId)}:${encodeURIComponent(o.clientSecret)}`).toString('base64')}` } });
  if (r.status !== 200 || !JSON.parse(r.body).access_token) fail('token', r);
}

async function workerMain(o) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.concurrency });
  const lat = [];
  let flows = 0;
  let errors = 0;
  let firstError = null;
  const loops = [];
  // every loop starts signed in for sso; the clock starts when the main thread says go
  const clients = [];
  for (let i = 0; i < o.concurrency; i++) {
    const c = new Client(o.url, agent);
    if (o.mode === 'sso') await flow(c, o, { expectPassword: true });
    clients.push(c);
  }
  parentPort.postMessage({ ready: true });
  await new Promise((res) => parentPort.once('message', res));
  const end = Date.now() + o.seconds * 1000;
  for (let i = 0; i < o.concurrency; i++) {
    loops.push((async () => {
      while (Date.now() < end) {
        const c = o.mode === 'sso' ? clients[i] : new Client(o.url, agent);
        const t0 = process.hrtime.bigint();
        try {
          await flow(c, o, { expectPassword: o.mode === 'password' });
          flows++;
          lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
        } catch (e) {
          errors++;
          firstError ??= String(e.message || e);
        }
      }
    })());
  }
  await Promise.all(loops);
  agent.destroy();
  parentPort.postMessage({ flows, errors, firstError, lat });
}

async function main() {
  const [mode, url, clientId, clientSecret, redirectUri, email, password] = process.argv.slice(2);
  if (!['password', 'sso'].includes(mode) || !password) {
    console.error('usage: flows.mjs password|sso URL CLIENT_ID CLIENT_SECRET REDIRECT_URI EMAIL PASSWORD');
    process.exit(2);
  }
  const o = { mode, url, clientId, clientSecret, redirectUri, email, password,
    seconds: Number(process.env.BENCH_SECONDS || 5),
    concurrency: Number(process.env.BENCH_FLOW_CONCURRENCY || 16) };
  const nWorkers = Number(process.env.BENCH_FLOW_WORKERS || 2);
  // consent once, before any clock (remembered per account and application)
  await flow(new Client(url, new http.Agent()), o, { expectPassword: true });
  const workers = [];
  for (let i = 0; i < nWorkers; i++) workers.push(new Worker(fileURLToPath(import.meta.url), { workerData: o }));
  const onMsg = (w) => new Promise((res, rej) => { w.once('message', res); w.once('error', rej); });
  await Promise.all(workers.map(onMsg)); // all ready
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const done = workers.map(onMsg);
  for (const w of workers) w.postMessage('go');
  const results = await Promise.all(done);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0); // the whole process: all worker threads
  const lat = results.flatMap((r) => r.lat).sort((a, b) => a - b);
  const flows = results.reduce((s, r) => s + r.flows, 0);
  const errors = results.reduce((s, r) => s + r.errors, 0);
  const pct = (p) => (lat.length ? lat[Math.min(lat.length - 1, Math.floor(lat.length * p))] : 0);
  const out = { mode, flows, errors, seconds: +seconds.toFixed(2), flows_per_s: +(flows / seconds).toFixed(1),
    p50_ms: +pct(0.5).toFixed(1), p99_ms: +pct(0.99).toFixed(1), client_cpu_s: +((cpu.user + cpu.system) / 1e6).toFixed(2),
    workers: nWorkers, concurrency: o.concurrency };
  const firstError = results.find((r) => r.firstError)?.firstError;
  if (firstError) out.first_error = firstError;
  console.log(JSON.stringify(out));
  await Promise.all(workers.map((w) => w.terminate()));
}

if (isMainThread) await main();
else await workerMain(workerData);
