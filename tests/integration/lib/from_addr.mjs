// A fetch that connects from a chosen loopback source address (127.0.0.2, 127.0.0.3, ...:
// the whole 127.0.0.0/8 is loopback), for tests where the client address matters. Built
// on node:http (global fetch cannot pick its source address without undici's Agent); the
// answer is a real Response, so lib/browser.mjs's Browser takes it as its `fetch`.
import http from 'node:http';

export function fetchFrom(localAddress) {
  const agent = new http.Agent({ keepAlive: true, localAddress, maxSockets: 32 });
  const f = (url, { method = 'GET', body, headers = {} } = {}) => new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent, localAddress }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const h = new Headers();
        for (let i = 0; i < res.rawHeaders.length; i += 2) h.append(res.rawHeaders[i], res.rawHeaders[i + 1]);
        const nullBody = [101, 204, 205, 304].includes(res.statusCode);
        resolve(new Response(nullBody ? null : Buffer.concat(chunks), { status: res.statusCode, headers: h }));
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body !== undefined) req.end(body); else req.end();
  });
  f.close = () => agent.destroy();
  return f;
}
