/**
 * bench/console-overview: how long the console's overview takes to render over a large estate,
 * in headless Chromium against a real server (SQLite): BENCH_CLUSTERS clusters spread over the
 * four services and BENCH_RECORDS finished runs (jobs with their service records, so sizes,
 * durations, failures and storage are all real queries).
 *
 *   node --import tsx bench/console-overview.ts        (BENCH_CLUSTERS=100 BENCH_RECORDS=10000 BENCH_ROUNDS=5)
 *
 * Each round is a fresh page load of /console/ (signed in), timed from navigation start to the
 * `overview-ready` performance mark the page sets once the summary and every service's cluster
 * table are drawn. Prints every round, the median, and one RESULT line: ratio = median ms / 1000
 * (the target: under 1 s, ratio < 1).
 */
import { hex32, uuid } from '../src/security/ids.js';
import { startServer } from '../test/helpers/server.js';
import { ensureConsoleBuilt, launchChromium, openConsole, signIn } from '../test/helpers/console.js';

const CLUSTERS = Number(process.env.BENCH_CLUSTERS ?? 100);
const RECORDS = Number(process.env.BENCH_RECORDS ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

await ensureConsoleBuilt();
const s = await startServer({ config: { jobs: { concurrency: 1 } } });
const k = s.rt.db.kysely;
const services = ['css', 'dcs', 'cce', 'dws'] as const;
const KIND = { css: 'css.log-backup', dcs: 'dcs.redislog.collect', cce: 'cce-master-snapshot', dws: 'dws-snapshot' } as const;
const now = Date.now();
const DAY = 86_400_000;

// four projects, clusters spread over them and the services
const projects = [s.projectId];
for (let i = 1; i < 4; i++) projects.push((await s.rt.deps.projects.create({ name: `bench-${i}` })).id);
const clusters: { id: string; service: (typeof services)[number]; projectId: string }[] = [];
for (let i = 0; i < CLUSTERS; i++) {
  const service = services[i % 4];
  const projectId = projects[Math.floor(i / 4) % projects.length];
  const engine = service === 'css' ? { nodes: [{ name: 'n1', logDir: '/nonexistent' }] }
    : service === 'dcs' ? { nodes: [{ replicationId: 'r1', ip: '10.0.0.1', url: 'redis://10.0.0.1:6379' }] }
      : service === 'cce' ? { endpoints: ['http://10.0.0.1:2379'] } : { url: 'postgres://u@10.0.0.1/db' };
  const c = await s.rt.deps.clusters.register({ projectId, service, name: `${service}-cluster-${String(i).padStart(3, '0')}`, engine });
  clusters.push({ id: c.id, service, projectId });
}

// finished runs: one job each, with the service's own record (what the read model sums and shows)
const seedStart = performance.now();
const per = Math.ceil(RECORDS / CLUSTERS);
let made = 0;
await k.transaction().execute(async (trx) => {
  for (const c of clusters) {
    for (let j = 0; j < per && made < RECORDS; j++, made++) {
      const id = c.service === 'css' ? hex32() : uuid();
      const created = now - (per - j) * (DAY / 8);
      const failed = j % 17 === 5;
      const size = 1_000_000 + j * 7919;
      const finished = created + 1000 + (j % 13) * 400;
      const result = failed ? null : JSON.stringify(
        c.service === 'css' ? { totals: { files: 10, bytes: size, uploadedFiles: 10, uploadedBytes: size, reusedFiles: 0, storedBytes: Math.round(size / 6) } }
          : c.service === 'dcs' ? { files: [{ day: '2025-01-01', file_name: 'x', size, sha256: 'x' }] }
            : { size, sha256: 'x' },
      );
      await trx.insertInto('jobs').values({
        id, kind: KIND[c.service], project_id: c.projectId, cluster_id: c.id, state: failed ? 'FAILED' : 'SUCCEEDED', payload: '{}', result,
        error: failed ? 'the node did not answer within 5 s' : null, progress: failed ? 40 : 100, attempts: 1, max_attempts: 1,
        active_key: null, unique_key: null, lease_owner: null, lease_expires_at: null, heartbeat_at: finished, run_at: created,
        created_at: created, started_at: created + 50, finished_at: finished, updated_at: finished, request_id: null, created_by: 'bench',
      }).execute();
      if (c.service === 'css') {
        await trx.insertInto('css_log_records').values({
          id: uuid(), job_id: id, cluster_id: c.id, project_id: c.projectId, job_type: 'Auto', status: failed ? 'FAIL' : 'SUCCESS', bucket: 'b', base_path: 'p',
          prefix: `p/${c.id}/${id}`, created_at: created, finished_at: finished, failed_msg: failed ? 'x' : null, manifest_key: null, slot_key: null,
          totals: failed ? null : JSON.stringify({ storedBytes: Math.round(size / 6) }),
        }).execute();
      } else if (c.service === 'dcs') {
        await trx.insertInto('dcs_redislogs').values({
          id: uuid(), project_id: c.projectId, instance_id: c.id, replication_id: 'r1', replication_ip: '10.0.0.1', group_name: 'g', day: `d-${j}`,
          file_name: 'f', status: failed ? 'failed' : 'succeed', reason: null, job_id: id, bucket: 'b', object_key: 'k', size: failed ? null : size, sha256: null,
          created_at: created, updated_at: finished, collected_at: finished, expires_at: finished + 7 * DAY, collection_no: 1,
        }).execute();
      } else if (c.service === 'cce') {
        await trx.insertInto('cce_snapshot_tasks').values({
          id, project_id: c.projectId, cluster_id: c.id, phase: failed ? 'Failed' : 'Success', progress: 100, message: null, endpoint: null, etcd_version: null,
          revision: null, db_size: size, bucket: 'b', object_key: 'k', size: failed ? null : size, sha256: null, created_at: created, updated_at: finished, completed_at: finished,
        }).execute();
      } else {
        await trx.insertInto('dws_snapshots').values({
          id, project_id: c.projectId, cluster_id: c.id, cluster_name: 'c', name: `s-${id}`, name_lower: `s-${id}`, description: '', type: 'MANUAL',
          status: failed ? 'UNAVAILABLE' : 'AVAILABLE', bucket: 'b', object_key: 'k', size_bytes: failed ? 0 : size, sha256: null, failure_reason: null, job_id: id,
          keep_until: null, started_at: created, finished_at: finished, updated_at: finished,
        }).execute();
      }
    }
  }
});
console.log(`seeded ${CLUSTERS} clusters and ${made} runs in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);

const chrome = await launchChromium();
const times: number[] = [];
try {
  const cp = await openConsole(chrome.browser, `${s.url}/console/`);
  await signIn(cp.page, s.adminToken);
  await cp.page.locator('.overview[data-ready=true]').waitFor({ timeout: 60_000 });
  const rows = await cp.page.locator('tr[data-cluster]').count();
  if (rows !== Math.min(CLUSTERS, 4 * 50)) throw new Error(`the overview shows ${rows} cluster rows, expected ${CLUSTERS}`);
  for (let r = 0; r < ROUNDS; r++) {
    await cp.page.goto(`${s.url}/console/`);
    await cp.page.locator('.overview[data-ready=true]').waitFor({ timeout: 60_000 });
    const ms = Number(await cp.page.evaluate('performance.getEntriesByName("overview-ready")[0].startTime'));
    times.push(ms);
    console.log(`round ${r + 1}: overview ready in ${ms.toFixed(0)} ms`);
  }
  if (cp.errors.length) throw new Error(`console errors: ${cp.errors.join('; ')}`);
  await cp.close();
} finally {
  await chrome.close();
  await s.close();
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
console.log(`RESULT console-overview ratio=${(median / 1000).toFixed(3)} ms=${median.toFixed(0)} clusters=${CLUSTERS} records=${made} rounds=${ROUNDS}`);
