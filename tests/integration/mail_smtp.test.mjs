// Issue 4 "Email": the transfer notice and the member invitation reach a real local SMTP
// sink (Debian's python3-aiosmtpd, its Mailbox handler writing a Maildir), delivered by the
// sender thread of `qoc serve` over SMTP (QOC_SMTP_URL), not written to .eml files.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

import { startServer, tempDir, runQoc, createAccount, freePort, mapsLibrary } from './lib/qoc.mjs';

const SINK = '/usr/lib/python3/dist-packages/aiosmtpd';
const haveSink = existsSync('/usr/bin/python3') && existsSync(SINK);

async function waitForPort(port, ms = 10000) {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) {
    const ok = await new Promise((res) => {
      const s = net.connect(port, '127.0.0.1', () => { s.destroy(); res(true); });
      s.on('error', () => res(false));
    });
    if (ok) return;
  }
  throw new Error(`SMTP sink on ${port} did not start`);
}

// The first message in the Maildir that pred accepts, waiting up to ms.
async function waitForMessage(box, pred, ms = 15000) {
  const dir = path.join(box, 'new');
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir)) {
      const text = readFileSync(path.join(dir, f), 'utf8');
      if (pred(text)) return text;
    }
  }
  return null;
}

describe('mail over SMTP', { skip: haveSink ? false : 'python3-aiosmtpd is not installed (scripts/deps.sh test installs it)' }, () => {
  let sink, srv, dir, box;
  const people = {};
  before(async () => {
    dir = tempDir();
    box = path.join(tempDir('qoc-maildir-'), 'box');
    const port = await freePort();
    sink = spawn('/usr/bin/python3', ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`,
      '-c', 'aiosmtpd.handlers.Mailbox', box], { stdio: 'ignore' });
    await waitForPort(port);
    for (const who of ['owner', 'dev']) {
      const a = createAccount(dir, { email: `${who}@example.com`, name: who });
      const t = runQoc(['token', 'create', '--email', a.email], { env: { QOC_DATA_DIR: dir } });
      assert.equal(t.status, 0, t.stderr);
      people[who] = { ...a, token: t.stdout.trim() };
    }
    srv = await startServer({ dataDir: dir, env: { QOC_SMTP_URL: `smtp://127.0.0.1:${port}` } });
  });
  after(async () => {
    const code = await srv?.stop();
    sink?.kill('SIGTERM');
    assert.deepEqual(code, { code: 0, signal: null }, srv?.output().slice(-2000));
  });

  async function api(who, method, p, body) {
    const r = await fetch(srv.url + p, {
      method,
      headers: { authorization: `Bearer ${people[who].token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, json: text ? JSON.parse(text) : undefined, text };
  }

  test('an invitation and a transfer notice arrive at the SMTP sink', async () => {
    // libcurl is loaded by the first SMTP message, not at start (docs/decisions/lazy-libraries.md).
    assert.ok(!mapsLibrary(srv.proc.pid, 'libcurl.so'), 'libcurl mapped before the first message');
    const t = await api('owner', 'POST', '/api/v1/teams', { name: 'Mail team' });
    assert.equal(t.status, 201, t.text);
    const m = await api('owner', 'POST', `/api/v1/teams/${t.json.id}/members`, { email: people.dev.email, role: 'developer' });
    assert.equal(m.status, 201, m.text);
    const invite = await waitForMessage(box, (s) => /^To: dev@example\.com\r?$/m.test(s));
    assert.ok(invite, 'the invitation reached the sink');
    assert.ok(mapsLibrary(srv.proc.pid, 'libcurl.so'), 'the message went through the loaded libcurl');

    const app = await api('owner', 'POST', '/api/v1/applications',
      { name: 'Handed over', type: 'service', team: t.json.id });
    assert.equal(app.status, 201, app.text);
    const r = await api('owner', 'POST', `/api/v1/applications/${app.json.client_id}/transfer`,
      { new_owner: people.dev.email, password: people.owner.password });
    assert.equal(r.status, 200, r.text);
    const notice = await waitForMessage(box, (s) => /^To: dev@example\.com\r?$/m.test(s) && /transferred/i.test(s));
    assert.ok(notice, 'the transfer notice reached the sink');
    assert.match(notice, /Handed over/);
    // Over SMTP nothing is written to <data_dir>/mail.
    assert.equal(existsSync(path.join(dir, 'mail')) ? readdirSync(path.join(dir, 'mail')).length : 0, 0);
  });
});
