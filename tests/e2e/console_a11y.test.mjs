// Accessibility of the console's screens, checked by axe-core (WCAG 2.1 A and AA rules) in
// Debian's Chromium against the real qoc serve: each screen, the settings tabs, a form
// showing server errors and an open dialog, at desktop and phone widths.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

import { startServer, tempDir, runQoc, createAccount } from '../integration/lib/qoc.mjs';
import { openBrowser, withScreenshot, signIn } from './lib/console.mjs';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

describe('console accessibility (axe-core)', () => {
  let srv, dir, owner, viewer, pat, b, page, web, spa;
  before(async () => {
    dir = tempDir('qoc-e2e-a11y-');
    owner = createAccount(dir, { email: 'ally@example.com', name: 'Ally', password: 'ally password 1' });
    viewer = createAccount(dir, { email: 'vic@example.com', name: 'Vic Viewer', password: 'vic password 22' });
    const t = runQoc(['token', 'create', '--email', owner.email], { env: { QOC_DATA_DIR: dir } });
    assert.equal(t.status, 0, t.stderr);
    pat = t.stdout.trim();
    srv = await startServer({ dataDir: dir, loopbackIssuer: true });
    const create = async (body) => {
      const r = await fetch(`${srv.url}/api/v1/applications`, {
        method: 'POST', headers: { authorization: `Bearer ${pat}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
      });
      assert.equal(r.status, 201);
      return r.json();
    };
    web = await create({ name: 'Web One', type: 'web', redirect_uris: ['https://one.example.com/cb'], grant_types: ['authorization_code', 'implicit'] });
    spa = await create({ name: 'Spa Two', type: 'spa', redirect_uris: ['https://two.example.com/cb'] });
    b = await openBrowser(srv.url);
    page = b.page;
    await signIn(page, srv.url, owner);
  });
  after(async () => {
    await b?.close();
    const code = await srv?.stop();
    assert.deepEqual(code, { code: 0, signal: null }, srv.output().slice(-2000));
  });

  // Runs axe on the page as it is; fails listing each violation and where.
  async function check(what) {
    const result = await page.evaluate(`(async () => {
      if (!window.axe) { ${AXE}\n }
      const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
      return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
    })()`);
    assert.deepEqual(result, [], `${what}: ${JSON.stringify(result, null, 1)}`);
  }
  const screen = (name, path, ready, extra) => test(name, () => withScreenshot(page, `a11y ${name}`, async () => {
    await page.goto(srv.url + (typeof path === 'function' ? path() : path));
    await ready();
    if (extra) await extra();
    await check(name);
  }));
  const h1 = (n) => () => page.getByRole('heading', { name: n, level: 1 }).waitFor();
  const h2 = (n) => () => page.getByRole('heading', { name: n, level: 2 }).waitFor();
  // Paths of the applications made in before(): evaluated when the test runs.
  const app = (which, tab) => () => `/console/applications/${{ web, spa }[which].client_id}/${tab}`;

  screen('Dashboard', '/console/', async () => { await h1('Dashboard')(); await page.locator('canvas').waitFor(); });
  screen('Applications grid', '/console/applications', async () => { await page.locator('[data-view="grid"]').waitFor(); });
  screen('Applications list', '/console/applications', async () => {
    await page.getByRole('button', { name: 'List', exact: true }).click();
    await page.locator('[data-view="list"]').waitFor();
  });
  screen('New Application with server errors', '/console/applications/new', h1('New Application'), async () => {
    await page.getByLabel('Name').fill('x');
    await page.getByLabel('Redirect URIs').fill('http://bad.example.com/cb');
    await page.getByRole('button', { name: 'Create Application' }).click();
    await page.locator('#app-redirects-err').waitFor();
  });
  for (const [tab, label] of [['general', 'General'], ['authentication', 'Authentication'], ['credentials', 'Credentials'],
    ['sso', 'SSO'], ['advanced', 'Advanced'], ['analytics', 'Analytics'], ['transfer', 'Transfer Ownership'], ['danger', 'Danger Zone']])
    screen(`settings: ${label}`, app('web', tab), h2(label));
  screen('settings: Credentials of a public client', app('spa', 'credentials'), h2('Credentials'));
  screen('Regenerate dialog', app('web', 'credentials'), h2('Credentials'), async () => {
    await page.getByRole('button', { name: 'Regenerate', exact: true }).click();
    await page.getByRole('dialog').waitFor();
  });
  screen('Delete dialog', app('web', 'danger'), h2('Danger Zone'), async () => {
    await page.getByRole('button', { name: 'Delete Application' }).click();
    await page.getByRole('dialog').waitFor();
  });
  screen('Team', '/console/team', h1('Team'));
  screen('Audit log', '/console/audit', async () => { await h1('Audit log')(); await page.locator('.audit-table').waitFor(); });
  test('keyboard: Tab stays inside an open dialog, Escape closes it and focus goes back', () => withScreenshot(page, 'a11y keyboard', async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(srv.url + app('web', 'danger')());
    await h2('Danger Zone')();
    const opener = page.getByRole('button', { name: 'Delete Application' });
    await opener.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Delete Application' });
    await dialog.waitFor();
    await page.keyboard.type('Web One');
    for (let i = 0; i < 8; i++) {
      await page.keyboard.press('Tab');
      assert.ok(await page.evaluate(() => !!document.activeElement?.closest('dialog[open]')), `Tab ${i + 1} left the dialog`);
    }
    for (let i = 0; i < 8; i++) {
      await page.keyboard.press('Shift+Tab');
      assert.ok(await page.evaluate(() => !!document.activeElement?.closest('dialog[open]')), `Shift+Tab ${i + 1} left the dialog`);
    }
    assert.equal(await dialog.getByRole('button', { name: 'Permanently Delete' }).isEnabled(), true);
    await page.keyboard.press('Escape');
    await page.locator('dialog[open]').waitFor({ state: 'detached' });
    assert.ok(await opener.evaluate((el) => el === document.activeElement));
    // Nothing was deleted: Escape is not a confirmation.
    const r = await fetch(`${srv.url}/api/v1/applications/${web.client_id}`, { headers: { authorization: `Bearer ${pat}` } });
    assert.equal(r.status, 200);
  }));

  test('loading and error states: a slow request shows loading, a failed one an error with Try again', () => withScreenshot(page, 'a11y states', async () => {
    let mode = 'slow';
    let release;
    const gate = new Promise((r) => { release = r; });
    await page.route('**/api/v1/applications?*', async (route) => {
      if (mode === 'slow') { await gate; return route.continue(); }
      if (mode === 'fail') return route.fulfill({ status: 500, contentType: 'application/problem+json', body: '{"title":"Internal Server Error","status":500,"detail":"the store failed"}' });
      return route.continue();
    });
    try {
      await page.goto(`${srv.url}/console/applications`);
      await page.getByRole('status').getByText('Loading applications…').waitFor();
      await check('Applications while loading');
      mode = 'fail';
      release();
      await page.reload();
      const alert = page.getByRole('alert').filter({ hasText: 'the store failed' });
      await alert.waitFor();
      await check('Applications after an error');
      mode = 'pass';
      await alert.getByRole('button', { name: 'Try again' }).click();
      await page.getByRole('link', { name: 'Web One', exact: true }).waitFor(); // grid or list
    } finally {
      await page.unroute('**/api/v1/applications?*');
    }
  }));

  test('a viewer of the team sees the same screens read-only', async () => {
    const me = await (await fetch(`${srv.url}/api/v1/me`, { headers: { authorization: `Bearer ${pat}` } })).json();
    const add = await fetch(`${srv.url}/api/v1/teams/${me.personal_team}/members`, {
      method: 'POST', headers: { authorization: `Bearer ${pat}`, 'content-type': 'application/json' },
      body: JSON.stringify({ email: viewer.email, role: 'viewer' }),
    });
    assert.equal(add.status, 201);
    const vb = await openBrowser(srv.url);
    try {
      await withScreenshot(vb.page, 'a11y viewer', async () => {
        const p = vb.page;
        await signIn(p, srv.url, viewer);
        await p.getByLabel('Team', { exact: true }).selectOption(me.personal_team);
        await p.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Applications' }).click();
        await p.getByRole('link', { name: 'Web One', exact: true }).waitFor();
        assert.equal(await p.getByRole('link', { name: 'New Application' }).count(), 0);
        await p.goto(`${srv.url}/console/applications/${web.client_id}/general`);
        await p.getByText('You are a viewer in this application\'s team: settings are read-only.').waitFor();
        assert.equal(await p.getByLabel('Name').getAttribute('readonly'), '');
        assert.equal(await p.getByRole('button', { name: 'Save Changes' }).count(), 0);
        assert.equal(await p.getByRole('button', { name: 'Disable Application' }).count(), 0);
        await p.goto(`${srv.url}/console/applications/${web.client_id}/credentials`);
        await p.getByRole('heading', { name: 'Credentials', level: 2 }).waitFor();
        assert.equal(await p.getByRole('button', { name: 'Regenerate', exact: true }).count(), 0);
        // Revealing is for developers and up (the API answers 403): no buttons, a reason.
        await p.getByText('Viewers cannot see or copy the Client Secret').waitFor();
        assert.equal(await p.getByRole('button', { name: 'View Secret' }).count(), 0);
        assert.equal(await p.getByRole('button', { name: 'Copy Secret' }).count(), 0);
        await p.goto(`${srv.url}/console/applications/${web.client_id}/danger`);
        await p.getByText('Only the owner or a team admin can delete it.').waitFor();
        assert.deepEqual(vb.problems, []);
      });
    } finally {
      await vb.close();
    }
  });

  test('phone width (375 px): Applications and a settings tab', () => withScreenshot(page, 'a11y phone', async () => {
    await page.setViewportSize({ width: 375, height: 812 });
    await page.goto(`${srv.url}/console/applications`);
    await page.locator('[data-view]').waitFor();
    await check('Applications at 375 px');
    await page.goto(srv.url + app('web', 'advanced')());
    await h2('Advanced')();
    await check('Advanced at 375 px');
  }));
});
