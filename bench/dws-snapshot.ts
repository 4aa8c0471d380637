/**
 * DWS snapshot benchmark: logsnap's snapshot job (pg_dump -Fc streamed through the object
 * store with sha256, then pg_restore --list from the store) vs plain `pg_dump -Fc -f FILE`
 * on the same ≥ 500 MB database, in the same run.
 *
 *   node --import tsx bench/dws-snapshot.ts            (LOGSNAP_BENCH_ROUNDS=2, LOGSNAP_BENCH_MB=520)
 *
 * The source database `logsnap_bench_dws` on 127.0.0.1:5432 is created once and reused.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { PG_ADMIN_URL, startServer, eventually } from '../test/helpers/server.js';
import { op } from '../test/helpers/sdk.js';

const DB = 'logsnap_bench_dws';
const TARGET_MB = Number(process.env.LOGSNAP_BENCH_MB ?? 520);
const ROUNDS = Number(process.env.LOGSNAP_BENCH_ROUNDS ?? 2);
const dbUrl = (() => {
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${DB}`;
  return u.toString();
})();

async function q(url: string, text: string): Promise<any[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text)).rows;
  } finally {
    await c.end();
  }
}

async function ensureDatabase(): Promise<number> {
  const exists = (await q(PG_ADMIN_URL, `select 1 from pg_database where datname = '${DB}'`)).length > 0;
  if (!exists) await q(PG_ADMIN_URL, `create database ${DB}`);
  const size = async () => Number((await q(dbUrl, 'select pg_database_size(current_database()) as s'))[0].s);
  let bytes = await size();
  if (bytes < TARGET_MB * 2 ** 20) {
    console.log(`building ${DB} (${(bytes / 2 ** 20).toFixed(0)} MB so far, target ${TARGET_MB} MB)…`);
    await q(dbUrl, 'create table if not exists facts(id bigserial primary key, customer int, amount numeric(14,2), note text, tags jsonb, at timestamptz)');
    while (bytes < TARGET_MB * 2 ** 20) {
      await q(dbUrl, `insert into facts(customer, amount, note, tags, at)
        select (random() * 100000)::int, round((random() * 10000)::numeric, 2), md5(g::text) || ' ' || md5((g * 7)::text),
               jsonb_build_object('k', g % 97, 'h', substr(md5(g::text), 1, 8)), now() - (g || ' seconds')::interval
        from generate_series(1, 500000) g`);
      bytes = await size();
      process.stdout.write(`  ${(bytes / 2 ** 20).toFixed(0)} MB\r`);
    }
    await q(dbUrl, 'vacuum analyze facts');
    bytes = await size();
    console.log();
  }
  return bytes;
}

function baseline(dir: string): { seconds: number; bytes: number } {
  const file = join(dir, 'baseline.dump');
  const t0 = process.hrtime.bigint();
  const r = spawnSync('pg_dump', ['-Fc', '-f', file, `--dbname=${dbUrl}`], { stdio: ['ignore', 'ignore', 'inherit'] });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`pg_dump failed (${r.status})`);
  const bytes = statSync(file).size;
  rmSync(file);
  return { seconds, bytes };
}

const dbBytes = await ensureDatabase();
console.log(`source database: ${DB}, ${(dbBytes / 2 ** 20).toFixed(0)} MB (pg_database_size)`);
const work = mkdtempSync(join(tmpdir(), 'logsnap-bench-dws-'));
const s = await startServer({ engine: 'sqlite', config: { jobs: { pollMs: 20 } } });
const clusterId = (await s.rt.deps.clusters.register({ projectId: s.projectId, service: 'dws', name: 'bench', engine: { url: dbUrl } })).id;

let peakRss = process.memoryUsage().rss;
const rssAtStart = peakRss;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 50);

async function ours(round: number): Promise<{ seconds: number; bytes: number }> {
  const t0 = process.hrtime.bigint();
  const r = await op(s.client(), { method: 'POST', url: '/v1.0/{project_id}/snapshots', pathParams: { project_id: s.projectId }, data: { snapshot: { name: `bench-${round}-${Date.now()}`, cluster_id: clusterId } } });
  const row = await eventually(async () => {
    const x = await s.rt.db.kysely.selectFrom('dws_snapshots').selectAll().where('id', '=', r.snapshot.id).executeTakeFirst();
    return x && x.status !== 'CREATING' ? x : undefined;
  }, 3_600_000, 'snapshot');
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (row.status !== 'AVAILABLE') throw new Error(`snapshot failed: ${row.failure_reason}`);
  await s.rt.store.delete(row.bucket, row.object_key);
  await s.rt.db.kysely.deleteFrom('dws_snapshots').where('id', '=', row.id).execute();
  return { seconds, bytes: row.size_bytes };
}

const base: number[] = [];
const mine: number[] = [];
try {
  for (let i = 0; i < ROUNDS; i++) {
    const b = baseline(work);
    base.push(b.seconds);
    console.log(`round ${i + 1}: pg_dump -Fc -f FILE  ${b.seconds.toFixed(2)} s  (${(b.bytes / 2 ** 20).toFixed(1)} MB archive)`);
    const o = await ours(i);
    mine.push(o.seconds);
    console.log(`round ${i + 1}: logsnap snapshot    ${o.seconds.toFixed(2)} s  (${(o.bytes / 2 ** 20).toFixed(1)} MB archive, sha256, pg_restore --list)`);
  }
} finally {
  clearInterval(sampler);
  await s.close();
  rmSync(work, { recursive: true, force: true });
}
const best = (xs: number[]) => Math.min(...xs);
const ratio = best(mine) / best(base);
const mb = (x: number) => (x / 2 ** 20).toFixed(0);
console.log(`best of ${ROUNDS}: logsnap ${best(mine).toFixed(2)} s, pg_dump ${best(base).toFixed(2)} s; logsnap process RSS ${mb(rssAtStart)} MB at start, peak ${mb(peakRss)} MB (maxRSS ${mb(process.resourceUsage().maxRSS * 1024)} MB)`);
console.log(`RESULT dws-snapshot ratio=${ratio.toFixed(3)} seconds=${best(mine).toFixed(2)} baseline_seconds=${best(base).toFixed(2)} peak_rss_mb=${mb(peakRss)} db_mb=${mb(dbBytes)}`);
