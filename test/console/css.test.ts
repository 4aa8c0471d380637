/**
 * In Chromium, as an operator would: register a CSS cluster over a folder this test creates
 * (testing the connection first), turn log backup on, back up, watch the live state reach
 * success, open the manifest and download files whose bytes are the source's.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { engines } from '../helpers/server.js';
import { chromiumSkip, nav, openConsole, signIn, withConsoleServer } from '../helpers/console.js';
import { tmp } from '../css/helpers.js';

const skipChromium = chromiumSkip();

for (const { engine, skip } of await engines()) {
  describe(`console: CSS in Chromium on ${engine}`, { skip: skip || skipChromium }, () => {
    const f = withConsoleServer({ engine, config: { console: { liveIntervalMs: 200 } } });

    test('register over a folder, test the connection, turn logs on, back up, follow it live, open the manifest, download the files', async () => {
      const { s, chrome } = f;
      const logDir = tmp('console-css-');
      mkdirSync(join(logDir, 'old'));
      const plain = 'INFO [es-1] started\n'.repeat(3000) + 'WARN disk at 81%\n';
      writeFileSync(join(logDir, 'es.log'), plain);
      writeFileSync(join(logDir, 'old', 'es-2025-01-01-1.log.gz'), gzipSync(Buffer.from('rotated line\n'.repeat(500))));
      const cp = await openConsole(chrome.browser, `${s.url}/console/`);
      const { page } = cp;
      try {
        await signIn(page, s.adminToken);
        await nav(page, 'Administration');
        await page.getByRole('link', { name: 'default' }).click();
        await page.getByRole('link', { name: 'Register a cluster' }).click();
        await page.getByLabel('Service').selectOption('css');
        await page.getByLabel('Name', { exact: true }).fill('orders-es');
        await page.getByLabel('Node name').fill('es-1');
        await page.getByLabel('Log folder').fill(logDir);
        await page.getByRole('button', { name: 'Test connection' }).click();
        const probe = page.locator('.probe');
        await probe.waitFor();
        assert.equal(await probe.getAttribute('data-probe'), 'ok');
        assert.match(await probe.innerText(), /2 log file\(s\)/);
        assert.match(await probe.innerText(), /old\/es-2025-01-01-1\.log\.gz/);
        await page.getByRole('button', { name: 'Register cluster' }).click();
        await page.getByRole('heading', { name: /orders-es/ }).waitFor();
        assert.match(page.url(), /\/console\/clusters\/[0-9a-f-]{36}$/);

        // log backup is off: the button says why; turn it on under Settings
        assert.equal(await page.getByRole('button', { name: 'Back up now' }).isDisabled(), true);
        await page.getByRole('tab', { name: 'Settings' }).click();
        await page.getByLabel('Bucket').fill('console-logs');
        await page.getByLabel('Base path').fill('css/orders');
        await page.getByLabel('Agency').fill('css_obs_agency');
        await page.getByRole('button', { name: 'Turn log backup on' }).click();
        await page.locator('[data-log-switch=on]').waitFor();

        // the request preview of the backup: HTTP, logsnap call, Node SDK
        await page.getByRole('tab', { name: 'Backups' }).click();
        await page.locator('.primary-actions summary').click();
        const http = await page.locator('.primary-actions pre.code').innerText();
        assert.match(http, /^POST \/v1\.0\/[0-9a-f]{32}\/clusters\/[0-9a-f-]{36}\/logs\/collect HTTP\/1\.1/);
        await page.locator('.primary-actions').getByRole('button', { name: 'logsnap call' }).click();
        assert.match(await page.locator('.primary-actions pre.code').innerText(), /npx logsnap call css CreateLogBackup --cluster_id [0-9a-f-]{36}/);
        await page.locator('.primary-actions').getByRole('button', { name: 'Node SDK' }).click();
        assert.match(await page.locator('.primary-actions pre.code').innerText(), /CssClient\.newBuilder\(\)/);

        await page.getByRole('button', { name: 'Back up now' }).click();
        const latest = page.locator('.latest-run');
        await page.locator('.latest-run[data-state=SUCCEEDED]').waitFor({ timeout: 60_000 });
        assert.match(await latest.innerText(), /Latest log backup\s*Succeeded/);
        await page.locator('#records tr[data-status=SUCCESS]').waitFor();
        assert.equal(await page.evaluate('performance.getEntriesByType("navigation").length'), 1, 'no reload: the state arrived live');

        // the job page: timeline, manifest, downloads
        await page.getByRole('link', { name: 'Job details' }).click();
        await page.locator('.job-page[data-state=SUCCEEDED]').waitFor();
        const steps = await page.locator('.timeline [data-step]').evaluateAll((els) => els.map((e) => e.getAttribute('data-step')));
        assert.deepEqual(steps, ['queued', 'running', 'heartbeat', 'finished']);
        assert.match(await page.locator('.timeline').innerText(), /by token:[0-9a-f]{12} \(console\)/);
        const rows = page.locator('#artifacts tr[data-artifact]');
        await rows.first().waitFor();
        assert.equal(await rows.count(), 2);
        const esRow = page.locator('#artifacts tr[data-artifact="es.log"]');
        const sha = await esRow.locator('[data-sha256]').getAttribute('data-sha256');
        const { createHash } = await import('node:crypto');
        assert.equal(sha, createHash('sha256').update(plain).digest('hex'));
        const [d1] = await Promise.all([page.waitForEvent('download'), esRow.getByRole('button', { name: 'Download es.log' }).click()]);
        const f1 = join(cp.downloadsDir, 'es.log.gz');
        await d1.saveAs(f1);
        assert.equal(gunzipSync(readFileSync(f1)).toString(), plain, 'the downloaded object is the log, gzip-compressed');
        const gzRow = page.locator('#artifacts tr[data-artifact="old/es-2025-01-01-1.log.gz"]');
        const [d2] = await Promise.all([page.waitForEvent('download'), gzRow.getByRole('button', { name: /^Download / }).click()]);
        const f2 = join(cp.downloadsDir, 'rotated.gz');
        await d2.saveAs(f2);
        assert.deepEqual(readFileSync(f2), readFileSync(join(logDir, 'old', 'es-2025-01-01-1.log.gz')), 'an already-compressed log is stored byte for byte');
        const [d3] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download manifest' }).click()]);
        const f3 = join(cp.downloadsDir, 'manifest.json');
        await d3.saveAs(f3);
        assert.equal(JSON.parse(readFileSync(f3, 'utf8')).files.length, 2);

        // charts of the cluster (uPlot, loaded on demand)
        await page.getByRole('link', { name: 'orders-es' }).first().click();
        await page.getByRole('tab', { name: 'Charts' }).click();
        await page.locator('.chart[data-chart=size] canvas').waitFor();
        assert.match(await page.locator('.chart-summary').innerText(), /1 succeeded\s*0 failed/);
        assert.deepEqual(cp.errors, []);
      } finally {
        await cp.close();
      }
    });
  });
}
