/**
 * For every job kind, on both state engines: the process dies between the job's FAILED commit and
 * the clean-up after it; a restart brings everything in line within one lease + one scheduler tick
 * (see harness.ts). Engines: real etcd (CCE), real Redis (DCS), real PostgreSQL (DWS), folders (CSS).
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPgDatabase, engines, eventually, postgresAvailable, PG_ADMIN_URL } from '../helpers/server.js';
import { op, opWithHeaders } from '../helpers/sdk.js';
import { writeLogFile } from '../../src/services/css/sampleLogs.js';
import { SNAPSHOT_BUCKET } from '../../src/services/cce/snapshots.js';
import { RUNLOG_BUCKET } from '../../src/services/dcs/runLogs.js';
import { DWS_BUCKET } from '../../src/services/dws/domain.js';
import { todayIn } from '../../src/services/dcs/slicer.js';
import { hex32 } from '../../src/security/ids.js';
import { cssOps, OPEN, registerCluster } from '../css/helpers.js';
import { etcdSkip, startEtcd, type EtcdProcess } from '../cce/etcdProcess.js';
import { redisSkip, REDIS_URL, URLS as DCS } from '../dcs/helpers.js';
import { settled, sql } from '../dws/helpers.js';
import { crashAfterFailedCommit, INJECTED_MESSAGE, keysUnder, type Scenario } from './harness.js';

const skipEtcd = etcdSkip();
const skipRedis = await redisSkip();
const pgOk = await postgresAvailable();
const ENGINES = await engines();
if (!pgOk && process.env.CI === 'true') throw new Error('CI=true but PostgreSQL is not reachable');

describe('failure path: killed between FAILED and the clean-up', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'failpath-crash-'));
  let etcd: EtcdProcess | undefined;
  let source: Awaited<ReturnType<typeof createPgDatabase>> | undefined;
  const restored: string[] = [];
  before(async () => {
    for (let i = 1; i <= 3; i++) await writeLogFile(join(tmp, 'css', `es.log.${i}`), 100_000, { node: 'es-1', seed: i });
    const today = todayIn('UTC', Date.now()).split('-');
    const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][Number(today[1]) - 1];
    writeFileSync(join(tmp, 'redis.log'), `1:M ${today[2]} ${mon} ${today[0]} 10:00:00.000 * Ready to accept connections\n`.repeat(50));
    if (!skipEtcd) {
      etcd = await startEtcd();
      for (let i = 0; i < 10; i++) etcd.ctl(['put', `/registry/pods/p-${i}`, `{"n":${i}}`]);
    }
    if (pgOk) {
      source = await createPgDatabase('failpath_src');
      await sql(source.url, 'create table t(id int primary key, v text); insert into t select g, md5(g::text) from generate_series(1, 200) g');
    }
  });
  after(async () => {
    await etcd?.stop();
    await source?.drop();
    for (const d of restored) await sql(PG_ADMIN_URL, `drop database if exists "${d}" with (force)`).catch(() => undefined);
    rmSync(tmp, { recursive: true, force: true });
  });

  const scenarios = (engine: string): Scenario[] => {
    const list: Scenario[] = [
      {
        name: 'CSS log backup',
        prepare: async (s) => {
          const clusterId = await registerCluster(s, [{ name: 'es-1', logDir: join(tmp, 'css') }]);
          await cssOps(s.client('/css'), clusterId).open(OPEN);
          return { clusterId };
        },
        start: async (client, ctx) => {
          const css = cssOps(client('/css'), ctx.clusterId);
          await css.collect();
          return (await css.records()).clusterLogRecord[0].jobId;
        },
        leftovers: (p, ctx, jobId) => keysUnder(p.store, 'css-logs', `css/log/${ctx.clusterId}/${jobId}/`),
        record: async (p, _ctx, jobId) => {
          const r = await p.db.kysely.selectFrom('css_log_records').selectAll().where('job_id', '=', jobId).executeTakeFirstOrThrow();
          return { failed: r.status === 'FAIL', message: r.failed_msg };
        },
      },
    ];
    if (!skipRedis) {
      list.push({
        name: 'DCS run-log collection',
        prepare: async (s) => {
          const c = await s.rt.deps.clusters.register({
            projectId: s.projectId, service: 'dcs', name: 'redis',
            engine: { timeZone: 'UTC', nodes: [{ replicationId: 'r1', ip: '10.9.9.9', url: REDIS_URL, logFile: join(tmp, 'redis.log') }] },
          });
          return { instanceId: c.id, projectId: s.projectId };
        },
        start: async (client, ctx) => {
          const r = await opWithHeaders(client('/dcs'), { method: 'POST', url: DCS.collect, pathParams: { instance_id: ctx.instanceId }, queryParams: { log_type: 'run', query_time: 3 } });
          return r.headers['x-logsnap-job-id'];
        },
        leftovers: (p, ctx, jobId) => keysUnder(p.store, RUNLOG_BUCKET, `${ctx.projectId}/${ctx.instanceId}/${jobId}/`),
        record: async (p, _ctx, jobId) => {
          const rows = await p.db.kysely.selectFrom('dcs_redislogs').selectAll().where('job_id', '=', jobId).execute();
          assert.equal(rows.length, 3);
          return { failed: rows.every((r) => r.status === 'failed' && r.object_key === null), message: [...new Set(rows.map((r) => r.reason))].join() };
        },
      });
    }
    if (etcd) {
      for (const flavor of ['standard', 'autopilot'] as const) {
        const base = flavor === 'autopilot' ? '/autopilot/v3.1' : '/api/v3.1';
        list.push({
          name: `CCE master snapshot (${flavor})`,
          prepare: async (s) => {
            const c = await s.rt.deps.clusters.register({ projectId: s.projectId, service: 'cce', name: `k8s-${flavor}`, engine: { endpoints: [etcd!.endpoint], autopilot: flavor === 'autopilot' } });
            return { clusterId: c.id, projectId: s.projectId };
          },
          start: async (client, ctx) =>
            (await op(client(), { method: 'POST', url: `${base}/projects/{project_id}/clusters/{cluster_id}/operation/snapshot`, pathParams: { cluster_id: ctx.clusterId } })).uid,
          leftovers: (p, ctx, jobId) => keysUnder(p.store, SNAPSHOT_BUCKET, `${ctx.projectId}/${ctx.clusterId}/${jobId}.db`),
          record: async (p, _ctx, jobId) => {
            const t = await p.db.kysely.selectFrom('cce_snapshot_tasks').selectAll().where('id', '=', jobId).executeTakeFirstOrThrow();
            return { failed: t.phase === 'Failed', message: t.message };
          },
        });
      }
    }
    if (source) {
      list.push({
        name: 'DWS snapshot',
        prepare: async (s) => {
          const c = await s.rt.deps.clusters.register({ projectId: s.projectId, service: 'dws', name: 'warehouse', engine: { url: source!.url } });
          return { clusterId: c.id, projectId: s.projectId };
        },
        start: async (client, ctx) => {
          const r = await opWithHeaders(client(), { method: 'POST', url: '/v1.0/{project_id}/snapshots', data: { snapshot: { name: `crash-${engine}`, cluster_id: ctx.clusterId } } });
          return r.headers['x-logsnap-job-id'];
        },
        leftovers: (p, ctx) => keysUnder(p.store, DWS_BUCKET, `${ctx.projectId}/${ctx.clusterId}/`),
        record: async (p, _ctx, jobId) => {
          const r = await p.db.kysely.selectFrom('dws_snapshots').selectAll().where('job_id', '=', jobId).executeTakeFirstOrThrow();
          return { failed: r.status === 'UNAVAILABLE', message: r.failure_reason };
        },
      });
      list.push({
        name: 'DWS restore',
        prepare: async (s) => {
          // a snapshot to restore from, made by a healthy logsnap
          const c = await s.rt.deps.clusters.register({ projectId: s.projectId, service: 'dws', name: 'restore-src', engine: { url: source!.url } });
          const snap = await op(s.client(), { method: 'POST', url: '/v1.0/{project_id}/snapshots', data: { snapshot: { name: `base-${engine}`, cluster_id: c.id } } });
          assert.equal((await settled(s.client(), s.projectId, snap.snapshot.id)).status, 'AVAILABLE');
          const name = `fp_restore_${hex32().slice(0, 10)}`;
          restored.push(name);
          return { snapshotId: snap.snapshot.id, name, clusterId: '' };
        },
        start: async (client, ctx) => {
          const r = await op(client(), { method: 'POST', url: '/v1.0/{project_id}/snapshots/{snapshot_id}/actions', pathParams: { snapshot_id: ctx.snapshotId }, data: { restore: { name: ctx.name } } });
          ctx.clusterId = r.cluster.id;
          return r.job_id;
        },
        // the database the restore created on the source's server
        leftovers: async (_p, ctx) => (await sql<{ datname: string }>(PG_ADMIN_URL, 'select datname from pg_database where datname = $1', [ctx.name])).map((r) => r.datname),
        record: async (p, ctx, jobId) => {
          const c = await p.db.kysely.selectFrom('clusters').select('status').where('id', '=', ctx.clusterId).executeTakeFirstOrThrow();
          const j = await p.db.kysely.selectFrom('jobs').select('error').where('id', '=', jobId).executeTakeFirstOrThrow();
          // a cluster has no message of its own: the restore's job carries it
          return { failed: c.status === 'UNAVAILABLE', message: j.error };
        },
      });
    }
    return list;
  };

  for (const { engine, skip } of ENGINES) {
    test(`on ${engine}: every kind's record is failed with its message, its job FAILED and nothing of it stored`, { skip }, async () => {
      const list = scenarios(engine);
      const o = await crashAfterFailedCommit(engine, 'hang', list);
      try {
        // the clients' views after the restart
        const css = cssOps(o.server.client('/css'), o.ctx['CSS log backup'].clusterId);
        const rec = (await css.records()).clusterLogRecord.find((r: { jobId: string }) => r.jobId === o.jobIds['CSS log backup']);
        assert.equal(rec.status, 'FAIL');
        assert.equal(rec.failedMsg, INJECTED_MESSAGE);
        if (etcd) {
          const ctx = o.ctx['CCE master snapshot (autopilot)'];
          const tasks = await op(o.server.client(), { method: 'GET', url: '/autopilot/v3.1/projects/{project_id}/clusters/{cluster_id}/operation/snapshot/tasks', pathParams: { cluster_id: ctx.clusterId } });
          assert.equal(tasks.items[0].status.phase, 'Failed');
          assert.equal(tasks.items[0].spec.items[0].message, INJECTED_MESSAGE);
        }
        if (source) {
          // a failed snapshot can be deleted (no 409 for good), and a restore onto a database that
          // existed before fails without dropping it (only a database the restore created goes)
          const id = (await o.server.rt.db.kysely.selectFrom('dws_snapshots').select('id').where('job_id', '=', o.jobIds['DWS snapshot']).executeTakeFirstOrThrow()).id;
          assert.equal((await op(o.server.client(), { method: 'DELETE', url: '/v1.0/{project_id}/snapshots/{snapshot_id}', pathParams: { snapshot_id: id } })).httpStatusCode, 202);
          const taken = `fp_taken_${hex32().slice(0, 10)}`;
          restored.push(taken);
          await sql(PG_ADMIN_URL, `create database "${taken}"`);
          const r = await op(o.server.client(), { method: 'POST', url: '/v1.0/{project_id}/snapshots/{snapshot_id}/actions', pathParams: { snapshot_id: o.ctx['DWS restore'].snapshotId }, data: { restore: { name: taken } } });
          const done = await eventually(async () => {
            const items = await o.server.rt.db.kysely.selectFrom('outbox').selectAll().where('payload', 'like', `%${r.job_id}%`).execute();
            return items.length === 1 && items[0].state === 'DONE' ? items[0] : undefined;
          }, 30_000, 'the restore to fail and its clean-up to run');
          assert.equal(done.topic, 'dws.drop-restored-database');
          assert.match((await o.server.rt.queue.get(r.job_id))!.error!, /already exists/);
          assert.equal((await sql(PG_ADMIN_URL, 'select 1 from pg_database where datname = $1', [taken])).length, 1, 'the database that was not the restore\'s stays');
        }
      } finally {
        await o.done();
      }
    });
  }
});
