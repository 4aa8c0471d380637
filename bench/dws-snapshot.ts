/**
 * DWS snapshot and restore against pg_dump -Fc / pg_restore on the same ≥ 500 MB database, same run.
 *
 *   node --import tsx bench/dws-snapshot.ts           (BENCH_SMOKE=1: a 64 MB database, 1 round)
 *
 * Knobs (env): BENCH_DWS_MB (default 520; the source database `logsnap_bench_dws[_<MB>]` on the
 * PostgreSQL of LOGSNAP_TEST_PG_URL is built once by generate_series inserts and reused),
 * BENCH_ROUNDS (default 3; rounds alternate which side goes first; medians).
 *
 * logsnap: `logsnap serve` from dist/ in its own process (plain node), driven through the API like a
 * user: CreateSnapshot (signed with the AK/SK) until the snapshot is AVAILABLE — pg_dump, logsnap's
 * compression, the object store with sha256, `pg_restore --list` of the stored archive — then
 * RestoreCluster until the new cluster is AVAILABLE (the restore job: create the database,
 * pg_restore in one transaction). Baselines: `pg_dump -Fc -f FILE` and CREATE DATABASE followed by
 * `pg_restore --no-owner --no-privileges --exit-on-error --single-transaction -d DB FILE` (the flags
 * logsnap's restore uses). Also compared: the archive sizes.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PG_ADMIN_URL } from '../test/helpers/server.js';
import { op, sdkClient } from '../test/helpers/sdk.js';
import { benchServer, envNumber, median, pgQuery, procMemory, resultLine, stopChild } from './lib.js';

const TARGET_MB = envNumber('BENCH_DWS_MB', 520, 64);
const ROUNDS = envNumber('BENCH_ROUNDS', 3, 1);
const DB = TARGET_MB === 520 ? 'logsnap_bench_dws' : `logsnap_bench_dws_${TARGET_MB}`;
const urlOf = (db: string) => {
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${db}`;
  return u.toString();
};
const dbUrl = urlOf(DB);

try {
  await pgQuery(PG_ADMIN_URL, 'select 1');
} catch {
  console.log(`SKIP PostgreSQL not reachable at ${PG_ADMIN_URL}`);
  process.exit(0);
}

async function ensureDatabase(): Promise<number> {
  const exists = (await pgQuery(PG_ADMIN_URL, `select 1 from pg_database where datname = '${DB}'`)).length > 0;
  if (!exists) await pgQuery(PG_ADMIN_URL, `create database ${DB}`);
  const size = async () => Number((await pgQuery(dbUrl, 'select pg_database_size(current_database()) as s'))[0].s);
  let bytes = await size();
  if (bytes < TARGET_MB * 2 ** 20) {
    console.log(`building ${DB} (${(bytes / 2 ** 20).toFixed(0)} MB so far, target ${TARGET_MB} MB)…`);
    await pgQuery(dbUrl, 'create table if not exists facts(id bigserial primary key, customer int, amount numeric(14,2), note text, tags jsonb, at timestamptz)');
    while (bytes < TARGET_MB * 2 ** 20) {
      await pgQuery(dbUrl, `insert into facts(customer, amount, note, tags, at)
        select (random() * 100000)::int, round((random() * 10000)::numeric, 2), md5(g::text) || ' ' || md5((g * 7)::text),
               jsonb_build_object('k', g % 97, 'h', substr(md5(g::text), 1, 8)), now() - (g || ' seconds')::interval
        from generate_series(1, 250000) g`);
      bytes = await size();
      process.stdout.write(`  ${(bytes / 2 ** 20).toFixed(0)} MB\r`);
    }
    await pgQuery(dbUrl, 'vacuum analyze facts');
    bytes = await size();
    console.log();
  }
  return bytes;
}

function timed(f: () => void): number {
  const t = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - t) / 1e9;
}

function baselineDump(file: string): { seconds: number; bytes: number } {
  rmSync(file, { force: true });
  const seconds = timed(() => {
    const r = spawnSync('pg_dump', ['-Fc', '-f', file, `--dbname=${dbUrl}`], { stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) throw new Error(`pg_dump failed (${r.status})`);
  });
  return { seconds, bytes: statSync(file).size };
}

/** createdb + pg_restore: a restore into a new database, as RestoreCluster does. */
async function baselineRestore(file: string, db: string): Promise<number> {
  const t = process.hrtime.bigint();
  await pgQuery(PG_ADMIN_URL, `create database ${db} template template0`);
  try {
    const r = spawnSync('pg_restore', ['--no-owner', '--no-privileges', '--exit-on-error', '--single-transaction', `--dbname=${urlOf(db)}`, file], { stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) throw new Error(`pg_restore failed (${r.status})`);
    return Number(process.hrtime.bigint() - t) / 1e9;
  } finally {
    await pgQuery(PG_ADMIN_URL, `drop database if exists ${db} with (force)`);
  }
}

const dbBytes = await ensureDatabase();
console.log(`source database: ${DB}, ${(dbBytes / 2 ** 20).toFixed(0)} MB (pg_database_size)`);
const work = mkdtempSync(join(tmpdir(), 'logsnap-bench-dws-'));
const { url, child, admin, project, credential } = await benchServer(work);
const { id: clusterId } = await admin('POST', `/admin/v1/projects/${project.id}/clusters`, { service: 'dws', name: 'bench', engine: { url: dbUrl } });
const sdk = sdkClient(url, { ak: credential.ak, sk: credential.sk, projectId: project.id });
const call = (o: Parameters<typeof op>[1]) => op(sdk, { ...o, pathParams: { project_id: project.id, ...(o.pathParams ?? {}) } });
const rssBefore = procMemory(child.pid!).rssKb / 1024;

async function until<T>(f: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function oursSnapshot(round: number): Promise<{ seconds: number; bytes: number; id: string }> {
  const t = process.hrtime.bigint();
  const r = await call({ method: 'POST', url: '/v1.0/{project_id}/snapshots', data: { snapshot: { name: `bench-${round}-${Date.now()}`, cluster_id: clusterId } } });
  const snap = await until(async () => {
    const v = (await call({ method: 'GET', url: '/v1.0/{project_id}/snapshots/{snapshot_id}', pathParams: { snapshot_id: r.snapshot.id } })).snapshot;
    return v.status === 'CREATING' ? undefined : v;
  });
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  if (snap.status !== 'AVAILABLE') throw new Error(`snapshot failed: ${snap.failure_reason}`);
  return { seconds, bytes: snap.size_bytes, id: snap.id };
}

async function oursRestore(snapshotId: string, name: string): Promise<number> {
  const t = process.hrtime.bigint();
  const r = await call({ method: 'POST', url: '/v1.0/{project_id}/snapshots/{snapshot_id}/actions', pathParams: { snapshot_id: snapshotId }, data: { restore: { name } } });
  const job = await until(async () => {
    const j = await call({ method: 'GET', url: '/logsnap/v1/{project_id}/jobs/{job_id}', pathParams: { job_id: r.job_id } });
    return j.state === 'SUCCEEDED' || j.state === 'FAILED' ? j : undefined;
  });
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  if (job.state !== 'SUCCEEDED') throw new Error(`restore failed: ${job.error}`);
  return seconds;
}

let hwm = 0;
const rows: { dump: number; dumpBytes: number; ours: number; oursBytes: number; restore: number; oursRestore: number }[] = [];
try {
  for (let round = 0; round < ROUNDS; round++) {
    const file = join(work, 'baseline.dump');
    const tag = `${round}_${Date.now().toString(36)}`;
    let b: ReturnType<typeof baselineDump>;
    let o: Awaited<ReturnType<typeof oursSnapshot>>;
    if (round % 2 === 0) {
      b = baselineDump(file);
      o = await oursSnapshot(round);
    } else {
      o = await oursSnapshot(round);
      b = baselineDump(file);
    }
    const restoreName = `benchr${tag}`;
    let rb: number;
    let ro: number;
    if (round % 2 === 0) {
      rb = await baselineRestore(file, `benchb${tag}`);
      ro = await oursRestore(o.id, restoreName);
    } else {
      ro = await oursRestore(o.id, restoreName);
      rb = await baselineRestore(file, `benchb${tag}`);
    }
    await pgQuery(PG_ADMIN_URL, `drop database if exists ${restoreName} with (force)`);
    await call({ method: 'DELETE', url: '/v1.0/{project_id}/snapshots/{snapshot_id}', pathParams: { snapshot_id: o.id } });
    rmSync(file, { force: true });
    rows.push({ dump: b.seconds, dumpBytes: b.bytes, ours: o.seconds, oursBytes: o.bytes, restore: rb, oursRestore: ro });
    console.log(
      `round ${round + 1}: pg_dump -Fc ${b.seconds.toFixed(2)} s (${(b.bytes / 2 ** 20).toFixed(1)} MB) | logsnap snapshot ${o.seconds.toFixed(2)} s (${(o.bytes / 2 ** 20).toFixed(1)} MB, verified) ×${(o.seconds / b.seconds).toFixed(2)}` +
        ` || pg_restore ${rb.toFixed(2)} s | logsnap RestoreCluster ${ro.toFixed(2)} s ×${(ro / rb).toFixed(2)}`,
    );
  }
} finally {
  hwm = procMemory(child.pid!).hwmKb / 1024;
  await stopChild(child);
  rmSync(work, { recursive: true, force: true });
  console.log(`server RSS ${rssBefore.toFixed(0)} MB before, high water ${hwm.toFixed(0)} MB`);
}
const m = (k: keyof (typeof rows)[number]) => median(rows.map((r) => r[k]));
console.log(`medians of ${ROUNDS}: snapshot ${m('ours').toFixed(2)} s vs pg_dump -Fc ${m('dump').toFixed(2)} s; archive ${(m('oursBytes') / 2 ** 20).toFixed(1)} MB vs ${(m('dumpBytes') / 2 ** 20).toFixed(1)} MB; restore ${m('oursRestore').toFixed(2)} s vs pg_restore ${m('restore').toFixed(2)} s`);
console.log(resultLine('dws-snapshot', m('ours') / m('dump'), {
  seconds: m('ours'), baseline_seconds: m('dump'), artifact_ratio: m('oursBytes') / m('dumpBytes'), artifact_mb: m('oursBytes') / 2 ** 20,
  restore_seconds: m('oursRestore'), baseline_restore_seconds: m('restore'), restore_ratio: m('oursRestore') / m('restore'),
  db_mb: Math.round(dbBytes / 2 ** 20), server_rss_before_mb: Math.round(rssBefore), server_peak_rss_mb: Math.round(hwm), rounds: ROUNDS,
}));
