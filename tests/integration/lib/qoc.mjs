// Test support: start and stop the real `qoc` binary on a free loopback port with a
// temporary data directory, run its subcommands, and talk raw HTTP when fetch would hide
// what is on the wire.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const BIN = process.env.QOCTEST_BIN || path.resolve('build/qoc');

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

// The environment a qoc child sees: ours without any QOC_* (qoc rejects unknown ones),
// plus what the test sets.
export function qocEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('QOC_')) env[k] = v;
  return { ...env, ...extra };
}

// Runs a subcommand to completion: { status, stdout, stderr }.
export function runQoc(args, { env = {}, input } = {}) {
  const r = spawnSync(BIN, args, { env: qocEnv(env), input, encoding: 'utf8', timeout: 60000 });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

// Starts `qoc serve`; resolves once /healthz answers. Returns { url, port, dataDir, proc,
// stderr(), stop(signal) -> exit code }.
export async function startServer({ env = {}, dataDir, args = [] } = {}) {
  const port = await freePort();
  const dir = dataDir || tempDir();
  const proc = spawn(BIN, ['serve', ...args], {
    env: qocEnv({ QOC_DATA_DIR: dir, QOC_LISTEN: `127.0.0.1:${port}`, ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout.on('data', (d) => { out += d; });
  proc.stderr.on('data', (d) => { out += d; });
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
    exited,
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      const r = await exited;
      if (!dataDir) rmSync(dir, { recursive: true, force: true });
      return r;
    },
  };
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
