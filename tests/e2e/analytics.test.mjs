// The Analytics tab of the console in a real browser (Debian's Chromium through
// playwright-core) against the real `qoc serve`: known traffic through a trusted proxy
// from two countries, then the four headline figures, the charts, the Hourly / Daily /
// Weekly switch and the export buttons, checked against the API. A screenshot of the tab
// is kept as a test artifact (e2e-artifacts/analytics-tab.png) whether it passes or not.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';

import { startServer, tempDir, runQoc, createAccount, fixture } from '../integration/lib/qoc.mjs';
import { openBrowser, withScreenshot, signIn, ARTIFACTS } from './lib/console.mjs';

const GEOIP = '/usr/share/tor/geoip';

// An address in the first range of country cc in the installed tor-geoipdb.
function addressIn(cc) {
  for (const line of readFileSync(GEOIP, 'utf8').split('\n')) {
    const m = /^(\d+),(\d+),([A-Z?]{2})$/.exec(line);
    if (!m || m[3] !== cc || Number(m[2]) - Number(m[1]) < 4) continue;
    const n = Number(m[1]) + 2;
    return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
  }
  throw new Error(`no ${cc} range`);
}

describe('console: the Analytics tab', { skip: !existsSync(GEOIP) && 'tor-geoipdb is not installed' }, () => {
  let srv, dir, owner, pat, b, page, app, idle;

  before(async () => {
    dir = tempDir('qoc-e2e-an-');
    owner = createAccount(dir, { email: 'owner@example.com', name: 'Olivia Owner', password: 'owner password 1' });
    const t = runQoc(['token', 'create', '--email', owner.email], { env: { QOC_DATA_DIR: dir } });
    assert.equal(t.status, 0, t.stderr);
    pat = t.stdout.trim();
    app = fixture(['app', 'create', '--owner-email', owner.email, '--name', 'Metrics Demo', '--type', 'web',
      '--redirect-uri', 'https://demo.example.com/cb', '--grant', 'authorization_code', '--grant', 'client_credentials'],
    { QOC_DATA_DIR: dir });
    idle = fixture(['app', 'create', '--owner-email', owner.email, '--name', 'Idle App', '--type', 'service'],
      { QOC_DATA_DIR: dir });
    srv = await startServer({ dataDir: dir, loopbackIssuer: true,
      env: { QOC_TRUSTED_PROXIES: '127.0.0.1/32', QOC_ANALYTICS_FLUSH_MS: '50' } });
    b = await openBrowser(srv.url);
    page = b.page;
  });
  after(async () => {
    await b?.close();
    const code = await srv?.stop();
    assert.doesNotMatch(srv.output(), /LeakSanitizer|AddressSanitizer|runtime error:/);
    assert.deepEqual(code, { code: 0, signal: null }, srv.output().slice(-2000));
  });

  const api = async (p) => {
    const r = await fetch(srv.url + p, { headers: { authorization: `Bearer ${pat}` } });
    return { status: r.status, json: await r.json() };
  };
  const token = (secret, ip) => fetch(`${srv.url}/oauth2/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${app.client_id}:${secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
      'x-forwarded-for': ip,
    },
    body: 'grant_type=client_credentials',
  });
  const step = (name, fn) => test(name, () => withScreenshot(page, name, fn));
  let doc;

  step('traffic: 6 token requests from Germany, 2 wrong secrets from Japan', async () => {
    const de = addressIn('DE');
    const jp = addressIn('JP');
    for (let i = 0; i < 6; i++) assert.equal((await token(app.client_secret, de)).status, 200);
    for (let i = 0; i < 2; i++) assert.equal((await token('qoc_secret_wrong', jp)).status, 401);
    for (const end = Date.now() + 15000; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) {
      doc = (await api(`/api/v1/applications/${app.client_id}/analytics`)).json;
      if (doc.total_requests === 8) break;
    }
    assert.equal(doc.total_requests, 8);
    assert.equal(doc.success_rate, 0.75);
  });

  step('an application nothing has called shows an honest empty state', async () => {
    await signIn(page, srv.url, owner);
    await page.goto(`${srv.url}/console/applications/${idle.client_id}/analytics`);
    await page.getByTestId('analytics-empty').getByText('No analytics yet.').waitFor();
  });

  step('the tab shows the four figures, the charts and the tables the API reports', async () => {
    await page.goto(`${srv.url}/console/applications/${app.client_id}/analytics`);
    await page.getByRole('heading', { level: 2, name: 'Analytics' }).waitFor();
    await page.getByTestId('analytics').waitFor();
    const figure = async (id) => (await page.getByTestId(`figure-${id}`).locator('.figure-value').textContent()).trim();
    assert.equal(await figure('total-requests'), '8');
    assert.equal(await figure('active-users'), String(doc.active_users));
    assert.equal(await figure('success-rate'), '75.0%');
    assert.match(await figure('avg-response'), /^\d+(\.\d+)? ms$/);
    for (const label of ['Total Requests', 'Active Users', 'Success Rate', 'Average Response Time'])
      await page.getByText(label, { exact: true }).waitFor();
    for (const h of ['Requests over time', 'Geographic distribution', 'Popular endpoints', 'Error rates and types', 'Export'])
      await page.getByRole('heading', { level: 3, name: h }).waitFor();
    // Chart.js drew into every canvas (a drawn canvas is not blank)
    for (const id of ['chart-requests', 'chart-countries', 'chart-endpoints', 'chart-errors']) {
      const drawn = await page.getByTestId(id).evaluate((c) => {
        const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        for (let i = 3; i < px.length; i += 4) if (px[i] !== 0) return true;
        return false;
      });
      assert.ok(drawn, `${id} is drawn`);
    }
    const rows = async (id) => page.getByTestId(id).locator('tbody tr').evaluateAll((trs) =>
      trs.map((tr) => [tr.querySelector('th').textContent.trim(), tr.querySelector('td').textContent.trim()]));
    assert.deepEqual(await rows('table-countries'), [['DE', '6'], ['JP', '2']]);
    assert.deepEqual(await rows('table-endpoints'), [['token', '8']]);
    assert.deepEqual(await rows('table-errors'), [['invalid_client', '2']]);
    assert.equal((await page.getByTestId('error-rate').textContent()).trim(), '25.0%');
    // Daily by default: 30 days -> 30 or 31 daily buckets
    const daily = Number(await page.getByTestId('chart-requests').getAttribute('data-buckets'));
    assert.ok(daily === 30 || daily === 31, String(daily));
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'analytics-tab.png'), fullPage: true });
    assert.deepEqual(b.problems, []); // no script error, no CSP refusal
  });

  step('Hourly / Weekly switch the requests chart; the totals stay', async () => {
    const group = page.getByRole('group', { name: 'Granularity' });
    await group.getByRole('button', { name: 'Hourly' }).click();
    await page.locator('[data-testid="chart-requests"][data-buckets="48"], [data-testid="chart-requests"][data-buckets="49"]').waitFor();
    assert.equal(await group.getByRole('button', { name: 'Hourly' }).getAttribute('aria-pressed'), 'true');
    assert.equal((await page.getByTestId('figure-total-requests').locator('.figure-value').textContent()).trim(), '8');
    await page.screenshot({ path: path.join(ARTIFACTS, 'analytics-tab-hourly.png'), fullPage: true });
    await group.getByRole('button', { name: 'Weekly' }).click();
    await page.locator('[data-testid="chart-requests"][data-buckets="12"], [data-testid="chart-requests"][data-buckets="13"]').waitFor();
    assert.equal((await page.getByTestId('figure-total-requests').locator('.figure-value').textContent()).trim(), '8');
  });

  step('the export buttons download CSV, JSON and PDF with the session cookie', async () => {
    for (const [f, type] of [['csv', /^text\/csv/], ['json', /^application\/json/], ['pdf', /^application\/pdf$/]]) {
      const link = page.getByTestId(`export-${f}`);
      assert.equal((await link.textContent()).trim(), f.toUpperCase());
      const href = await link.getAttribute('href');
      assert.match(href, new RegExp(`/analytics/export\\?format=${f}&granularity=week&`));
      const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
      assert.match(download.suggestedFilename(), new RegExp(`^qoc-analytics-${app.client_id}-\\d{8}-\\d{8}\\.${f}$`));
      // the same URL through the API checks the type and the content
      const r = await fetch(srv.url + href, { headers: { authorization: `Bearer ${pat}` } });
      assert.equal(r.status, 200);
      assert.match(r.headers.get('content-type'), type);
      const body = Buffer.from(await r.arrayBuffer());
      if (f === 'json') assert.equal(JSON.parse(body.toString()).total_requests, 8);
      if (f === 'csv') assert.match(body.toString(), /\r\nsummary,total_requests,8,\r\n/);
      if (f === 'pdf') assert.equal(body.subarray(0, 5).toString(), '%PDF-');
    }
  });
});
