/**
 * The newcomer's path, in Chromium, against `logsnap serve` started as `npm start` does (first
 * start, demo on): open the console URL the banner prints, paste the admin token it prints, and
 * back up the demo cluster in three clicks — Sign in, demo-es, Back up now.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPgDatabase, engines } from '../helpers/server.js';
import { CLI_ARGS, ROOT } from '../helpers/cli.js';
import { chromiumSkip, ensureConsoleBuilt, launchChromium, openConsole, type ChromiumHandle } from '../helpers/console.js';

const skipChromium = chromiumSkip();

for (const { engine, skip } of await engines()) {
  describe(`console: the first start's three clicks on ${engine}`, { skip: skip || skipChromium }, () => {
    let chrome: ChromiumHandle;
    let server: ChildProcess;
    let banner = '';
    const dataDir = mkdtempSync(join(tmpdir(), 'logsnap-demo-'));
    let dropDb: (() => Promise<void>) | undefined;
    before(async () => {
      await ensureConsoleBuilt();
      let databaseUrl = '';
      if (engine === 'postgres') {
        const d = await createPgDatabase('logsnap_demo');
        databaseUrl = d.url;
        dropDb = d.drop;
      }
      chrome = await launchChromium();
      // `npm start` = build, then `logsnap serve` with the embedded defaults (bootstrap and demo on)
      server = spawn(process.execPath, [...CLI_ARGS, 'serve'], {
        cwd: ROOT,
        env: { ...process.env, LOGSNAP_DATA_DIR: dataDir, LOGSNAP_PORT: '0', LOGSNAP_LOG_LEVEL: 'silent', DATABASE_URL: databaseUrl, LOGSNAP_ADMIN_TOKEN: '' },
      });
      await new Promise<void>((resolve, reject) => {
        server.stdout!.on('data', (d) => {
          banner += d;
          if (banner.includes('Try it')) resolve();
        });
        server.stderr!.on('data', (d) => (banner += d));
        server.on('exit', (c) => reject(new Error(`serve exited with ${c}: ${banner}`)));
      });
    });
    after(async () => {
      await chrome?.close();
      if (server && server.exitCode === null) {
        const exited = new Promise((r) => server.once('exit', r));
        server.kill('SIGTERM');
        await exited;
      }
      await dropDb?.();
      rmSync(dataDir, { recursive: true, force: true });
    });

    test('banner URL + banner token → Sign in, demo-es, Back up now → the backup succeeds', async () => {
      const consoleUrl = /console:\s+(http:\/\/\S+\/console\/)\s+\(sign in with the admin token below\)/.exec(banner)?.[1];
      const token = /admin token: (\S+)/.exec(banner)?.[1];
      assert.ok(consoleUrl && token, banner);
      const cp = await openConsole(chrome.browser, consoleUrl);
      const { page } = cp;
      let clicks = 0;
      const click = async (l: ReturnType<typeof page.getByRole>) => {
        clicks++;
        await l.click();
      };
      try {
        await page.getByLabel('Token').fill(token);
        await click(page.getByRole('button', { name: 'Sign in' }));
        await click(page.getByRole('link', { name: 'demo-es' }));
        const backup = page.getByRole('button', { name: 'Back up now' });
        await backup.and(page.locator(':enabled')).waitFor();
        await click(backup);
        await page.locator('.latest-run[data-state=SUCCEEDED]').waitFor({ timeout: 60_000 });
        assert.equal(clicks, 3);
        // the size arrives with the cluster's reload that the job's end triggers
        await page.locator('.latest-run', { hasText: /MiB/ }).waitFor();
        assert.match(await page.locator('.latest-run').innerText(), /Latest log backup\s*Succeeded.*· \d+(\.\d)? MiB/s);
        await page.locator('#records tr[data-status=SUCCESS]').waitFor();
        assert.deepEqual(cp.errors, []);
      } finally {
        await cp.close();
      }
    });
  });
}
