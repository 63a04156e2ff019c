// docs/openapi.yaml and the server agree: every documented path and method is served
// (not 404 or 405 from the router) and every /api/v1 route of src/api/console_routes.c
// is documented. The document is JSON-compatible YAML (see its header), read without a
// YAML parser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { startServer, tempDir, runQoc, createAccount } from './lib/qoc.mjs';

const SRC = process.env.QOCTEST_SOURCE_DIR || path.resolve('.');

function loadDoc() {
  const text = readFileSync(path.join(SRC, 'docs/openapi.yaml'), 'utf8');
  return JSON.parse(text.split('\n').filter((l) => !l.startsWith('#')).join('\n'));
}

function registeredRoutes() {
  const src = readFileSync(path.join(SRC, 'src/api/console_routes.c'), 'utf8');
  const out = new Set();
  for (const m of src.matchAll(/\{\s*"([A-Z]+)",\s*"(\/api\/v1[^"]*)"/g)) out.add(`${m[1]} ${m[2]}`);
  return out;
}

function documentedRoutes(doc) {
  const out = new Set();
  for (const [p, ops] of Object.entries(doc.paths))
    for (const m of Object.keys(ops)) out.add(`${m.toUpperCase()} ${p}`);
  return out;
}

test('the document is OpenAPI 3.1 and lists exactly the registered /api/v1 routes', () => {
  const doc = loadDoc();
  assert.equal(doc.openapi, '3.1.0');
  const reg = registeredRoutes();
  const documented = documentedRoutes(doc);
  assert.ok(reg.size >= 20, `${reg.size} routes found in console_routes.c`);
  for (const r of reg) assert.ok(documented.has(r), `${r} is registered but not documented`);
  for (const r of documented) assert.ok(reg.has(r), `${r} is documented but not registered`);
  // Every $ref resolves.
  const text = JSON.stringify(doc);
  for (const m of text.matchAll(/"\$ref":"#\/components\/(schemas|responses)\/([A-Za-z]+)"/g))
    assert.ok(doc.components[m[1]][m[2]], `${m[1]}/${m[2]} is referenced but not defined`);
});

test('GET /api/v1/applications: the documented query parameters are exactly those list_query reads', () => {
  const doc = loadDoc();
  const documented = new Set(doc.paths['/api/v1/applications'].get.parameters.filter((p) => p.in === 'query').map((p) => p.name));
  const src = readFileSync(path.join(SRC, 'src/api/console_apps.c'), 'utf8');
  const body = /static enum qoc_err list_query\([\s\S]*?\n\}/.exec(src)[0];
  const read = new Set([...body.matchAll(/qoc_form_get\(&f, "([a-z_]+)"/g)].map((m) => m[1]));
  assert.ok(read.size >= 8, `${read.size} parameters found in list_query`);
  assert.deepEqual([...documented].sort(), [...read].sort());
});

test('every documented path and method is served', async () => {
  const doc = loadDoc();
  const dir = tempDir();
  const acct = createAccount(dir, { email: 'doc@example.com' });
  const r = runQoc(['token', 'create', '--email', acct.email], { env: { QOC_DATA_DIR: dir } });
  const token = r.stdout.trim();
  const srv = await startServer({ dataDir: dir });
  try {
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const app = await (await fetch(`${srv.url}/api/v1/applications`, { method: 'POST', headers: auth, body: JSON.stringify({ type: 'web', name: 'Doc' }) })).json();
    const png = Buffer.alloc(64);
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]).copy(png);
    png.writeUInt32BE(32, 16);
    png.writeUInt32BE(32, 20);
    const put = await fetch(`${srv.url}/api/v1/applications/${app.client_id}/icon`, { method: 'PUT', headers: { ...auth, 'content-type': 'image/png' }, body: png });
    assert.equal(put.status, 200);
    const tok = await (await fetch(`${srv.url}/api/v1/tokens`, { method: 'POST', headers: auth, body: '{"name":"doc"}' })).json();
    const values = { client_id: app.client_id, team_id: `team_${acct.id}`, account_id: acct.id, token_id: tok.id };
    for (const [p, ops] of Object.entries(doc.paths)) {
      const url = p.replace(/\{([a-z_]+)\}/g, (_, n) => values[n]);
      for (const [method, o] of Object.entries(ops)) {
        // Without credentials: 401 from the handler (the router would say 404 or 405),
        // except for the public routes, which answer as documented.
        const res = await fetch(srv.url + url, { method: method.toUpperCase() });
        const expected = o.security && o.security.length === 0 ? 200 : 401;
        assert.equal(res.status, expected, `${method.toUpperCase()} ${p}`);
        if (expected === 401) assert.match(res.headers.get('www-authenticate') || '', /^Bearer/);
      }
    }
  } finally {
    await srv.stop();
  }
});
