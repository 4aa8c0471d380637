/**
 * Regenerates the console screenshots in docs/console/ (PNG, 1280×800 and phone width 390×844)
 * from a real server with real data: the demo CSS cluster and two more backed up a few times, a
 * DWS cluster over a database on the shared PostgreSQL (when reachable) with snapshots, a CCE
 * cluster whose etcd is down (a failure), in headless Chromium.
 *
 *   npm run screenshots        (node --import tsx scripts/screenshots.ts)
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { createPgDatabase, eventually, postgresAvailable, startServer } from '../test/helpers/server.js';
import { ensureConsoleBuilt, launchChromium, openConsole, signIn } from '../test/helpers/console.js';
import { ROOT } from '../test/helpers/cli.js';
import { op } from '../test/helpers/sdk.js';
import { cssOps, OPEN, tmp, waitRecord } from '../test/css/helpers.js';
import { seedWarehouse } from '../test/dws/helpers.js';

const OUT = join(ROOT, 'docs', 'console');
mkdirSync(OUT, { recursive: true });
await ensureConsoleBuilt();

const s = await startServer({ config: { core: { demo: true }, console: { liveIntervalMs: 200 } } });
const admin = { authorization: `Bearer ${s.adminToken}`, 'content-type': 'application/json' };
const post = async (path: string, body: unknown) => (await fetch(s.url + path, { method: 'POST', headers: admin, body: JSON.stringify(body) })).json() as Promise<any>;
let dropDb: (() => Promise<void>) | undefined;

try {
  // CSS: the demo cluster and two more, each backed up a few times with growing logs
  const demoId = /CSS demo cluster ([0-9a-f-]{36})/.exec(s.rt.start!.demo.join('\n'))![1];
  const clusters: string[] = [demoId];
  for (const name of ['orders-es', 'search-logs']) {
    const dir = tmp('shot-');
    writeFileSync(join(dir, `${name}.log`), `[INFO ][o.e.n.Node] [${name}-1] started\n`.repeat(20_000));
    writeFileSync(join(dir, 'gc.log'), 'GC(1) Pause Young 12M->4M(64M) 3.1ms\n'.repeat(3000));
    writeFileSync(join(dir, `${name}-2025-01-01-1.log.gz`), gzipSync(Buffer.from('[WARN ] rotated\n'.repeat(4000))));
    const c = await post(`/admin/v1/projects/${s.projectId}/clusters`, { service: 'css', name, engine: { nodes: [{ name: `${name}-1`, logDir: dir }] } });
    clusters.push(c.id);
    const css = cssOps(s.client('/css'), c.id);
    await css.open({ ...OPEN, log_bucket: 'prod-logs', log_base_path: `css/${name}` });
    for (let i = 0; i < 6; i++) {
      appendFileSync(join(dir, `${name}.log`), `[INFO ][o.e.c.r.a] [${name}-1] shard relocated ${i}\n`.repeat(4000 + i * 3000));
      await css.collect();
      const id = (await css.records({ limit: 1 })).clusterLogRecord[0].jobId;
      await waitRecord(css, id);
    }
  }
  const demo = cssOps(s.client('/css'), demoId);
  await demo.collect();
  await waitRecord(demo, (await demo.records({ limit: 1 })).clusterLogRecord[0].jobId);

  // CCE: an etcd that is down — a failure with its message
  const cce = await post(`/admin/v1/projects/${s.projectId}/clusters`, { service: 'cce', name: 'k8s-prod', engine: { endpoints: ['http://10.255.255.1:2379'] } });
  await op(s.client(), { method: 'POST', url: '/api/v3.1/projects/{project_id}/clusters/{cluster_id}/operation/snapshot', pathParams: { project_id: s.projectId, cluster_id: cce.id } });

  // DWS: a real database and two snapshots
  let dwsId: string | undefined;
  if (await postgresAvailable()) {
    const db = await createPgDatabase('shot_dws');
    dropDb = db.drop;
    await seedWarehouse(db.url, 2000);
    dwsId = (await post(`/admin/v1/projects/${s.projectId}/clusters`, { service: 'dws', name: 'sales-warehouse', engine: { url: db.url } })).id;
    for (const name of ['before-migration', 'nightly-manual']) {
      const r = await op(s.client(), { method: 'POST', url: '/v1.0/{project_id}/snapshots', pathParams: { project_id: s.projectId }, data: { snapshot: { name, cluster_id: dwsId!, description: name === 'before-migration' ? 'Taken before the schema change' : '' } } });
      await eventually(async () => (await op(s.client(), { method: 'GET', url: '/v1.0/{project_id}/snapshots/{snapshot_id}', pathParams: { project_id: s.projectId, snapshot_id: r.snapshot.id } })).snapshot.status === 'AVAILABLE', 60_000);
    }
    await op(s.client(), { method: 'PUT', url: '/v2/{project_id}/clusters/{cluster_id}/snapshot-policies', pathParams: { project_id: s.projectId, cluster_id: dwsId! }, data: { keep_day: 7, backup_strategies: [{ policy_name: 'nightly', backup_strategy: '0 0 2 * * ?' }] } });
  }
  await eventually(async () => (await s.rt.queue.countsByKindAndState()).every((r) => r.state !== 'RUNNING' && r.state !== 'QUEUED'), 30_000);

  const chrome = await launchChromium();
  const shot = async (page: Page, name: string, ready: string, opts: { fullPage?: boolean } = {}) => {
    await page.locator(ready).first().waitFor({ timeout: 30_000 });
    if (name !== 'sign-in') await page.locator('.live-status.live').waitFor({ timeout: 10_000 }).catch(() => undefined);
    if (opts.fullPage) await page.evaluate('window.scrollTo(0, 0)');
    await page.evaluate('document.fonts && document.fonts.ready');
    await page.waitForTimeout(300); // let a chart or a transition settle before the picture
    await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: opts.fullPage });
    console.log(`docs/console/${name}.png`);
  };
  try {
    const desk = await openConsole(chrome.browser, `${s.url}/console/`);
    const p = desk.page;
    await shot(p, 'sign-in', 'form');
    await signIn(p, s.adminToken);
    await shot(p, 'overview', '.overview[data-ready=true]');
    await p.goto(`${s.url}/console/clusters/${clusters[1]}`);
    await shot(p, 'cluster-css', '#records tr[data-job]');
    await p.goto(`${s.url}/console/clusters/${clusters[1]}?tab=charts`);
    await shot(p, 'cluster-charts', '.chart[data-chart=duration] canvas');
    const job = (await (await fetch(`${s.url}/logsnap/v1/clusters/${clusters[1]}/runs?limit=1`, { headers: admin })).json() as any).runs[0].job_id;
    await p.goto(`${s.url}/console/jobs/${job}`);
    await shot(p, 'job', '#artifacts tr[data-artifact]');
    await p.goto(`${s.url}/console/clusters/${clusters[1]}?tab=settings`);
    await p.locator('#log-switch details.preview > summary').first().click();
    await p.locator('#log-switch').getByRole('button', { name: 'logsnap call' }).click();
    await p.locator('#log-switch details.preview').first().scrollIntoViewIfNeeded();
    await shot(p, 'request-preview', '#log-switch details[open] pre.code');
    if (dwsId) {
      await p.goto(`${s.url}/console/clusters/${dwsId}`);
      await shot(p, 'cluster-dws', 'tr[data-snapshot]');
    }
    await p.goto(`${s.url}/console/admin/projects/${s.projectId}/clusters/${clusters[1]}`);
    await p.getByRole('button', { name: 'Test connection' }).click();
    await p.locator('.probe').waitFor();
    await shot(p, 'cluster-edit', '.probe', { fullPage: true });
    await p.goto(`${s.url}/console/admin/projects/${s.projectId}`);
    await shot(p, 'admin-project', '#clusters tr[data-cluster]');
    await desk.close();

    const phone = await openConsole(chrome.browser, `${s.url}/console/`, { viewport: { width: 390, height: 844 } });
    await signIn(phone.page, s.adminToken);
    await shot(phone.page, 'phone-overview', '.overview[data-ready=true]');
    await phone.page.goto(`${s.url}/console/clusters/${clusters[1]}`);
    await shot(phone.page, 'phone-cluster', '#records tr[data-job]');
    await phone.page.goto(`${s.url}/console/jobs/${job}`);
    await shot(phone.page, 'phone-job', '.timeline');
    await phone.close();
  } finally {
    await chrome.close();
  }
} finally {
  await s.close();
  await dropDb?.();
}
