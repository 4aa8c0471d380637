/**
 * In Chromium: sign-in (a bad token, an expired one, the admin token, sign-out), what a project
 * token sees (its project only), user text rendered as text (an XSS-named cluster), keyboard use,
 * and the phone-width layout.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { engines, FakeClock, startServer, type TestServer } from '../helpers/server.js';
import { chromiumSkip, ensureConsoleBuilt, launchChromium, nav, openConsole, signIn, type ChromiumHandle } from '../helpers/console.js';
import { tmp } from '../css/helpers.js';

const skipChromium = chromiumSkip();
const XSS = '<img src=x onerror=alert(1)>';

async function api(s: TestServer, method: string, path: string, body?: unknown) {
  const res = await fetch(s.url + path, {
    method,
    headers: { authorization: `Bearer ${s.adminToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return res.status === 204 ? null : ((await res.json()) as any);
}

for (const { engine, skip } of await engines()) {
  describe(`console: sign-in and visibility in Chromium on ${engine}`, { skip: skip || skipChromium }, () => {
    let s: TestServer;
    let chrome: ChromiumHandle;
    const clock = new FakeClock();
    let mine: { token: string; clusterId: string };
    let theirs: { clusterId: string; name: string };
    before(async () => {
      await ensureConsoleBuilt();
      [s, chrome] = await Promise.all([startServer({ engine, clock }), launchChromium()]);
      const c = await api(s, 'POST', `/admin/v1/projects/${s.projectId}/clusters`, { service: 'css', name: XSS, engine: { nodes: [{ name: 'n1', logDir: tmp() }] } });
      const t = await api(s, 'POST', `/admin/v1/projects/${s.projectId}/tokens`, { description: 'team token', ttl_seconds: 3600 });
      mine = { token: t.token, clusterId: c.id };
      const p = await api(s, 'POST', '/admin/v1/projects', { name: `team-b-${engine}` });
      const oc = await api(s, 'POST', `/admin/v1/projects/${p.project.id}/clusters`, { service: 'dws', name: 'team-b-warehouse', engine: { url: 'postgres://u@127.0.0.1:1/x' } });
      theirs = { clusterId: oc.id, name: 'team-b-warehouse' };
    });
    after(async () => {
      await chrome?.close();
      await s?.close();
    });

    test('a bad token gets a clear message; the admin token signs in; sign-out returns to the sign-in page', async () => {
      const cp = await openConsole(chrome.browser, `${s.url}/console/`);
      const { page } = cp;
      try {
        await page.waitForURL(/\/console\/sign-in$/);
        await signIn(page, 'lsa_not-the-token');
        const err = page.locator('.field-error');
        await err.waitFor();
        assert.equal(await err.innerText(), 'This token was not accepted: it is neither the admin token nor a valid project token.');
        assert.equal(await page.getByLabel('Token').getAttribute('aria-invalid'), 'true');
        await signIn(page, s.adminToken);
        await page.locator('.overview[data-ready=true]').waitFor();
        assert.equal(await page.locator('.who').innerText(), 'Admin');
        assert.equal(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Administration' }).count(), 1);
        await page.getByRole('button', { name: 'Sign out' }).click();
        await page.waitForURL(/\/console\/sign-in$/);
        await page.goto(`${s.url}/console/`);
        await page.waitForURL(/\/console\/sign-in$/);
        assert.deepEqual(cp.errors.filter((e) => !e.startsWith('console: Failed to load resource: the server responded with a status of 401')), [], 'only the refused sign-in');
      } finally {
        await cp.close();
      }
    });

    test('an expired project token is refused with its own message', async () => {
      const t = await api(s, 'POST', `/admin/v1/projects/${s.projectId}/tokens`, { ttl_seconds: 60 });
      clock.advance(61_000);
      const cp = await openConsole(chrome.browser, `${s.url}/console/sign-in`);
      try {
        await signIn(cp.page, t.token);
        await cp.page.locator('.field-error').waitFor();
        assert.match(await cp.page.locator('.field-error').innerText(), /^This token has expired\./);
      } finally {
        await cp.close();
      }
    });

    test('a project token sees its own project only; user text is rendered as text (the XSS-named cluster)', async () => {
      const cp = await openConsole(chrome.browser, `${s.url}/console/`);
      const { page } = cp;
      try {
        await signIn(page, mine.token);
        await page.locator('.overview[data-ready=true]').waitFor();
        assert.match(await page.locator('.who').innerText(), /^Project default$/);
        assert.equal(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Administration' }).count(), 0);
        const names = await page.locator('tr[data-cluster] td.name').allInnerTexts();
        assert.deepEqual(names, [XSS], 'the cluster name shows exactly as typed');
        assert.ok(!(await page.content()).includes(theirs.name), 'another project\'s cluster is nowhere on the page');
        assert.equal(await page.locator('img').count(), 0, 'no element was made from the name');
        await page.getByRole('link', { name: XSS }).click();
        await page.getByRole('heading', { name: XSS }).waitFor();
        assert.equal(await page.locator('img').count(), 0);
        // another project's cluster, by its address
        await page.goto(`${s.url}/console/clusters/${theirs.clusterId}`);
        await page.getByRole('heading', { name: 'Cluster not found' }).waitFor();
        assert.match(await page.locator('.alert.error').innerText(), /was not found in this project/);
        await page.goto(`${s.url}/console/admin`);
        await page.getByRole('heading', { name: 'Page not found' }).waitFor();
        assert.deepEqual(cp.errors.filter((e) => !e.startsWith('console: Failed to load resource: the server responded with a status of 404')), [], 'no errors but the refused address');
        assert.ok(!cp.errors.some((e) => e.startsWith('dialog')), 'no script ran from a name');
      } finally {
        await cp.close();
      }
    });

    test('keyboard only: sign in with Enter, reach the navigation and a cluster with Tab', async () => {
      const cp = await openConsole(chrome.browser, `${s.url}/console/`);
      const { page } = cp;
      try {
        await page.getByLabel('Token').waitFor();
        assert.equal(await page.evaluate('document.activeElement && document.activeElement.name'), 'token', 'the token field has focus');
        await page.keyboard.type(s.adminToken);
        await page.keyboard.press('Enter');
        await page.locator('.overview[data-ready=true]').waitFor();
        assert.equal(await page.evaluate('document.activeElement && document.activeElement.tagName'), 'H1', 'the new page\'s title has focus');
        const active = () => page.evaluate('document.activeElement ? document.activeElement.textContent : ""').then(String);
        const back: string[] = [];
        for (let i = 0; i < 12 && !back.includes('Skip to content'); i++) {
          await page.keyboard.press('Shift+Tab');
          back.push(await active());
        }
        assert.ok(['Overview', 'Jobs', 'Administration', 'Sign out', 'Skip to content'].every((x) => back.includes(x)), back.join(' | '));
        await page.locator('main h1').focus();
        const reached: string[] = [];
        for (let i = 0; i < 40 && !reached.includes(XSS); i++) {
          await page.keyboard.press('Tab');
          reached.push(await active());
        }
        assert.ok(reached.includes(XSS), `the cluster link is reachable: ${reached.join(' | ')}`);
        await page.keyboard.press('Enter');
        await page.getByRole('heading', { name: XSS }).waitFor();
        // tabs: arrow keys move between them
        await page.getByRole('tab', { name: 'Backups' }).focus();
        await page.keyboard.press('ArrowRight');
        assert.equal(await page.getByRole('tab', { name: 'Settings' }).getAttribute('aria-selected'), 'true');
        assert.deepEqual(cp.errors, []);
      } finally {
        await cp.close();
      }
    });

    test('phone width (390 px): pages fit the screen, tables scroll inside their cards', async () => {
      const cp = await openConsole(chrome.browser, `${s.url}/console/`, { viewport: { width: 390, height: 844 } });
      const { page } = cp;
      try {
        await signIn(page, s.adminToken);
        await page.locator('.overview[data-ready=true]').waitFor();
        for (const path of ['/', `/clusters/${mine.clusterId}`, '/jobs', '/admin', `/admin/projects/${s.projectId}`, `/admin/projects/${s.projectId}/clusters/new`]) {
          await page.goto(`${s.url}/console${path === '/' ? '/' : path}`);
          await page.locator('main h1').waitFor();
          const overflow = await page.evaluate('document.documentElement.scrollWidth - window.innerWidth');
          assert.ok(Number(overflow) <= 0, `${path} is ${overflow}px wider than the phone`);
        }
        await nav(page, 'Overview');
        assert.deepEqual(cp.errors, []);
      } finally {
        await cp.close();
      }
    });
  });
}
