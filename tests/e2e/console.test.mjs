// The QOC Cloud Console in a real browser (Debian's Chromium through playwright-core)
// against the real `qoc serve` (SQLite in a temp dir): sign-in through QOC Login, every
// application action of issue 5, checked in the page and then through the API, the token
// endpoint and the mail folder. Each step saves a screenshot when it fails.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

import { startServer, tempDir, runQoc, createAccount } from '../integration/lib/qoc.mjs';
import { openBrowser, withScreenshot, signIn, waitForMail, clientCredentials, makePng } from './lib/console.mjs';

const TYPES = [
  { type: 'web', label: 'Web Application', name: 'Shop Web', redirect: 'https://shop.example.com/callback', secret: true },
  { type: 'spa', label: 'Single Page Application', name: 'Dash SPA', redirect: 'https://dash.example.com/cb', secret: false },
  { type: 'mobile', label: 'Mobile App', name: 'Phone App', redirect: 'com.example.phone:/callback', secret: false },
  { type: 'service', label: 'Service/API', name: 'Billing Service', redirect: '', secret: true },
];

describe('console in the browser', () => {
  let srv, dir, owner, other, sam, pat, b, page;
  const apps = {}; // type -> { client_id, client_secret }

  before(async () => {
    dir = tempDir('qoc-e2e-');
    owner = createAccount(dir, { email: 'owner@example.com', name: 'Olivia Owner', password: 'owner password 1' });
    other = createAccount(dir, { email: 'dana@example.com', name: 'Dana Dev', password: 'dana password 22' });
    sam = createAccount(dir, { email: 'sam@example.com', name: 'Sam Short', password: 'sam password 333' });
    const t = runQoc(['token', 'create', '--email', owner.email], { env: { QOC_DATA_DIR: dir } });
    assert.equal(t.status, 0, t.stderr);
    pat = t.stdout.trim();
    // The console's redirect URI follows the issuer: make it the URL the browser uses.
    srv = await startServer({ dataDir: dir, loopbackIssuer: true });
    b = await openBrowser(srv.url);
    page = b.page;
  });
  after(async () => {
    await b?.close();
    const code = await srv?.stop();
    assert.doesNotMatch(srv.output(), /LeakSanitizer|AddressSanitizer|runtime error:/);
    assert.deepEqual(code, { code: 0, signal: null }, srv.output().slice(-2000));
  });

  // The API as the owner (a personal access token), to check what the page claims.
  async function api(method, p, body) {
    const r = await fetch(srv.url + p, {
      method,
      headers: { authorization: `Bearer ${pat}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await r.text();
    return { status: r.status, json: text ? JSON.parse(text) : undefined };
  }
  const step = (name, fn) => test(name, () => withScreenshot(page, name, fn));
  const clipboard = () => page.evaluate(() => navigator.clipboard.readText());
  const openApp = async (type, tab) => {
    await page.goto(`${srv.url}/console/applications/${apps[type].client_id}/${tab}`);
    await page.getByRole('heading', { level: 2, name: tab === 'transfer' ? 'Transfer Ownership' : tab === 'danger' ? 'Danger Zone' : new RegExp(`^${tab}$`, 'i') }).waitFor();
  };

  step('sign in through QOC Login (no second password form) and see the shell', async () => {
    await signIn(page, srv.url, owner);
    assert.equal(new URL(page.url()).pathname, '/console/');
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Console' });
    for (const l of ['Dashboard', 'Applications', 'Team', 'Audit log'])
      await nav.getByRole('link', { name: l, exact: true }).waitFor();
    await page.getByText('owner@example.com').waitFor();
    await page.getByLabel('Team', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await page.getByRole('link', { name: 'Create Application' }).waitFor();
  });

  step('New Application shows the server\'s HTTPS and wildcard messages beside Redirect URIs', async () => {
    await page.getByRole('link', { name: 'Create Application' }).click();
    await page.getByRole('heading', { name: 'New Application' }).waitFor();
    await page.getByLabel('Name').fill('Bad Redirects');
    await page.getByLabel('Application Type').selectOption('web');
    const uris = page.getByLabel('Redirect URIs');
    await uris.fill('http://shop.example.com/cb');
    await page.getByRole('button', { name: 'Create Application' }).click();
    const errors = page.locator('#app-redirects-err');
    await errors.getByText(/https/i).waitFor();
    assert.equal(await uris.getAttribute('aria-invalid'), 'true');
    await uris.fill('https://a*.example.com/cb');
    await page.getByRole('button', { name: 'Create Application' }).click();
    await errors.getByText(/wildcard|label|\*/i).waitFor();
    const list = await api('GET', '/api/v1/applications');
    assert.equal(list.json.items.length, 0, 'nothing was created');
  });

  step('create an application of each type; the secret is shown once', async () => {
    for (const t of TYPES) {
      await page.goto(`${srv.url}/console/applications/new`);
      await page.getByLabel('Name').fill(t.name);
      await page.getByLabel('Description').fill(`the ${t.type} one`);
      await page.getByLabel('Application Type').selectOption({ label: t.label });
      if (t.redirect) await page.getByLabel('Redirect URIs').fill(t.redirect);
      await page.getByRole('button', { name: 'Create Application' }).click();
      await page.getByRole('heading', { name: 'Application created' }).waitFor();
      const clientId = (await page.getByTestId('new-client-id').textContent()).trim();
      assert.match(clientId, /^qoc_client_[a-z0-9]{24}$/);
      const secret = page.getByTestId('new-client-secret');
      if (t.secret) {
        await page.getByText('Store the Client Secret securely now.').waitFor();
        apps[t.type] = { client_id: clientId, client_secret: (await secret.textContent()).trim() };
        assert.match(apps[t.type].client_secret, /^qoc_secret_/);
        await page.getByRole('button', { name: 'Copy Client Secret' }).click();
        assert.equal(await clipboard(), apps[t.type].client_secret);
      } else {
        assert.equal(await secret.count(), 0);
        await page.getByText(/has no Client Secret/).waitFor();
        apps[t.type] = { client_id: clientId };
      }
      assert.ok(!page.url().includes('qoc_secret_'), 'no secret in the URL');
      const g = await api('GET', `/api/v1/applications/${clientId}`);
      assert.equal(g.status, 200);
      assert.equal(g.json.type, t.type);
      assert.equal(g.json.name, t.name);
      assert.deepEqual(g.json.redirect_uris, t.redirect ? [t.redirect] : []);
    }
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
    assert.doesNotMatch(stored, /qoc_secret_/);
  });

  step('Applications in Grid and List view (remembered), with search and filters', async () => {
    await page.goto(`${srv.url}/console/applications`);
    await page.getByRole('heading', { name: 'Applications', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'New Application' }).waitFor();
    const grid = page.locator('[data-view="grid"]');
    await grid.waitFor();
    for (const t of TYPES) {
      const card = page.getByRole('article', { name: t.name });
      await card.getByText(t.label, { exact: true }).waitFor();
      await card.getByText(apps[t.type].client_id).waitFor();
      await card.getByText('Active', { exact: true }).waitFor();
      await card.getByText('Never').waitFor(); // Last used
      for (const a of ['View Details', 'Edit Settings', 'View Credentials', 'Delete'])
        await card.getByRole(a === 'Delete' ? 'button' : 'link', { name: a, exact: true }).waitFor();
      assert.equal(await card.getByRole('button', { name: 'Regenerate Secret' }).count(), t.secret ? 1 : 0);
    }
    await page.getByRole('button', { name: 'List', exact: true }).click();
    const table = page.locator('[data-view="list"] table');
    await table.waitFor();
    assert.equal(await table.locator('tbody tr').count(), 4);
    assert.equal(await page.getByRole('button', { name: 'List', exact: true }).getAttribute('aria-pressed'), 'true');
    await page.reload();
    await page.locator('[data-view="list"] table').waitFor();
    for (const t of TYPES) await page.getByRole('row', { name: new RegExp(t.name) }).waitFor();
    // Filters and search go to the server.
    await page.getByLabel('Type', { exact: true }).selectOption('mobile');
    await page.waitForFunction(() => document.querySelectorAll('[data-view="list"] tbody tr').length === 1);
    await page.getByRole('row', { name: /Phone App/ }).waitFor();
    await page.getByLabel('Type', { exact: true }).selectOption('');
    await page.getByLabel('Search applications').fill('Billing');
    await page.waitForFunction(() => document.querySelectorAll('[data-view="list"] tbody tr').length === 1);
    await page.getByRole('row', { name: /Billing Service/ }).waitFor();
    await page.getByLabel('Search applications').fill('');
    await page.getByRole('button', { name: 'Grid', exact: true }).click();
    await page.locator('[data-view="grid"]').waitFor();
    assert.equal(await page.evaluate(() => localStorage.getItem('qoc.console.view')), 'grid');
  });

  step('copy the Client ID from a card (clipboard), with a confirmation', async () => {
    await page.goto(`${srv.url}/console/applications`);
    const card = page.getByRole('article', { name: 'Shop Web' });
    await page.evaluate(() => navigator.clipboard.writeText('nothing yet'));
    await card.getByRole('button', { name: 'Copy Client ID' }).click();
    await card.getByText('Copied').waitFor();
    assert.equal(await clipboard(), apps.web.client_id);
  });

  step('credentials: hidden by default, View Secret, Copy Secret; public clients say why they have none', async () => {
    await page.goto(`${srv.url}/console/applications`);
    await page.getByRole('article', { name: 'Billing Service' }).getByRole('link', { name: 'View Credentials' }).click();
    await page.getByRole('heading', { name: 'Credentials', level: 2 }).waitFor();
    const secret = page.getByTestId('client-secret');
    assert.doesNotMatch(await secret.textContent(), /qoc_secret_/, 'hidden by default');
    await page.getByRole('button', { name: 'View Secret' }).click();
    await page.getByRole('button', { name: 'Hide Secret' }).waitFor();
    assert.equal((await secret.textContent()).trim(), apps.service.client_secret);
    await page.evaluate(() => navigator.clipboard.writeText('nothing yet'));
    await page.getByRole('button', { name: 'Copy Secret' }).click();
    await page.getByText('Client Secret copied').waitFor();
    assert.equal(await clipboard(), apps.service.client_secret);
    assert.ok(!page.url().includes(apps.service.client_secret));
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
    assert.ok(!stored.includes(apps.service.client_secret), 'no secret in web storage');
    await page.getByTestId('client-id').getByText(apps.service.client_id).waitFor();

    await openApp('spa', 'credentials');
    await page.getByText(/This is a public client/).waitFor();
    assert.equal(await page.getByRole('button', { name: 'View Secret' }).count(), 0);
  });

  step('regenerate the secret (confirmation warns); the old one fails at the token endpoint', async () => {
    assert.equal((await clientCredentials(srv.url, apps.service.client_id, apps.service.client_secret)).status, 200);
    await openApp('service', 'credentials');
    await page.getByRole('button', { name: 'Regenerate', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Regenerate Client Secret?' });
    await dialog.getByText(/stops working immediately/).waitFor();
    await dialog.getByRole('button', { name: 'Regenerate Secret' }).click();
    const shown = page.getByRole('dialog', { name: 'New Client Secret' }).getByTestId('new-client-secret');
    await shown.waitFor();
    const fresh = (await shown.textContent()).trim();
    assert.match(fresh, /^qoc_secret_/);
    assert.notEqual(fresh, apps.service.client_secret);
    await page.getByRole('button', { name: 'Done' }).click();
    const old = await clientCredentials(srv.url, apps.service.client_id, apps.service.client_secret);
    assert.equal(old.status, 401); // SECURITY.md: old secrets after a regeneration get invalid_client
    assert.equal(old.json.error, 'invalid_client');
    const now = await clientCredentials(srv.url, apps.service.client_id, fresh);
    assert.equal(now.status, 200, JSON.stringify(now.json));
    assert.ok(now.json.access_token);
    apps.service.client_secret = fresh;
  });

  step('regenerate from the card (web app): the dialog, then the new secret once', async () => {
    await page.goto(`${srv.url}/console/applications`);
    const opener = page.getByRole('article', { name: 'Shop Web' }).getByRole('button', { name: 'Regenerate Secret' });
    await opener.click();
    const dialog = page.getByRole('dialog', { name: 'Regenerate Client Secret?' });
    await dialog.getByRole('button', { name: 'Regenerate Secret' }).click();
    const fresh = (await page.getByTestId('new-client-secret').textContent()).trim();
    assert.notEqual(fresh, apps.web.client_secret);
    await page.keyboard.press('Escape');
    await page.locator('dialog').waitFor({ state: 'detached' });
    assert.ok(await opener.evaluate((el) => el === document.activeElement), 'focus returns to the card');
    apps.web.client_secret = fresh;
  });

  step('a secret older than 90 days shows a rotation reminder', async () => {
    await openApp('web', 'general');
    assert.equal(await page.getByText('Time to rotate the Client Secret.').count(), 0);
    // Time cannot be moved forward in the server, so the test ages the secret in the store
    // (the sqlite3 CLI on the test's own database; seconds since the epoch).
    const r = spawnSync('sqlite3', [path.join(dir, 'qoc.db'),
      `UPDATE applications SET secret_created_at = secret_created_at - 100 * 86400 WHERE client_id = '${apps.web.client_id}'`], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const age = Date.now() - Date.parse((await api('GET', `/api/v1/applications/${apps.web.client_id}`)).json.secret_created_at);
    assert.ok(age > 99 * 86400e3, `secret_created_at moved back (${age} ms)`);
    await page.reload();
    const hint = page.getByRole('list', { name: 'Recommendations' });
    await hint.getByText('Time to rotate the Client Secret.').waitFor();
    await hint.getByText(/100 days old/).waitFor();
    await hint.getByRole('link', { name: 'Go to Credentials' }).click();
    await page.getByRole('heading', { name: 'Credentials', level: 2 }).waitFor();
  });

  step('Authentication: edit redirect URIs, see a validation error beside the entry, then save', async () => {
    await openApp('web', 'authentication');
    const form = page.getByRole('form', { name: 'Redirect URIs' });
    await form.getByLabel('Redirect URIs 1').fill('https://shop.example.com/callback2');
    await form.getByLabel('New entry for Redirect URIs').fill('http://evil.example.com/cb');
    await form.getByRole('button', { name: 'Add to Redirect URIs' }).click();
    await form.getByRole('button', { name: 'Save Redirect URIs' }).click();
    const bad = form.getByLabel('Redirect URIs 2');
    await form.locator('li.field-invalid .field-errors').getByText(/https/i).waitFor();
    assert.equal(await bad.getAttribute('aria-invalid'), 'true');
    assert.deepEqual((await api('GET', `/api/v1/applications/${apps.web.client_id}`)).json.redirect_uris,
      ['https://shop.example.com/callback'], 'nothing saved');
    await form.getByRole('button', { name: 'Remove http://evil.example.com/cb' }).click();
    await form.getByLabel('New entry for Redirect URIs').fill('http://localhost:3000/callback');
    await form.getByRole('button', { name: 'Add to Redirect URIs' }).click();
    await form.getByRole('button', { name: 'Save Redirect URIs' }).click();
    await form.getByText('Saved. Changes take effect immediately.').waitFor();
    assert.deepEqual((await api('GET', `/api/v1/applications/${apps.web.client_id}`)).json.redirect_uris,
      ['https://shop.example.com/callback2', 'http://localhost:3000/callback']);
    const origins = page.getByRole('form', { name: 'Allowed Origins' });
    await origins.getByLabel('New entry for Allowed Origins').fill('https://shop.example.com/path');
    await origins.getByRole('button', { name: 'Add to Allowed Origins' }).click();
    await origins.getByRole('button', { name: 'Save Allowed Origins' }).click();
    await origins.locator('.field-errors').first().waitFor();
    await origins.getByLabel('Allowed Origins 1').fill('https://shop.example.com');
    await origins.getByRole('button', { name: 'Save Allowed Origins' }).click();
    await origins.getByText('Saved. Changes take effect immediately.').waitFor();
    assert.deepEqual((await api('GET', `/api/v1/applications/${apps.web.client_id}`)).json.allowed_origins, ['https://shop.example.com']);
  });

  step('SSO: redirect URIs for SSO and logout URIs', async () => {
    await openApp('web', 'sso');
    const sso = page.getByRole('form', { name: 'Redirect URIs for SSO' });
    await sso.getByLabel('New entry for Redirect URIs for SSO').fill('https://shop.example.com/sso');
    await sso.getByRole('button', { name: 'Add to Redirect URIs for SSO' }).click();
    await sso.getByRole('button', { name: 'Save Redirect URIs for SSO' }).click();
    await sso.getByText('Saved. Changes take effect immediately.').waitFor();
    const out = page.getByRole('form', { name: 'Logout URIs' });
    await out.getByLabel('New entry for Logout URIs').fill('https://shop.example.com/bye');
    // Typed but not added: Save takes it too.
    await out.getByRole('button', { name: 'Save Logout URIs' }).click();
    await out.getByText('Saved. Changes take effect immediately.').waitFor();
    const g = (await api('GET', `/api/v1/applications/${apps.web.client_id}`)).json;
    assert.deepEqual(g.sso_redirect_uris, ['https://shop.example.com/sso']);
    assert.deepEqual(g.logout_uris, ['https://shop.example.com/bye']);
  });

  step('Advanced: lifetimes with hints, grant types (Implicit flagged legacy), PKCE', async () => {
    await openApp('web', 'advanced');
    const at = page.getByLabel('Access Token Lifetime (seconds)');
    await at.fill('7200');
    await page.getByText(/^2 hours\./).waitFor();
    await page.getByLabel('Refresh Token Lifetime (seconds)').fill('86400');
    await page.getByLabel('ID Token Lifetime (seconds)').fill('10');
    await page.getByLabel(/^Implicit/).check();
    await page.getByText('Legacy (not recommended)').waitFor();
    await page.getByLabel(/^Client Credentials/).check();
    await page.getByRole('button', { name: 'Save Advanced Settings' }).click();
    await page.locator('#adv-id_token_lifetime-err').waitFor(); // 10 s is under the minimum
    assert.equal((await api('GET', `/api/v1/applications/${apps.web.client_id}`)).json.access_token_lifetime, 3600);
    await page.getByLabel('ID Token Lifetime (seconds)').fill('1800');
    await page.getByRole('button', { name: 'Save Advanced Settings' }).click();
    await page.getByText('Saved. Changes take effect immediately.').waitFor();
    const g = (await api('GET', `/api/v1/applications/${apps.web.client_id}`)).json;
    assert.equal(g.access_token_lifetime, 7200);
    assert.equal(g.refresh_token_lifetime, 86400);
    assert.equal(g.id_token_lifetime, 1800);
    assert.deepEqual([...g.grant_types].sort(), ['authorization_code', 'client_credentials', 'implicit', 'refresh_token']);
    // Best-practice hint: an app with the implicit grant shows a warning.
    await page.getByRole('list', { name: 'Recommendations' }).getByText('The Implicit grant is enabled.').waitFor();
    await page.getByLabel(/^Implicit/).uncheck();
    await page.getByRole('button', { name: 'Save Advanced Settings' }).click();
    await page.getByText('The Implicit grant is enabled.').waitFor({ state: 'detached' });
    assert.ok(!(await api('GET', `/api/v1/applications/${apps.web.client_id}`)).json.grant_types.includes('implicit'));
    // The web app can now use client_credentials with its (regenerated) secret.
    assert.equal((await clientCredentials(srv.url, apps.web.client_id, apps.web.client_secret)).status, 200);
    // Public clients get the PKCE recommendation and no client_credentials.
    await openApp('spa', 'advanced');
    await page.getByText('PKCE is required for this public client.').waitFor();
    assert.equal(await page.getByLabel(/^Client Credentials/).isDisabled(), true);
  });

  step('General: upload an icon (preview first), then remove it', async () => {
    await openApp('web', 'general');
    const png = makePng(48, 48);
    await page.getByLabel('Upload icon').setInputFiles({ name: 'icon.png', mimeType: 'image/png', buffer: png });
    const preview = page.getByRole('img', { name: 'Preview of the new icon' });
    await preview.waitFor();
    assert.match(await preview.getAttribute('src'), /^blob:/);
    await page.getByRole('button', { name: 'Save Icon' }).click();
    await page.getByText('Icon uploaded.').waitFor();
    await page.getByRole('img', { name: 'Shop Web icon' }).waitFor();
    const g = (await api('GET', `/api/v1/applications/${apps.web.client_id}`)).json;
    assert.equal(g.icon_url, `/api/v1/applications/${apps.web.client_id}/icon`);
    const icon = await fetch(srv.url + g.icon_url);
    assert.equal(icon.status, 200);
    assert.deepEqual(Buffer.from(await icon.arrayBuffer()), png);
    // The image really loads under the console's CSP.
    await page.waitForFunction((i) => i.complete && i.naturalWidth === 48,
      await page.getByRole('img', { name: 'Shop Web icon' }).elementHandle(), { timeout: 5000 });
    await page.getByRole('button', { name: 'Remove Icon' }).click();
    await page.getByText('Icon removed.').waitFor();
    assert.equal((await api('GET', `/api/v1/applications/${apps.web.client_id}`)).json.icon_url, null);
    // A file that is not an image type is refused before upload.
    await page.getByLabel('Upload icon').setInputFiles({ name: 'x.svg', mimeType: 'image/svg+xml', buffer: Buffer.from('<svg/>') });
    await page.getByText(/PNG, JPEG or WebP image/).waitFor();
  });

  step('General: rename, and disable the app (its client_credentials then fail), then enable it', async () => {
    await openApp('service', 'general');
    await page.getByLabel('Name').fill('Billing API');
    await page.getByRole('button', { name: 'Save Changes' }).click();
    await page.getByRole('heading', { name: 'Billing API', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Disable Application' }).click();
    await page.getByRole('button', { name: 'Enable Application' }).waitFor();
    await page.locator('.app-summary').getByText('Inactive', { exact: true }).waitFor();
    assert.equal((await api('GET', `/api/v1/applications/${apps.service.client_id}`)).json.status, 'inactive');
    assert.equal((await clientCredentials(srv.url, apps.service.client_id, apps.service.client_secret)).status, 401);
    await page.getByRole('button', { name: 'Enable Application' }).click();
    await page.getByRole('button', { name: 'Disable Application' }).waitFor();
    assert.equal((await clientCredentials(srv.url, apps.service.client_id, apps.service.client_secret)).status, 200);
  });

  step('Team: add a member by email, change the role, remove a member', async () => {
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Team' }).click();
    await page.getByRole('heading', { name: 'Team', level: 1 }).waitFor();
    await page.getByLabel('Email').fill(other.email);
    await page.getByLabel('Role', { exact: true }).selectOption('viewer');
    await page.getByRole('button', { name: 'Add Member' }).click();
    await page.getByText(`${other.email} added as Viewer.`).waitFor();
    const role = page.getByLabel('Role of Dana Dev');
    await role.selectOption('developer');
    // Remove: a third account, added then removed through the confirmation dialog.
    await page.getByLabel('Email').fill(sam.email);
    await page.getByRole('button', { name: 'Add Member' }).click();
    await page.getByRole('button', { name: 'Remove Sam Short' }).click();
    const confirm = page.getByRole('dialog', { name: 'Remove member?' });
    await confirm.getByRole('button', { name: 'Remove Member' }).click();
    await page.getByRole('button', { name: 'Remove Sam Short' }).waitFor({ state: 'detached' });
    for (let i = 0; i < 50; i++) {
      const m = (await api('GET', `/api/v1/teams/${(await api('GET', '/api/v1/me')).json.personal_team}/members`)).json.items;
      if (m.find((x) => x.email === other.email)?.role === 'developer') break;
      assert.ok(i < 49, 'the role change reached the server');
      await new Promise((r) => setTimeout(r, 100));
    }
    const team = (await api('GET', '/api/v1/me')).json.personal_team;
    assert.ok(!(await api('GET', `/api/v1/teams/${team}/members`)).json.items.some((x) => x.email === sam.email));
  });

  step('Transfer Ownership: wrong password refused, the right one moves it, the email arrives', async () => {
    await openApp('mobile', 'transfer');
    await page.getByText(/you will lose owner privileges/).first().waitFor();
    await page.getByLabel('New owner').selectOption(other.id);
    await page.getByLabel('Your password').fill('not my password');
    await page.getByRole('button', { name: 'Transfer Ownership' }).click();
    let dialog = page.getByRole('dialog', { name: 'Transfer ownership?' });
    await dialog.getByText('You will lose owner privileges.').waitFor();
    await dialog.getByRole('button', { name: 'Transfer', exact: true }).click();
    await page.locator('#transfer-password-err').waitFor();
    assert.equal((await api('GET', `/api/v1/applications/${apps.mobile.client_id}`)).json.owner, owner.id);
    await page.getByLabel('Your password').fill(owner.password);
    assert.equal(await page.getByLabel('Your password').inputValue(), owner.password);
    await page.getByRole('button', { name: 'Transfer Ownership' }).click();
    dialog = page.getByRole('dialog', { name: 'Transfer ownership?' });
    await dialog.getByRole('button', { name: 'Transfer', exact: true }).click();
    await page.getByText(/Ownership transferred to Dana Dev/).waitFor();
    assert.equal((await api('GET', `/api/v1/applications/${apps.mobile.client_id}`)).json.owner, other.id);
    const mail = await waitForMail(dir, (t) => /^To: dana@example\.com\r?$/m.test(t) && t.includes(apps.mobile.client_id));
    assert.ok(mail, 'the new owner is emailed');
  });

  step('Danger Zone: Permanently Delete stays disabled until the exact name is typed', async () => {
    await openApp('spa', 'danger');
    const open = page.getByRole('button', { name: 'Delete Application' });
    await open.click();
    const dialog = page.getByRole('dialog', { name: 'Delete Application' });
    const confirm = dialog.getByLabel(/to confirm/);
    const go = dialog.getByRole('button', { name: 'Permanently Delete' });
    assert.ok(await confirm.evaluate((el) => el === document.activeElement), 'focus moves into the dialog');
    assert.equal(await go.isDisabled(), true);
    await confirm.fill('Dash');
    assert.equal(await go.isDisabled(), true);
    await confirm.fill('dash spa');
    assert.equal(await go.isDisabled(), true);
    await page.keyboard.press('Escape'); // closes, focus goes back
    await page.locator('dialog[open]').waitFor({ state: 'detached' });
    assert.ok(await open.evaluate((el) => el === document.activeElement), 'focus returns to the opener');
    assert.equal((await api('GET', `/api/v1/applications/${apps.spa.client_id}`)).status, 200);
    await open.click();
    await confirm.fill('Dash SPA');
    assert.equal(await go.isDisabled(), false);
    await go.click();
    await page.waitForURL((u) => u.pathname === '/console/applications');
    await page.locator('[data-view]').first().waitFor();
    assert.equal(await page.getByRole('article', { name: 'Dash SPA' }).count(), 0);
    assert.equal((await api('GET', `/api/v1/applications/${apps.spa.client_id}`)).status, 404);
  });

  step('Dashboard counts by status and recent activity; Audit log filters', async () => {
    await api('PATCH', `/api/v1/applications/${apps.web.client_id}`, { status: 'inactive' });
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Dashboard' }).click();
    await page.locator('td[data-status="active"]').getByText('2', { exact: true }).waitFor(); // service + mobile
    await page.locator('td[data-status="inactive"]').getByText('1', { exact: true }).waitFor();
    await page.getByRole('img', { name: 'Applications by status' }).waitFor(); // the Chart.js canvas
    await page.getByRole('heading', { name: 'Recent activity' }).waitFor();
    await page.locator('.activity li').first().waitFor();
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
    await page.getByRole('cell', { name: 'Ownership transferred' }).waitFor();
    await page.getByRole('cell', { name: 'Member added' }).first().waitFor();
    await page.getByLabel('Action').selectOption({ label: 'Secret regenerated' });
    await page.waitForFunction(() => [...document.querySelectorAll('.audit-table tbody tr td:nth-child(2)')].every((td) => td.textContent === 'Secret regenerated'));
    assert.equal(await page.locator('.audit-table tbody tr').count(), 2);
  });

  step('Last used: relative time on the card, the exact time on hover', async () => {
    const g = (await api('GET', `/api/v1/applications/${apps.service.client_id}`)).json;
    assert.ok(g.last_used_at, 'the token endpoint calls above marked the app used');
    await page.goto(`${srv.url}/console/applications`);
    const when = page.getByRole('article', { name: 'Billing API' }).locator(`time[datetime="${g.last_used_at}"]`);
    await when.waitFor();
    assert.match(await when.textContent(), /just now|minute|second/);
    const exact = await when.getAttribute('title');
    assert.match(exact, /2\d{3}/, 'the exact date and time');
    assert.ok(exact.includes(String(new Date(g.last_used_at).getUTCFullYear())));
  });

  step('Analytics shows what the API counts; an unknown application is an error, not a blank page', async () => {
    // The web app was called at the token endpoint above (its regenerated secret).
    // tests/e2e/analytics.test.mjs checks the tab in detail, and its empty state.
    let web;
    for (let i = 0; i < 100; i++) { // the writer flushes within analytics_flush_ms (1 s)
      web = (await api('GET', `/api/v1/applications/${apps.web.client_id}/analytics`)).json;
      if (web.total_requests > 0) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    assert.ok(web.total_requests > 0);
    await openApp('web', 'analytics');
    await page.getByTestId('analytics').waitFor();
    assert.equal((await page.getByTestId('figure-total-requests').locator('.figure-value').textContent()).trim(),
      String(web.total_requests));
    await page.goto(`${srv.url}/console/applications/qoc_client_000000000000000000000000/general`);
    await page.getByRole('alert').getByText('No such application in your teams.').waitFor();
  });

  step('the team switcher in the header drives the application list', async () => {
    const t = await api('POST', '/api/v1/teams', { name: 'Second Team' });
    assert.equal(t.status, 201);
    await page.goto(`${srv.url}/console/applications`);
    await page.getByRole('article', { name: 'Billing API' }).waitFor();
    await page.getByLabel('Team', { exact: true }).selectOption(t.json.id);
    await page.getByText('No applications yet.').waitFor();
    assert.equal(await page.getByRole('article').count(), 0);
    await page.reload(); // the choice is remembered
    await page.getByText('No applications yet.').waitFor();
    assert.equal(await page.getByLabel('Team', { exact: true }).inputValue(), t.json.id);
    await page.getByRole('link', { name: 'New Application' }).click();
    await page.getByLabel('Name').fill('Second Team App');
    await page.getByLabel('Application Type').selectOption('service');
    await page.getByRole('button', { name: 'Create Application' }).click();
    const id = (await page.getByTestId('new-client-id').textContent()).trim();
    assert.equal((await api('GET', `/api/v1/applications/${id}`)).json.team, t.json.id);
    await page.getByLabel('Team', { exact: true }).selectOption((await api('GET', '/api/v1/me')).json.personal_team);
  });

  step('a phone width (375 px) shows the whole app without sideways scrolling', async () => {
    await page.setViewportSize({ width: 375, height: 812 });
    for (const p of ['/console/', '/console/applications', `/console/applications/${apps.web.client_id}/credentials`]) {
      await page.goto(srv.url + p);
      await page.locator('main h1').first().waitFor();
      const over = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(over <= 0, `${p}: ${over}px wider than the screen`);
    }
    // Every sidebar entry and settings tab is on screen, none scrolled out of sight.
    for (const link of [...await page.getByRole('navigation', { name: 'Console' }).getByRole('link').all(),
      ...await page.getByRole('navigation', { name: 'Application settings' }).getByRole('link').all()]) {
      const box = await link.boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= 375, `${await link.textContent()} is off screen`);
    }
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  step('no CSP violation or page error happened', async () => {
    assert.deepEqual(b.problems, []);
  });

  step('an expired session sends the browser to sign in and back to the same page', async () => {
    await page.goto(`${srv.url}/console/team`);
    await page.getByRole('heading', { name: 'Team', level: 1 }).waitFor();
    // The page's own requests first: one still to be sent after the cookies go would meet
    // the 401 itself and leave for the sign-in before the click below (seen on a loaded CI).
    await page.waitForLoadState('networkidle');
    await b.context.clearCookies(); // the console session and the SSO session are gone
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Audit log' }).click();
    await page.locator('input[name="password"]').waitFor(); // the API said 401: QOC Login's form
    await page.locator('input[name="email"]').fill(owner.email);
    await page.locator('input[name="password"]').fill(owner.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => u.pathname === '/console/audit');
    await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
  });

  step('sign out ends the console session', async () => {
    await page.goto(`${srv.url}/console/`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('input[name="password"]').waitFor();
    const s = await page.evaluate(() => fetch('/console/session').then((r) => r.status));
    assert.equal(s, 401);
  });
});
