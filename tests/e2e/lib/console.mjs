// Browser-test support for the QOC Cloud Console: Debian's Chromium driven by
// playwright-core (never a downloaded browser), a fresh profile per browser, the real
// sign-in through QOC Login, a screenshot of the page when a step fails, and the mail
// folder and token endpoint checks the tests share.
import { chromium } from 'playwright-core';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deflateSync } from 'node:zlib';

export const CHROMIUM = process.env.QOCTEST_CHROMIUM || '/usr/bin/chromium';
export const ARTIFACTS = process.env.QOCTEST_ARTIFACTS ||
  path.resolve(process.env.QOCTEST_BIN ? path.dirname(process.env.QOCTEST_BIN) : 'build', 'e2e-artifacts');

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// A browser with a fresh user-data dir: { context, page, close() }. The clipboard is
// granted for origin (the copy buttons are tested by reading it back).
export async function openBrowser(origin, { viewport = { width: 1280, height: 900 } } = {}) {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'qoc-e2e-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: ARGS, viewport, locale: 'en-GB', timezoneId: 'UTC',
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  context.setDefaultTimeout(15000);
  const page = context.pages()[0] ?? await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) problems.push(`csp: ${m.text()}`);
  });
  return {
    context, page, problems,
    async close() {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

// Runs fn; when it throws, saves a full-page screenshot under ARTIFACTS, prints its path
// and rethrows.
export async function withScreenshot(page, name, fn) {
  try {
    return await fn();
  } catch (e) {
    mkdirSync(ARTIFACTS, { recursive: true });
    const file = path.join(ARTIFACTS, `${name.replace(/[^A-Za-z0-9_-]+/g, '_')}-${Date.now()}.png`);
    try {
      await page.screenshot({ path: file, fullPage: true });
      console.error(`screenshot of the failure: ${file}`);
    } catch (s) {
      console.error(`no screenshot (${s.message})`);
    }
    throw e;
  }
}

// Opens the console signed out and signs in through QOC Login: /console/ sends the
// browser to /console/login, QOC Login's form, then back to next.
export async function signIn(page, url, { email, password }, next = '/console/') {
  await page.goto(url + next);
  await page.waitForURL((u) => !u.pathname.startsWith('/console/') || u.pathname === '/console/login', { timeout: 15000 })
    .catch(() => {});
  await page.locator('input[name="email"]').fill(email);
  await page.locator('input[name="password"]').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => u.pathname.startsWith('/console/') && u.pathname !== '/console/login');
  await page.getByRole('navigation', { name: 'Console' }).waitFor();
}

// Without SMTP qoc writes mail to <data dir>/mail/*.eml (mail/sender.h).
export async function waitForMail(dataDir, pred, ms = 10000) {
  const dir = path.join(dataDir, 'mail');
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.eml'))) {
      const text = readFileSync(path.join(dir, f), 'utf8');
      if (pred(text)) return text;
    }
  }
  return null;
}

// client_credentials at the real token endpoint with client_secret_basic (RFC 6749 §2.3.1:
// form-urlencoded, then base64): { status, json }.
export async function clientCredentials(url, clientId, secret) {
  const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64');
  const r = await fetch(`${url}/oauth2/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  return { status: r.status, json: await r.json().catch(() => null) };
}

// A real w x h RGBA PNG (a diagonal gradient), built here so no binary fixture is needed.
export function makePng(w = 32, h = 32) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc((w * 4 + 1) * h);
  for (let y = 0; y < h; y++) {
    raw[y * (w * 4 + 1)] = 0;
    for (let x = 0; x < w; x++) {
      const o = y * (w * 4 + 1) + 1 + x * 4;
      raw[o] = (x * 255) / w; raw[o + 1] = (y * 255) / h; raw[o + 2] = 160; raw[o + 3] = 255;
    }
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}
