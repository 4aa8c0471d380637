/**
 * In Chromium: a DWS cluster over a real database on the shared PostgreSQL. Take a snapshot, add
 * and remove a snapshot policy, restore the snapshot into a new cluster following the restore job
 * live, open the new cluster; its database holds the same rows.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createPgDatabase, engines, postgresAvailable, startServer, type TestServer } from '../helpers/server.js';
import { chromiumSkip, ensureConsoleBuilt, launchChromium, openConsole, signIn, type ChromiumHandle } from '../helpers/console.js';
import { dbUrl, dropDatabase, fingerprint, seedWarehouse } from '../dws/helpers.js';
import { hex32 } from '../../src/security/ids.js';
import { restoreDatabaseName } from '../../src/services/dws/rules.js';

const skipChromium = chromiumSkip();
const pgOk = await postgresAvailable();

for (const { engine, skip } of await engines()) {
  describe(`console: DWS in Chromium on ${engine}`, { skip: skip || skipChromium || (pgOk ? false : 'PostgreSQL (the DWS engine) is not reachable') }, () => {
    let s: TestServer;
    let chrome: ChromiumHandle;
    let source: Awaited<ReturnType<typeof createPgDatabase>>;
    let clusterId: string;
    const restoredDbs: string[] = [];
    before(async () => {
      await ensureConsoleBuilt();
      [s, chrome, source] = await Promise.all([startServer({ engine, config: { console: { liveIntervalMs: 200 } } }), launchChromium(), createPgDatabase('dws_console')]);
      await seedWarehouse(source.url, 200);
      clusterId = (await s.rt.deps.clusters.register({ projectId: s.projectId, service: 'dws', name: `warehouse-${engine}`, engine: { url: source.url } })).id;
    });
    after(async () => {
      await chrome?.close();
      await s?.close();
      await source?.drop();
      for (const d of restoredDbs) await dropDatabase(d);
    });

    test('take a snapshot, manage the policy, restore into a new cluster and open it', async () => {
      const cp = await openConsole(chrome.browser, `${s.url}/console/`);
      const { page } = cp;
      try {
        await signIn(page, s.adminToken);
        await page.getByRole('link', { name: `warehouse-${engine}` }).click();
        await page.getByRole('heading', { name: new RegExp(`warehouse-${engine}`) }).waitFor();

        const snap = `snap-${hex32().slice(0, 8)}`;
        await page.getByLabel('Name', { exact: true }).fill(snap);
        await page.getByRole('button', { name: 'Take snapshot' }).click();
        await page.locator(`tr[data-snapshot="${snap}"][data-status=AVAILABLE]`).waitFor({ timeout: 90_000 });
        const row = page.locator(`tr[data-snapshot="${snap}"]`);
        assert.match(await row.innerText(), /Manual\s*Available/);

        // policy: add a strategy, see its next run, delete it
        await page.getByRole('tab', { name: 'Policy' }).click();
        await page.getByLabel('Strategy name').fill('nightly');
        await page.getByLabel('Schedule').fill('0 30 2 * * ?');
        await page.getByRole('button', { name: 'Save policy' }).click();
        const strategy = page.locator('tr[data-policy=nightly]');
        await strategy.waitFor();
        assert.match(await strategy.innerText(), /0 30 2 \* \* \?\s*\d{4}-\d{2}-\d{2} 02:30:00 UTC/);
        await strategy.getByRole('button', { name: 'Delete' }).click();
        await strategy.waitFor({ state: 'detached' });

        // restore into a new cluster, following the restore job
        await page.getByRole('tab', { name: 'Snapshots' }).click();
        const restoredName = `restored-${hex32().slice(0, 8)}`;
        restoredDbs.push(restoreDatabaseName(restoredName));
        await row.getByRole('button', { name: 'Restore' }).click();
        const dialog = page.getByRole('dialog');
        await dialog.getByLabel('New cluster name').fill(restoredName);
        await dialog.getByRole('button', { name: 'Restore' }).click();
        await dialog.locator('.restore-progress[data-state=SUCCEEDED]').waitFor({ timeout: 90_000 });
        await dialog.getByRole('link', { name: `Open ${restoredName}` }).click();
        await page.getByRole('heading', { name: new RegExp(restoredName) }).waitFor();
        assert.match(await page.locator('.page-meta').innerText(), /Available/);
        assert.deepEqual(await fingerprint(dbUrl(restoreDatabaseName(restoredName))), await fingerprint(source.url));

        // the overview knows both clusters and the snapshot
        await page.getByRole('link', { name: 'Overview' }).first().click();
        await page.locator('.overview[data-ready=true]').waitFor();
        const dws = page.locator('#svc-dws');
        assert.match(await dws.locator(`tr[data-cluster="${clusterId}"]`).innerText(), /Available\s*Succeeded/);
        assert.equal(await dws.locator('tr[data-cluster]').count(), 2);
        assert.deepEqual(cp.errors, []);
      } finally {
        await cp.close();
      }
    });
  });
}
