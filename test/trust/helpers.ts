/**
 * Shared pieces of the trust tests: one cluster of every service over real engines (log files,
 * the shared Redis, a private etcd, the shared PostgreSQL), one artifact set of each made through
 * the official SDK signer, and every listing the SDK offers over them.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { after, before } from 'node:test';
import { createPgDatabase, eventually, postgresAvailable, type TestServer } from '../helpers/server.js';
import { etcdSkip, startEtcd, type EtcdProcess } from '../cce/etcdProcess.js';
import { op, type HcClient } from '../helpers/sdk.js';
import { addDays, todayIn } from '../../src/services/dcs/slicer.js';
import { REDIS_URL, redisSkip, waitJob } from '../dcs/helpers.js';
import { seedWarehouse, settled } from '../dws/helpers.js';

/** Why the suites over all four engines cannot run here (false: they can); under CI=true a missing engine throws. */
export async function enginesSkip(): Promise<string | false> {
  return etcdSkip() || (await redisSkip()) || ((await postgresAvailable()) ? false : 'PostgreSQL (the DWS engine) is not reachable');
}

/** A private etcd for the enclosing suite (started before, stopped after), with one key in it. */
export function useEtcd(value = 'etcd-value-that-is-secret'): () => EtcdProcess {
  let etcd: EtcdProcess;
  before(async () => {
    etcd = await startEtcd();
    etcd.ctl(['put', '/registry/secret', value]);
  });
  after(async () => etcd?.stop());
  return () => etcd;
}

const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const stamp = (day: string) => {
  const [y, m, d] = day.split('-');
  return `${d} ${MON[Number(m) - 1]} ${y}`;
};

/** Source data whose every line is unique and recognisable (a marker + random hex). */
export interface Sources {
  dir: string;
  marker: string;
  /** every line written anywhere (log files, Redis log, warehouse rows) */
  lines: string[];
  cssNodes: { name: string; logDir: string }[];
  redisLog: string;
  /** DCS day files expected: day → content */
  days: Record<string, string>;
}

export function makeSources(now = Date.now()): Sources {
  const dir = mkdtempSync(join(tmpdir(), 'logsnap-trust-src-'));
  const marker = `trust-${randomBytes(4).toString('hex')}`;
  const lines: string[] = [];
  const line = (what: string) => {
    const l = `${marker} ${what} ${randomBytes(12).toString('hex')} payload line that must never be stored in clear`;
    lines.push(l);
    return l;
  };
  const cssNodes = ['es-1', 'es-2'].map((name) => {
    const logDir = join(dir, name);
    mkdirSync(logDir, { recursive: true });
    writeFileSync(join(logDir, 'cluster.log'), Array.from({ length: 40 }, (_, i) => `[2026-01-01T00:00:${String(i).padStart(2, '0')}] ${line(`${name} es ${i}`)}\n`).join(''));
    writeFileSync(join(logDir, 'gc.log'), Array.from({ length: 10 }, (_, i) => `${line(`${name} gc ${i}`)}\n`).join(''));
    return { name, logDir };
  });
  const today = todayIn('UTC', now);
  const yesterday = addDays(today, -1);
  const days: Record<string, string> = {
    [yesterday]: Array.from({ length: 5 }, (_, i) => `1:M ${stamp(yesterday)} 10:00:0${i}.000 * ${line(`redis ${yesterday} ${i}`)}\n`).join(''),
    [today]: Array.from({ length: 5 }, (_, i) => `1:M ${stamp(today)} 11:00:0${i}.000 * ${line(`redis ${today} ${i}`)}\n`).join(''),
  };
  const redisLog = join(dir, 'redis.log');
  writeFileSync(redisLog, days[yesterday] + days[today]);
  return { dir, marker, lines, cssNodes, redisLog, days };
}

export interface Clusters {
  css: string;
  dcs: string;
  cce: string;
  dws: string;
  /** the DWS source database */
  dwsDb: Awaited<ReturnType<typeof createPgDatabase>>;
}

/** Register one cluster of each service in the server's project (fixed ids, so a second server can register the same). */
export async function registerAll(s: TestServer, src: Sources, etcdEndpoint: string, projectId = s.projectId, ids?: Partial<Clusters>): Promise<Clusters> {
  const tag = randomBytes(3).toString('hex');
  let dwsDb = ids?.dwsDb;
  if (!dwsDb) {
    dwsDb = await createPgDatabase('trust_dws');
    await seedWarehouse(dwsDb.url, 50);
    const { sql } = await import('../dws/helpers.js');
    await sql(dwsDb.url, 'create table secrets(id int primary key, v text not null)');
    for (const [i, l] of src.lines.slice(0, 5).entries()) await sql(dwsDb.url, 'insert into secrets values ($1, $2)', [i, `${l}`]);
  }
  const c = s.rt.deps.clusters;
  const css = await c.register({ id: ids?.css ?? `css-${tag}`, projectId, service: 'css', name: 'es', engine: { nodes: src.cssNodes } });
  const dcs = await c.register({ id: ids?.dcs ?? `dcs-${tag}`, projectId, service: 'dcs', name: 'redis', engine: { timeZone: 'UTC', nodes: [{ replicationId: 'r1', ip: '10.0.0.9', url: REDIS_URL, logFile: src.redisLog }] } });
  const cce = await c.register({ id: ids?.cce ?? `cce-${tag}`, projectId, service: 'cce', name: 'k8s', engine: { endpoints: [etcdEndpoint] } });
  const dws = await c.register({ id: ids?.dws ?? `dws-${tag}`, projectId, service: 'dws', name: 'warehouse', engine: { url: dwsDb.url } });
  return { css: css.id, dcs: dcs.id, cce: cce.id, dws: dws.id, dwsDb };
}

export const URL = {
  cssOpen: '/v1.0/{project_id}/clusters/{cluster_id}/logs/open',
  cssCollect: '/v1.0/{project_id}/clusters/{cluster_id}/logs/collect',
  cssRecords: '/v1.0/{project_id}/clusters/{cluster_id}/logs/records',
  dcsLogs: '/v2/{project_id}/instances/{instance_id}/redislog',
  dcsLink: '/v2/{project_id}/instances/{instance_id}/redislog/{id}/links',
  cceCreate: '/api/v3.1/projects/{project_id}/clusters/{cluster_id}/operation/snapshot',
  cceTasks: '/api/v3.1/projects/{project_id}/clusters/{cluster_id}/operation/snapshot/tasks',
  dwsSnapshots: '/v1.0/{project_id}/snapshots',
  dwsSnapshot: '/v1.0/{project_id}/snapshots/{snapshot_id}',
  dwsClusterSnapshots: '/v1.0/{project_id}/clusters/{cluster_id}/snapshots',
  dwsRestore: '/v1.0/{project_id}/snapshots/{snapshot_id}/actions',
};

/** One CSS log backup (or more), one DCS collection (three day files, one of them empty), one CCE snapshot, one DWS snapshot — all through the SDK. */
export async function produceAll(s: TestServer, ids: Clusters, o: { cssBackups?: number; dwsName?: string } = {}): Promise<{ cssJobs: string[]; dcsJob: string; cceTask: string; dwsSnapshot: string }> {
  const c = s.client();
  const cssJobs: string[] = [];
  await op(c, { method: 'POST', url: URL.cssOpen, pathParams: { cluster_id: ids.css }, data: { agency: 'css_obs_agency', log_bucket: 'css-logs', log_base_path: 'css/log' } });
  for (let i = 0; i < (o.cssBackups ?? 1); i++) {
    await op(c, { method: 'POST', url: URL.cssCollect, pathParams: { cluster_id: ids.css } });
    // (a test clock may give several records the same time: find the new one by job id)
    const rec = await eventually(async () => {
      const r = await op(c, { method: 'GET', url: URL.cssRecords, pathParams: { cluster_id: ids.css }, queryParams: { limit: 100 } });
      const fresh = r.clusterLogRecord.find((x: { jobId: string }) => !cssJobs.includes(x.jobId));
      return fresh && fresh.status !== 'RUNNING' ? fresh : undefined;
    }, 30_000, 'the CSS backup');
    assert.equal(rec.status, 'SUCCESS', rec.failedMsg);
    cssJobs.push(rec.jobId);
  }
  const dcs = await c.sendRequest({
    method: 'POST', url: URL.dcsLogs, contentType: 'application/json', pathParams: { instance_id: ids.dcs }, queryParams: { log_type: 'run', query_time: 3 }, headers: {},
  });
  assert.ok(dcs.httpStatusCode < 300);
  const dcsJob = await eventually(async () => (await s.rt.db.kysely.selectFrom('jobs').select('id').where('cluster_id', '=', ids.dcs).executeTakeFirst())?.id, 10_000, 'the DCS job');
  const dj = await waitJob(s, dcsJob);
  assert.equal(dj.state, 'SUCCEEDED', dj.error ?? '');
  const cce = await op(c, { method: 'POST', url: URL.cceCreate, pathParams: { cluster_id: ids.cce } });
  const cceTask = cce.uid as string;
  await eventually(async () => {
    const r = await op(c, { method: 'GET', url: URL.cceTasks, pathParams: { cluster_id: ids.cce } });
    const t = r.items.find((i: any) => i.metadata.uid === cceTask);
    if (t?.status.phase === 'Failed') throw new Error(JSON.stringify(t.spec));
    return t?.status.phase === 'Success';
  }, 30_000, 'the CCE snapshot');
  const dws = await op(c, { method: 'POST', url: URL.dwsSnapshots, data: { snapshot: { name: o.dwsName ?? `snap-${randomBytes(3).toString('hex')}`, cluster_id: ids.dws, description: 'trust test' } } });
  const snap = await settled(c, s.projectId, dws.snapshot.id);
  assert.equal(snap.status, 'AVAILABLE', snap.failure_reason);
  return { cssJobs, dcsJob, cceTask, dwsSnapshot: dws.snapshot.id };
}

const strip = (r: Record<string, any>): Record<string, any> => {
  const { httpStatusCode: _h, ...rest } = r;
  return rest;
};

/** Every listing the SDK offers over the four clusters (what a rebuild must reproduce). */
export async function listings(c: HcClient, ids: Pick<Clusters, 'css' | 'dcs' | 'cce' | 'dws'>, dwsSnapshotIds: string[]) {
  const dcsList = await c.sendRequest({ method: 'GET', url: URL.dcsLogs, contentType: 'application/json', pathParams: { instance_id: ids.dcs }, queryParams: { log_type: 'run' }, headers: {} });
  return {
    css: strip(await op(c, { method: 'GET', url: URL.cssRecords, pathParams: { cluster_id: ids.css }, queryParams: { limit: 100 } })),
    cssNotFail: strip(await op(c, { method: 'GET', url: URL.cssRecords, pathParams: { cluster_id: ids.css }, queryParams: { limit: 100, status: 'NOT_FAIL' } })),
    dcs: strip(dcsList),
    cce: strip(await op(c, { method: 'GET', url: URL.cceTasks, pathParams: { cluster_id: ids.cce } })),
    dws: strip(await op(c, { method: 'GET', url: URL.dwsSnapshots })),
    dwsCluster: strip(await op(c, { method: 'GET', url: URL.dwsClusterSnapshots, pathParams: { cluster_id: ids.dws } })),
    dwsDetails: await Promise.all(dwsSnapshotIds.map(async (id) => strip(await op(c, { method: 'GET', url: URL.dwsSnapshot, pathParams: { snapshot_id: id } })))),
  };
}

/** Every file under a folder (the fs store's bytes), for tampering and plaintext scans. */
export function filesUnder(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(p);
    }
  };
  walk(root);
  return out;
}

/** Change one byte of a stored file (the fs store keeps objects at <root>/<bucket>/<key>). */
export function flipByte(path: string, at?: number): void {
  const b = readFileSync(path);
  const i = at ?? Math.floor(b.length / 2);
  b[i] ^= 0x5a;
  writeFileSync(path, b);
}
