/**
 * bench/lists: every list operation answers a page in the same time whatever the number of rows.
 *
 *   node --import tsx bench/lists.ts                 (BENCH_SMOKE=1: 1 000 vs 20 000 rows)
 *
 * Knobs (env): BENCH_LIST_SMALL (default 1000), BENCH_LIST_LARGE (default 1000000), BENCH_ENGINES
 * (default sqlite,postgres), BENCH_ROUNDS (default 3), BENCH_REQUESTS (timed requests per list, size and
 * round; default 200).
 *
 * For each engine, two databases: one whose lists each hold SMALL rows, one whose lists each hold LARGE
 * rows (one project: a CSS cluster with that many log records, that many CSS clusters, a DCS instance
 * with that many run-log files, a CCE cluster and a CCE Autopilot cluster with that many snapshot
 * tasks, a DWS cluster with that many snapshots). Rows are written by one INSERT … SELECT each
 * (bench/fill.ts), through the triggers that keep the counters. The databases are kept under
 * .bench/lists (SQLite) and as logsnap_bench_lists_<rows> (PostgreSQL) and reused when complete.
 *
 * Each list answers a signed request for its first page of 10 (the SDK's request, signed with the
 * AK/SK) from a real server on each database, in the same process; rounds alternate which size goes
 * first. The figure per list is the median latency at LARGE over the median at SMALL (target ≤ 1.5).
 */
import { mkdirSync } from 'node:fs';
import { sql } from 'kysely';
import { join, resolve } from 'node:path';
import { envNumber, median, pgQuery, resultLine } from './lib.js';
import { PG_ADMIN_URL, startServer, type TestServer } from '../test/helpers/server.js';
import { signRequest } from '../src/http/auth/signature.js';
import { fillCceTasks, fillCssClusters, fillCssRecords, fillDcsRedislogs, fillDwsSnapshots } from './fill.js';

const SMALL = envNumber('BENCH_LIST_SMALL', 1000, 1000);
const LARGE = envNumber('BENCH_LIST_LARGE', 1_000_000, 20_000);
const ROUNDS = envNumber('BENCH_ROUNDS', 3, 2);
const REQUESTS = envNumber('BENCH_REQUESTS', 200, 60);
const ENGINES = (process.env.BENCH_ENGINES ?? 'sqlite,postgres').split(',') as ('sqlite' | 'postgres')[];

interface Fixture {
  s: TestServer;
  rows: number;
  paths: Record<string, string>;
}

const LISTS = ['ListLogsJob', 'ListLogsJob FAIL', 'ListRedislog', 'ListClusterMasterSnapshotTasks', 'ListAutopilotClusterMasterSnapshotTasks', 'ListSnapshots', 'ListClusterSnapshots', 'ListClusterSnapshots by name', 'ListClustersDetails'] as const;

async function fixture(engine: 'sqlite' | 'postgres', rows: number): Promise<Fixture> {
  const dir = resolve('.bench/lists', `${engine}-${rows}`);
  mkdirSync(dir, { recursive: true });
  let databaseUrl: string;
  if (engine === 'postgres') {
    const name = `logsnap_bench_lists_${rows}`;
    if ((await pgQuery(PG_ADMIN_URL, `select 1 from pg_database where datname = '${name}'`)).length === 0) await pgQuery(PG_ADMIN_URL, `create database ${name}`);
    const u = new URL(PG_ADMIN_URL);
    u.pathname = `/${name}`;
    databaseUrl = u.toString();
  } else databaseUrl = `sqlite:${join(dir, 'logsnap.db')}`;
  const s = await startServer({ engine, dataDir: dir, databaseUrl, config: { core: { role: 'api' } } });
  const db = s.rt.db;
  const meta = await db.kysely.selectFrom('meta').select('value').where('key', '=', 'bench_lists').executeTakeFirst();
  let ids: Record<string, string>;
  if (meta) ids = JSON.parse(meta.value);
  else {
    const t = performance.now();
    process.stdout.write(`building ${engine} database with ${rows} rows per list …`);
    const reg = (service: 'css' | 'dcs' | 'cce' | 'dws', name: string, engineValue: unknown) =>
      s.rt.deps.clusters.register({ projectId: s.projectId, service, name, engine: engineValue }).then((c) => c.id);
    ids = {
      project: s.projectId,
      css: await reg('css', 'records', { nodes: [{ name: 'es-1', ip: '10.0.0.1', logDir: '/var/log/es' }] }),
      dcs: await reg('dcs', 'redis', { nodes: [{ replicationId: 'r0', ip: '10.0.0.2', url: 'redis://127.0.0.1:6379' }] }),
      cce: await reg('cce', 'k8s', { endpoints: ['http://127.0.0.1:2379'] }),
      autopilot: await reg('cce', 'k8s-ap', { endpoints: ['http://127.0.0.1:2379'], autopilot: true }),
      dws: await reg('dws', 'warehouse', { url: 'postgres://postgres@127.0.0.1:5432/postgres' }),
    };
    const enc = (await db.kysely.selectFrom('clusters').select('engine_enc').where('id', '=', ids.css).executeTakeFirstOrThrow()).engine_enc;
    await fillCssRecords(db, { projectId: s.projectId, clusterId: ids.css, count: rows });
    await fillCssClusters(db, { projectId: s.projectId, count: rows - 1, engineEnc: enc, variant: 'elasticsearch' });
    await fillDcsRedislogs(db, { projectId: s.projectId, instanceId: ids.dcs, count: rows });
    await fillCceTasks(db, { projectId: s.projectId, clusterId: ids.cce, count: rows });
    await fillCceTasks(db, { projectId: s.projectId, clusterId: ids.autopilot, count: rows });
    await fillDwsSnapshots(db, { projectId: s.projectId, clusterId: ids.dws, count: rows });
    if (engine === 'postgres') await pgQuery(databaseUrl, 'vacuum analyze');
    else await sql`analyze`.execute(db.kysely);
    await db.kysely.insertInto('meta').values({ key: 'bench_lists', value: JSON.stringify(ids) }).execute();
    console.log(` ${((performance.now() - t) / 1000).toFixed(0)} s`);
  }
  const p = ids.project;
  const paths: Record<(typeof LISTS)[number], string> = {
    ListLogsJob: `/v1.0/${p}/clusters/${ids.css}/logs/records?limit=10&offset=1`,
    'ListLogsJob FAIL': `/v1.0/${p}/clusters/${ids.css}/logs/records?limit=10&offset=1&status=FAIL`,
    ListRedislog: `/v2/${p}/instances/${ids.dcs}/redislog?log_type=run&limit=10&offset=0`,
    ListClusterMasterSnapshotTasks: `/api/v3.1/projects/${p}/clusters/${ids.cce}/operation/snapshot/tasks?limit=10`,
    ListAutopilotClusterMasterSnapshotTasks: `/autopilot/v3.1/projects/${p}/clusters/${ids.autopilot}/operation/snapshot/tasks?limit=10`,
    ListSnapshots: `/v1.0/${p}/snapshots?limit=10`,
    ListClusterSnapshots: `/v1.0/${p}/clusters/${ids.dws}/snapshots?limit=10&offset=0`,
    'ListClusterSnapshots by name': `/v1.0/${p}/clusters/${ids.dws}/snapshots?limit=10&offset=0&sort_key=name&sort_dir=asc`,
    ListClustersDetails: `/v1.0/${p}/clusters?limit=10&offset=1`,
  };
  return { s, rows, paths };
}

/** Median latency (ms) of REQUESTS signed GETs, one at a time, after a warm-up. */
async function timePage(f: Fixture, path: string, expectTotal: (body: any) => number | undefined): Promise<number> {
  const host = new URL(f.s.url).host;
  const get = async () => {
    const headers = signRequest({ method: 'GET', url: path, headers: { host, 'content-type': 'application/json' }, accessKey: f.s.ak, secretKey: f.s.sk, now: Date.now() });
    const r = await fetch(f.s.url + path, { headers });
    const body = await r.json();
    if (r.status !== 200) throw new Error(`${path}: ${r.status} ${JSON.stringify(body)}`);
    return body;
  };
  const first = await get();
  const total = expectTotal(first);
  if (total !== undefined && total < f.rows) throw new Error(`${path}: total ${total}, expected ≥ ${f.rows}`);
  for (let i = 0; i < 20; i++) await get();
  const times: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const t = performance.now();
    await get();
    times.push(performance.now() - t);
  }
  return median(times);
}

const TOTAL: Record<(typeof LISTS)[number], (b: any) => number | undefined> = {
  ListLogsJob: (b) => b.totalSize,
  'ListLogsJob FAIL': () => undefined,
  ListRedislog: (b) => b.total_num,
  ListClusterMasterSnapshotTasks: (b) => (b.items.length === 10 ? undefined : -1),
  ListAutopilotClusterMasterSnapshotTasks: (b) => (b.items.length === 10 ? undefined : -1),
  ListSnapshots: (b) => b.count,
  ListClusterSnapshots: (b) => b.count,
  'ListClusterSnapshots by name': (b) => b.count,
  ListClustersDetails: (b) => b.totalSize,
};

/**
 * The plans behind each list at LARGE rows (a figure that does not depend on the machine's load):
 * every statement one request runs, explained by the database. A full scan of a big table or a
 * sort of all its rows would show here.
 */
async function explain(f: Fixture, list: string, path: string): Promise<string[]> {
  const db = f.s.rt.db;
  const seen: { sql: string; parameters: readonly unknown[] }[] = [];
  const executor = db.kysely.getExecutor() as unknown as { executeQuery: (q: any, id: any) => Promise<any> };
  const origExec = executor.executeQuery;
  const origRun = db.run;
  executor.executeQuery = function (q, id) {
    seen.push(q);
    return origExec.call(this, q, id);
  };
  db.run = (q) => {
    seen.push(q);
    return origRun(q);
  };
  try {
    const host = new URL(f.s.url).host;
    await fetch(f.s.url + path, { headers: signRequest({ method: 'GET', url: path, headers: { host, 'content-type': 'application/json' }, accessKey: f.s.ak, secretKey: f.s.sk, now: Date.now() }) });
  } finally {
    executor.executeQuery = origExec;
    db.run = origRun;
  }
  const out: string[] = [];
  for (const q of seen.filter((x) => /^select/i.test(x.sql))) {
    const rows = (await db.kysely.executeQuery({ sql: `${db.dialect === 'sqlite' ? 'EXPLAIN QUERY PLAN' : 'EXPLAIN'} ${q.sql}`, parameters: q.parameters, query: { kind: 'RawNode' } } as never)).rows as any[];
    const plan = rows.map((r) => r.detail ?? r['QUERY PLAN']).join(' / ');
    const bad = db.dialect === 'sqlite' ? /\bSCAN (?!.*USING (COVERING )?INDEX)|TEMP B-TREE FOR ORDER BY/.test(plan) : /Seq Scan on (css_log_records|dcs_redislogs|cce_snapshot_tasks|dws_snapshots|clusters)\b|(?<!Incremental )Sort /.test(plan);
    out.push(`${bad ? 'CHECK' : 'ok   '} ${q.sql.slice(0, 110)}${q.sql.length > 110 ? '…' : ''}\n        ${plan.replace(/\s+/g, ' ').slice(0, 300)}`);
  }
  void list;
  return out;
}

const results: { engine: string; list: string; small: number; large: number }[] = [];
for (const engine of ENGINES) {
  if (engine === 'postgres') {
    try {
      await pgQuery(PG_ADMIN_URL, 'select 1');
    } catch {
      console.log(`SKIP postgres: not reachable at ${PG_ADMIN_URL}`);
      continue;
    }
  }
  const small = await fixture(engine, SMALL);
  const large = await fixture(engine, LARGE);
  try {
    console.log(`${engine}: the statements of each list at ${LARGE} rows and their plans`);
    for (const list of LISTS) {
      console.log(`  ${list}`);
      for (const line of await explain(large, list, large.paths[list])) console.log(`    ${line}`);
    }
    const t: Record<string, { small: number[]; large: number[] }> = {};
    for (let round = 0; round < ROUNDS; round++) {
      for (const list of LISTS) {
        t[list] ??= { small: [], large: [] };
        const order = round % 2 === 0 ? [small, large] : [large, small];
        for (const f of order) t[list][f === small ? 'small' : 'large'].push(await timePage(f, f.paths[list], TOTAL[list]));
      }
    }
    for (const list of LISTS) {
      const r = { engine, list, small: median(t[list].small), large: median(t[list].large) };
      results.push(r);
      console.log(`${engine.padEnd(8)} ${list.padEnd(42)} ${SMALL} rows ${r.small.toFixed(2)} ms | ${LARGE} rows ${r.large.toFixed(2)} ms | ×${(r.large / r.small).toFixed(2)}`);
    }
  } finally {
    await small.s.close({ keep: true });
    await large.s.close({ keep: true });
  }
}
const worst = results.reduce((w, r) => (r.large / r.small > w.large / w.small ? r : w), results[0]);
console.log(resultLine('lists', worst.large / worst.small, {
  worst: `${worst.engine}:${worst.list.replace(/\s+/g, '_')}`, small_rows: SMALL, large_rows: LARGE, lists: results.length,
  ...Object.fromEntries(results.map((r) => [`${r.engine}_${r.list.replace(/\s+/g, '_')}`, Number((r.large / r.small).toFixed(2))])),
}));
