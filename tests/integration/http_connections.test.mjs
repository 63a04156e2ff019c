// Connections (issue 13 §3) against the real binary: one address cannot hold every
// connection (per-address limit, trusted proxies with their own), and a request head
// dribbled byte by byte (slowloris) is cut at request_head_timeout, which unlike
// libmicrohttpd's own timeout does not restart on every byte. The rightful client at
// another loopback address keeps being answered throughout.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';

import { startServer, statusOf } from './lib/qoc.mjs';

// One GET /healthz from localAddress; resolves { status, ms }.
function get(port, localAddress, { timeoutMs = 5000 } = {}) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const sock = net.connect({ port, host: '127.0.0.1', localAddress });
    let data = '';
    const done = () => { clearTimeout(timer); sock.destroy(); resolve({ status: statusOf(data), ms: Date.now() - t0 }); };
    const timer = setTimeout(done, timeoutMs);
    sock.on('data', (d) => { data += d.toString('latin1'); });
    sock.on('error', done);
    sock.on('close', done);
    sock.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  });
}

// Opens n connections from localAddress that send the start of a head and then nothing.
// Resolves once each is connected or failed: { socks, closed() -> how many the server shut }.
async function slowConnections(port, localAddress, n) {
  const socks = [];
  let closed = 0;
  await Promise.all(Array.from({ length: n }, () => new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1', localAddress });
    socks.push(s);
    const t = setTimeout(resolve, 5000);
    s.on('connect', () => { s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n'); clearTimeout(t); resolve(); });
    s.on('error', () => { clearTimeout(t); resolve(); });
    s.on('close', () => { closed++; });
  })));
  return { socks, closed: () => closed, destroy: () => socks.forEach((s) => s.destroy()) };
}

describe('connections', () => {
  let srv;
  before(async () => {
    srv = await startServer({
      env: {
        QOC_MAX_CONNECTIONS_PER_ADDRESS: '16',
        QOC_REQUEST_HEAD_TIMEOUT: '2',
        QOC_TRUSTED_PROXIES: '127.0.0.9',
        QOC_MAX_CONNECTIONS_PER_PROXY: '200',
        QOC_ACCESS_LOG: 'false',
      },
    });
  });
  after(async () => { await srv.stop(); });

  test('attack: 1,100 slow connections from one address do not lock out another (per-address limit)', async () => {
    const flood = await slowConnections(srv.port, '127.0.0.2', 1100);
    try {
      // All but the address's 16 are closed at accept.
      for (let i = 0; i < 50 && flood.closed() < 1100 - 16; i++) await new Promise((r) => setTimeout(r, 100));
      assert.ok(flood.closed() >= 1100 - 16, `closed at accept: ${flood.closed()}`);
      const r = await get(srv.port, '127.0.0.3');
      assert.equal(r.status, 200);
      assert.ok(r.ms < 1000, `answered in ${r.ms} ms`);
    } finally {
      flood.destroy();
    }
  });

  test('a trusted proxy has its own limit (max_connections_per_proxy), above the per-address one', async () => {
    const proxy = await slowConnections(srv.port, '127.0.0.9', 40);
    try {
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(proxy.closed(), 0, 'all 40 proxy connections held');
      assert.equal((await get(srv.port, '127.0.0.9')).status, 200);
    } finally {
      proxy.destroy();
    }
  });

  test('attack: slowloris, a head dribbled byte by byte, is cut at request_head_timeout', async () => {
    const head = `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(60)}\r\n\r\n`;
    const sock = net.connect({ port: srv.port, host: '127.0.0.1', localAddress: '127.0.0.4' });
    let closed = false, data = '';
    sock.on('close', () => { closed = true; });
    sock.on('error', () => {});
    sock.on('data', (d) => { data += d; });
    await new Promise((r) => sock.on('connect', r));
    // One byte every 100 ms: the whole head would take 9 s, each byte well inside
    // connection_timeout (30 s), so only a deadline for the whole head cuts it.
    let sent = 0;
    for (; sent < head.length - 1 && !closed; sent++) {
      sock.write(head[sent]);
      await new Promise((r) => setTimeout(r, 100));
      if (sent % 10 === 0) assert.equal((await get(srv.port, '127.0.0.3')).status, 200, 'the rightful client still works');
    }
    for (let i = 0; i < 20 && !closed; i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(closed, 'the server closed the slow connection');
    assert.ok(sent < head.length - 1, `cut before the head was complete (${sent} of ${head.length} bytes)`);
    assert.equal(data, '', 'and never answered it');
    assert.equal((await get(srv.port, '127.0.0.3')).status, 200);
  });

  test('keep-alive requests on one connection each get the full head deadline', async () => {
    const sock = net.connect({ port: srv.port, host: '127.0.0.1', localAddress: '127.0.0.5' });
    let data = '';
    sock.on('data', (d) => { data += d; });
    await new Promise((r) => sock.on('connect', r));
    // Three requests 1.2 s apart: 3.6 s in all on one connection, each head well within 2 s.
    for (let i = 0; i < 3; i++) {
      sock.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
      for (let j = 0; j < 30 && (data.match(/HTTP\/1\.1 200/g) || []).length < i + 1; j++) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 1200));
    }
    sock.destroy();
    assert.equal((data.match(/HTTP\/1\.1 200/g) || []).length, 3, data);
  });
});
