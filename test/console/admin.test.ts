/**
 * In Chromium: a failing job (an unreachable etcd) shows its message on the job page and in the
 * overview's failures; DCS run logs are collected and downloaded; administration shows an SK and a
 * token exactly once, and an edited cluster keeps its masked secret (which no preview shows).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { engines } from '../helpers/server.js';
import { chromiumSkip, nav, openConsole, signIn, withConsoleServer } from '../helpers/console.js';
import { redisSkip, REDIS_URL } from '../dcs/helpers.js';
import { tmp } from '../css/helpers.js';
import { todayIn } from '../../src/services/dcs/slicer.js';
import { etcdSkip, startEtcd } from '../cce/etcdProcess.js';
import { createHash } from 'node:crypto';

const skipChromium = chromiumSkip();
const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

for (const { engine, skip } of await engines()) {
  describe(`console: failures, DCS and administration in Chromium on ${engine}`, { skip: skip || skipChromium }, () => {
    const f = withConsoleServer({ engine, config: { console: { liveIntervalMs: 200 } } });

    test('a snapshot of an unreachable etcd fails: the job page and the overview say why', async () => {
      const { s, chrome } = f;
      const c = await s.rt.deps.clusters.register({ projectId: s.projectId, service: 'cce', name: 'k8s-down', engine: { endpoints: ['http://127.0.0.1:1'] } });
      const cp = await openConsole(chrome.browser, `${s.url}/console/clusters/${c.id}`);
      const { page } = cp;
      try {
        await signIn(page, s.adminToken);
        await page.locator('.overview[data-ready=true]').waitFor();
        await page.getByRole('link', { name: 'k8s-down' }).click();
        await page.getByRole('button', { name: 'Take a snapshot' }).click();
        const task = page.locator('#tasks tr[data-phase=Failed]');
        await task.waitFor({ timeout: 30_000 });
        assert.match(await task.innerText(), /no etcd endpoint of this cluster could be reached/);
        await task.getByRole('link').first().click();
        await page.locator('.job-page[data-state=FAILED]').waitFor();
        const alert = page.getByRole('alert');
        assert.match(await alert.innerText(), /^Failed: no etcd endpoint of this cluster could be reached within 3 s: http:\/\/127\.0\.0\.1:1\/? \(/);
        assert.match(await page.locator('.timeline [data-step=finished]').innerText(), /^Failed/);
        await nav(page, 'Overview');
        const failure = page.locator(`#failures tr[data-job]`);
        await failure.first().waitFor();
        assert.match(await failure.first().innerText(), /CCE master snapshot\s*k8s-down\s*no etcd endpoint/);
        assert.deepEqual(cp.errors, []);
      } finally {
        await cp.close();
      }
    });

    test('CCE: a snapshot of a real etcd reaches Success live; its download has the recorded sha256; the restore steps use it', async (t) => {
      const { s, chrome } = f;
      const why = etcdSkip();
      if (why) return t.skip(why);
      const etcd = await startEtcd();
      try {
        etcd.ctl(['put', '/registry/pods/default/web-0', 'pod spec']);
        const c = await s.rt.deps.clusters.register({ projectId: s.projectId, service: 'cce', name: 'k8s-up', engine: { endpoints: [etcd.endpoint] } });
        const cp = await openConsole(chrome.browser, `${s.url}/console/`);
        const { page } = cp;
        try {
          await signIn(page, s.adminToken);
          await page.getByRole('link', { name: 'k8s-up' }).click();
          await page.getByRole('button', { name: 'Take a snapshot' }).click();
          const task = page.locator('#tasks tr[data-phase=Success]');
          await task.waitFor({ timeout: 60_000 });
          const [dl] = await Promise.all([page.waitForEvent('download'), task.getByRole('button', { name: 'Download' }).click()]);
          const file = join(cp.downloadsDir, 'snapshot.db');
          await dl.saveAs(file);
          const sha = createHash('sha256').update(readFileSync(file)).digest('hex');
          const uid = (await task.getAttribute('data-task'))!;
          const job = await s.rt.queue.get(uid);
          assert.equal(sha, JSON.parse(job!.result!).sha256, 'the downloaded bytes are the stored snapshot');
          await page.getByRole('tab', { name: 'How to restore' }).click();
          await page.locator('#restore pre', { hasText: sha }).waitFor();
          const steps = await page.locator('#restore').innerText();
          assert.ok(steps.includes(`echo "${sha}  ${uid}.db" | sha256sum -c -`), steps);
          assert.match(steps, new RegExp(`etcdctl snapshot restore ${uid}\\.db`));
          assert.match(page.url(), new RegExp(c.id));
          assert.deepEqual(cp.errors, []);
        } finally {
          await cp.close();
        }
      } finally {
        await etcd.stop();
      }
    });

    test('DCS: collect today\'s run log of a replica, see the file succeed, download it', async (t) => {
      const { s, chrome } = f;
      const why = await redisSkip();
      if (why) return t.skip(why);
      const zone = 'UTC';
      const [y, m, d] = todayIn(zone, Date.now()).split('-');
      const today = `1:M ${d} ${MON[Number(m) - 1]} ${y} 08:00:00.000 * Ready to accept connections\n`;
      const dir = tmp('console-dcs-');
      writeFileSync(join(dir, 'redis.log'), `1:M 01 Jan 2020 00:00:00.000 * long ago\n${today}`);
      const inst = await s.rt.deps.clusters.register({
        projectId: s.projectId, service: 'dcs', name: 'cache-1',
        engine: { timeZone: zone, nodes: [{ replicationId: 'r1', ip: '10.0.0.9', url: REDIS_URL, logFile: join(dir, 'redis.log') }] },
      });
      const cp = await openConsole(chrome.browser, `${s.url}/console/`);
      const { page } = cp;
      try {
        await signIn(page, s.adminToken);
        await page.getByRole('link', { name: 'cache-1' }).click();
        await page.getByLabel('Window').selectOption('0');
        await page.getByRole('button', { name: 'Collect run logs' }).click();
        const file = page.locator(`tr[data-file="redis_10.0.0.9_${y}-${m}-${d}.log"][data-status=succeed]`);
        await file.waitFor({ timeout: 30_000 });
        const [dl] = await Promise.all([page.waitForEvent('download'), file.getByRole('button', { name: 'Download' }).click()]);
        const out = join(cp.downloadsDir, 'day.log');
        await dl.saveAs(out);
        assert.equal(readFileSync(out, 'utf8'), today);
        assert.match(page.url(), new RegExp(`/clusters/${inst.id}`));
        assert.deepEqual(cp.errors, []);
      } finally {
        await cp.close();
      }
    });

    test('administration: a new project\'s SK and a new token are shown once; an edit keeps the masked password, which no preview shows', async () => {
      const { s, chrome } = f;
      const cp = await openConsole(chrome.browser, `${s.url}/console/`);
      const { page } = cp;
      try {
        await signIn(page, s.adminToken);
        await nav(page, 'Administration');
        await page.getByLabel('Name').fill(`team-${engine}`);
        await page.getByRole('button', { name: 'Create project' }).click();
        const dialog = page.getByRole('dialog');
        const sk = await dialog.locator('[data-secret="Secret key (SK)"]').innerText();
        assert.match(sk, /^[A-Za-z0-9]{40}$/);
        await dialog.getByRole('button', { name: 'Close' }).click();
        assert.ok(!(await page.content()).includes(sk), 'the SK is gone once the dialog closes');
        await page.getByRole('link', { name: `team-${engine}` }).click();
        await page.locator('#credentials tr[data-ak]').first().waitFor();
        assert.ok(!(await page.content()).includes(sk), 'and never listed');

        // a project token, shown once, then listed by its id only
        await page.locator('#tokens').getByLabel('Description').fill('ci');
        await page.getByRole('button', { name: 'Issue a token' }).click();
        const token = await page.getByRole('dialog').locator('[data-secret=Token]').innerText();
        assert.match(token, /^lst_/);
        await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();
        await page.locator('#tokens tr[data-token]').first().waitFor();
        assert.ok(!(await page.content()).includes(token));

        // register a CCE cluster with an etcd password, edit it, the password survives unseen
        const secret = 'etcd-Pa55-never-shown';
        await page.getByRole('link', { name: 'Register a cluster' }).click();
        await page.getByLabel('Service').selectOption('cce');
        await page.getByLabel('Name', { exact: true }).fill('k8s-auth');
        await page.getByRole('textbox', { name: 'Endpoint 1' }).fill('http://127.0.0.1:2');
        await page.getByLabel('etcd user').fill('root');
        await page.getByLabel('Password').fill(secret);
        for (const summary of await page.locator('details.preview > summary').all()) await summary.click();
        for (const pre of await page.locator('details.preview pre').all()) assert.ok(!(await pre.innerText()).includes(secret), 'no preview shows the password');
        await page.getByRole('button', { name: 'Register cluster' }).click();
        await page.getByRole('heading', { name: /k8s-auth/ }).waitFor();
        const id = page.url().split('/').pop()!;
        await page.getByRole('tab', { name: 'Connection' }).click();
        assert.match(await page.locator('[role=tabpanel] pre.code').innerText(), /"password": "\*\*\*"/);
        await page.getByRole('link', { name: 'Edit / test connection' }).click();
        await page.getByLabel('Name', { exact: true }).fill('k8s-auth-renamed');
        assert.equal(await page.getByLabel('Password').inputValue(), '***');
        await page.getByRole('button', { name: 'Save changes' }).click();
        await page.getByRole('heading', { name: /k8s-auth-renamed/ }).waitFor();
        const stored = await s.rt.deps.clusters.getAny<{ password: string }>(id);
        assert.equal(stored?.engine.password, secret);
        assert.ok(!(await page.content()).includes(secret));
        assert.deepEqual(cp.errors, []);
      } finally {
        await cp.close();
      }
    });
  });
}
