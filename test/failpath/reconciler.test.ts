/**
 * The reconciler (src/jobs/reconciler.ts) and the sweep's log lines, on both state engines: records
 * left in progress by a job that ended (states older versions or manual edits can leave) are failed
 * with the job's message; objects under job prefixes no live or successful record claims are removed
 * after the grace period; a slot runs once across processes; every fix is logged with the job id and why.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { engines, eventually, FakeClock, startServer, type TestServer } from '../helpers/server.js';
import { hex32, uuid } from '../../src/security/ids.js';
import { RUNLOG_BUCKET } from '../../src/services/dcs/runLogs.js';
import { SNAPSHOT_BUCKET } from '../../src/services/cce/snapshots.js';
import { DWS_BUCKET } from '../../src/services/dws/domain.js';
import { cssOps, OPEN } from '../css/helpers.js';
import { keysUnder } from './harness.js';

const FAR = Date.UTC(2100, 0, 1);
const put = (s: TestServer, bucket: string, key: string) => s.rt.store.put(bucket, key, Readable.from([Buffer.from(`object ${key}`)]));
const lines = (logLines: string[]) => logLines.map((l) => JSON.parse(l) as Record<string, any>);

/** A job row in the given state that no worker will claim (its run_at is far away). */
async function job(s: TestServer, kind: string, state: 'FAILED' | 'SUCCEEDED' | 'RUNNING', extra: Record<string, unknown> = {}) {
  const j = (await s.rt.queue.enqueue({ kind, runAt: FAR, projectId: s.projectId }))!;
  await s.rt.db.kysely.updateTable('jobs').set({ state, ...extra }).where('id', '=', j.id).execute();
  return j.id;
}

async function cssRecord(s: TestServer, clusterId: string, jobId: string, status: 'RUNNING' | 'SUCCESS' | 'FAIL', createdAt = Date.now()) {
  await s.rt.db.kysely.insertInto('css_log_records').values({
    id: uuid(), job_id: jobId, cluster_id: clusterId, project_id: s.projectId, job_type: 'Manual', status, bucket: 'css-logs', base_path: 'css/log',
    prefix: `css/log/${clusterId}/${jobId}`, created_at: createdAt, finished_at: null, failed_msg: null, manifest_key: null, slot_key: null, totals: null,
  }).execute();
  return `css/log/${clusterId}/${jobId}/`;
}

for (const { engine, skip } of await engines()) {
  describe(`reconciler on ${engine}`, { skip }, () => {
    test('records in progress whose job ended (or never existed) are failed with the job\'s message, their objects removed, each fix logged', async () => {
      const logLines: string[] = [];
      const s = await startServer({ engine, logLines });
      try {
        const now = Date.now();
        const k = s.rt.db.kysely;
        const cluster = async (service: 'css' | 'cce' | 'dws' | 'dcs', engineJson: unknown, status?: string) =>
          (await s.rt.deps.clusters.register({ projectId: s.projectId, service, name: `${service}-${hex32().slice(0, 6)}`, engine: engineJson, status })).id;
        // CSS: a RUNNING record whose job FAILED (its failure step never ran: an older logsnap died there)
        const cssCluster = await cluster('css', { nodes: [{ name: 'es-1', logDir: '/nonexistent' }] });
        const cssJob = hex32();
        await s.rt.queue.enqueue({ id: cssJob, kind: 'css.log-backup', runAt: FAR });
        await k.updateTable('jobs').set({ state: 'FAILED', error: 'node es-1: disk on fire' }).where('id', '=', cssJob).execute();
        // (objects first: the reconciler may repair a record the moment it exists)
        const cssPrefix = `css/log/${cssCluster}/${cssJob}/`;
        await put(s, 'css-logs', `${cssPrefix}nodes/es-1/es.log.gz`);
        await cssRecord(s, cssCluster, cssJob, 'RUNNING');
        // CCE: a Running task whose job says SUCCEEDED (impossible since the commit step; repaired anyway)
        const cceCluster = await cluster('cce', { endpoints: ['http://127.0.0.1:1'] });
        const cceJob = await job(s, 'cce-master-snapshot', 'SUCCEEDED');
        await put(s, SNAPSHOT_BUCKET, `${s.projectId}/${cceCluster}/${cceJob}.db`);
        await k.insertInto('cce_snapshot_tasks').values({
          id: cceJob, project_id: s.projectId, cluster_id: cceCluster, phase: 'Running', progress: 40, message: null, endpoint: null, etcd_version: null,
          revision: null, db_size: null, bucket: null, object_key: null, size: null, sha256: null, created_at: now, updated_at: now, completed_at: null,
        }).execute();
        // DWS: a CREATING snapshot whose job does not exist (older than the grace), and a fresh one (left alone)
        const dwsCluster = await cluster('dws', { url: 'postgres://u@127.0.0.1:1/x' });
        const snap = async (id: string, startedAt: number) => {
          await put(s, DWS_BUCKET, `${s.projectId}/${dwsCluster}/${id}.dump`);
          await k.insertInto('dws_snapshots').values({
            id, project_id: s.projectId, cluster_id: dwsCluster, cluster_name: 'w', name: `n-${id}`, name_lower: `n-${id}`, description: '', type: 'MANUAL',
            status: 'CREATING', bucket: DWS_BUCKET, object_key: `${s.projectId}/${dwsCluster}/${id}.dump`, size_bytes: 0, sha256: null, failure_reason: null,
            job_id: id, keep_until: null, started_at: startedAt, finished_at: null, updated_at: startedAt,
          }).execute();
        };
        const lostSnap = uuid();
        const freshSnap = uuid();
        await snap(lostSnap, now - 60_000);
        await snap(freshSnap, now + 3_600_000);
        // DWS: a restored cluster CREATING without any restore job (its enqueue was lost)
        const restoredCluster = await cluster('dws', { url: 'postgres://u@127.0.0.1:1/y' }, 'CREATING');
        await k.updateTable('clusters').set({ created_at: now - 60_000 }).where('id', '=', restoredCluster).execute();
        // DCS: files collecting whose job FAILED
        const dcsInstance = await cluster('dcs', { nodes: [{ replicationId: 'r1', ip: '10.0.0.1', url: 'redis://127.0.0.1:1' }] });
        const dcsJob = await job(s, 'dcs.redislog.collect', 'FAILED', { error: 'Redis 10.0.0.1 did not answer PING' });
        const days = ['2026-01-01', '2026-01-02'];
        for (const day of days) await put(s, RUNLOG_BUCKET, `${s.projectId}/${dcsInstance}/${dcsJob}/redis_10.0.0.1_${day}.log`);
        await k.insertInto('dcs_redislogs').values(days.map((day) => ({
          id: uuid(), project_id: s.projectId, instance_id: dcsInstance, replication_id: 'r1', replication_ip: '10.0.0.1', group_name: 'group-0', day,
          file_name: `redis_10.0.0.1_${day}.log`, status: 'collecting' as const, reason: null, job_id: dcsJob, bucket: null, object_key: null, size: null, sha256: null,
          created_at: now, updated_at: now, collected_at: null, expires_at: null,
        }))).execute();

        // the next scheduler tick (1 s in tests) repairs all of it
        await eventually(async () => (await k.selectFrom('css_log_records').select('status').where('job_id', '=', cssJob).executeTakeFirst())?.status === 'FAIL', 10_000, 'the CSS record');
        const rec = await k.selectFrom('css_log_records').selectAll().where('job_id', '=', cssJob).executeTakeFirstOrThrow();
        assert.equal(rec.failed_msg, 'node es-1: disk on fire');
        const task = await eventually(async () => {
          const t = await k.selectFrom('cce_snapshot_tasks').selectAll().where('id', '=', cceJob).executeTakeFirst();
          return t?.phase === 'Failed' ? t : undefined;
        }, 10_000, 'the CCE task');
        assert.equal(task.message, `job ${cceJob} ended SUCCEEDED without finishing this CCE snapshot task (repaired by logsnap's reconciler)`);
        const lost = await eventually(async () => {
          const r = await k.selectFrom('dws_snapshots').selectAll().where('id', '=', lostSnap).executeTakeFirst();
          return r?.status === 'UNAVAILABLE' ? r : undefined;
        }, 10_000, 'the DWS snapshot');
        assert.equal(lost.failure_reason, 'no job exists to finish this DWS snapshot (repaired by logsnap\'s reconciler)');
        await eventually(async () => (await s.rt.deps.clusters.getAny(restoredCluster))?.status === 'UNAVAILABLE', 10_000, 'the restored cluster');
        const files = await eventually(async () => {
          const r = await k.selectFrom('dcs_redislogs').selectAll().where('job_id', '=', dcsJob).execute();
          return r.every((f) => f.status === 'failed') ? r : undefined;
        }, 10_000, 'the DCS files');
        assert.deepEqual(files.map((f) => f.reason), ['Redis 10.0.0.1 did not answer PING', 'Redis 10.0.0.1 did not answer PING']);
        // their objects go through the outbox
        await eventually(async () => {
          const left = [
            ...(await keysUnder(s.rt.store, 'css-logs', cssPrefix)),
            ...(await keysUnder(s.rt.store, SNAPSHOT_BUCKET, `${s.projectId}/${cceCluster}/`)),
            ...(await keysUnder(s.rt.store, DWS_BUCKET, `${s.projectId}/${dwsCluster}/${lostSnap}`)),
            ...(await keysUnder(s.rt.store, RUNLOG_BUCKET, `${s.projectId}/${dcsInstance}/`)),
          ];
          return left.length === 0;
        }, 10_000, 'the repaired records\' objects to be deleted');
        // the fresh record without a job may still get one: untouched, object kept
        assert.equal((await k.selectFrom('dws_snapshots').select('status').where('id', '=', freshSnap).executeTakeFirstOrThrow()).status, 'CREATING');
        assert.ok(await s.rt.store.head(DWS_BUCKET, `${s.projectId}/${dwsCluster}/${freshSnap}.dump`));
        // every fix is logged with its job id and why
        const fixes = lines(logLines).filter((l) => typeof l.msg === 'string' && l.msg.startsWith('reconciler: '));
        const by = (jobId: string | null) => fixes.filter((l) => l.job_id === jobId);
        assert.equal(by(cssJob).length, 1);
        assert.equal(by(cssJob)[0].reason, 'node es-1: disk on fire');
        assert.match(by(cssJob)[0].msg, /CSS log backup record .* was still in progress although its job ended FAILED; marked failed/);
        assert.equal(by(cceJob)[0].job_state, 'SUCCEEDED');
        assert.equal(by(lostSnap)[0].job_state, null);
        assert.match(by(lostSnap)[0].msg, /its job does not exist/);
        assert.equal(by(dcsJob).length, 1, 'one fix for the job\'s files');
        assert.ok(fixes.some((l) => l.record === `DWS restored cluster ${restoredCluster}`));
        const deleted = lines(logLines).filter((l) => l.topic === 'store.delete' && l.job_id === cssJob);
        assert.match(deleted[0]?.msg ?? '', /deleted 1 stored object\(s\): the log backup failed/);
      } finally {
        await s.close();
      }
    });

    test('objects under job prefixes that no live or successful record claims are removed after the grace period', async () => {
      const logLines: string[] = [];
      const clock = new FakeClock();
      const s = await startServer({ engine, clock, logLines, config: { jobs: { orphanGraceSeconds: 60, reconcileObjectsSeconds: 1 } } });
      try {
        const k = s.rt.db.kysely;
        const reg = async (service: 'css' | 'cce' | 'dws' | 'dcs', engineJson: unknown) =>
          (await s.rt.deps.clusters.register({ projectId: s.projectId, service, name: `${service}-${hex32().slice(0, 6)}`, engine: engineJson })).id;
        const css = await reg('css', { nodes: [{ name: 'es-1', logDir: '/nonexistent' }] });
        await cssOps(s.client('/css'), css).open(OPEN);
        const orphanJob = hex32();
        const okJob = hex32();
        const failJob = hex32();
        await cssRecord(s, css, okJob, 'SUCCESS');
        await cssRecord(s, css, failJob, 'FAIL');
        const cce = await reg('cce', { endpoints: ['http://127.0.0.1:1'] });
        const cceOk = uuid();
        await k.insertInto('cce_snapshot_tasks').values({
          id: cceOk, project_id: s.projectId, cluster_id: cce, phase: 'Success', progress: 100, message: null, endpoint: null, etcd_version: null,
          revision: null, db_size: null, bucket: SNAPSHOT_BUCKET, object_key: `${s.projectId}/${cce}/${cceOk}.db`, size: 1, sha256: null, created_at: 1, updated_at: 1, completed_at: 1,
        }).execute();
        const dcs = await reg('dcs', { nodes: [{ replicationId: 'r1', ip: '10.0.0.1', url: 'redis://127.0.0.1:1' }] });
        const dcsOkJob = uuid();
        const dcsOkKey = `${s.projectId}/${dcs}/${dcsOkJob}/redis_10.0.0.1_2026-01-01.log`;
        await k.insertInto('dcs_redislogs').values({
          id: uuid(), project_id: s.projectId, instance_id: dcs, replication_id: 'r1', replication_ip: '10.0.0.1', group_name: 'group-0', day: '2026-01-01',
          file_name: 'redis_10.0.0.1_2026-01-01.log', status: 'succeed', reason: null, job_id: dcsOkJob, bucket: RUNLOG_BUCKET, object_key: dcsOkKey, size: 1, sha256: null,
          created_at: 1, updated_at: 1, collected_at: 1, expires_at: FAR,
        }).execute();
        const dws = await reg('dws', { url: 'postgres://u@127.0.0.1:1/x' });
        const dwsOk = uuid();
        await k.insertInto('dws_snapshots').values({
          id: dwsOk, project_id: s.projectId, cluster_id: dws, cluster_name: 'w', name: 'ok', name_lower: 'ok', description: '', type: 'MANUAL',
          status: 'AVAILABLE', bucket: DWS_BUCKET, object_key: `${s.projectId}/${dws}/${dwsOk}.dump`, size_bytes: 1, sha256: null, failure_reason: null,
          job_id: dwsOk, keep_until: null, started_at: 1, finished_at: 1, updated_at: 1,
        }).execute();
        const orphans: [string, string, string][] = [
          ['css-logs', `css/log/${css}/${orphanJob}/nodes/es-1/es.log.gz`, orphanJob],
          ['css-logs', `css/log/${css}/${failJob}/manifest.json`, failJob],
          [SNAPSHOT_BUCKET, `${s.projectId}/${cce}/${uuid()}.db`, ''],
          [RUNLOG_BUCKET, `${s.projectId}/${dcs}/${uuid()}/redis_10.0.0.1_2026-01-02.log`, ''],
          [DWS_BUCKET, `${s.projectId}/${dws}/${uuid()}.dump`, ''],
        ];
        const kept: [string, string][] = [
          ['css-logs', `css/log/${css}/${okJob}/manifest.json`],
          ['css-logs', 'css/log/README.txt'],
          [SNAPSHOT_BUCKET, `${s.projectId}/${cce}/${cceOk}.db`],
          [RUNLOG_BUCKET, dcsOkKey],
          [DWS_BUCKET, `${s.projectId}/${dws}/${dwsOk}.dump`],
        ];
        for (const [b, key] of [...orphans, ...kept]) await put(s, b, key);
        // within the grace period nothing goes (a record may be about to claim it)
        assert.deepEqual(await s.rt.reconciler!.reconcileObjects(clock.now()), []);
        clock.advance(120_000);
        await eventually(async () => {
          for (const [b, key] of orphans) if (await s.rt.store.head(b, key)) return false;
          return true;
        }, 10_000, 'the orphaned objects to be removed by the scheduler');
        for (const [b, key] of kept) assert.ok(await s.rt.store.head(b, key), `${b}/${key} is claimed (or not under a job prefix) and stays`);
        const removed = lines(logLines).filter((l) => l.msg?.startsWith('reconciler: removed an orphaned object'));
        for (const [b, key, jobId] of orphans) {
          const line = removed.find((l) => l.bucket === b && l.key === key);
          assert.ok(line, `logged: ${key}`);
          assert.ok(line.reason.length > 10);
          if (jobId) assert.equal(line.job_id, jobId);
        }
        const slot = await k.selectFrom('reconcile_slots').selectAll().where('slot', 'like', 'objects:%').where('summary', 'like', '%css/log%').executeTakeFirstOrThrow();
        assert.equal(JSON.parse(slot.summary!).objects.length, orphans.length);
      } finally {
        await s.close();
      }
    });

    test('two processes: each slot runs once; the sweep logs the jobs it fails without retrying', async () => {
      const clock = new FakeClock();
      const la: string[] = [];
      const lb: string[] = [];
      const a = await startServer({ engine, clock, logLines: la });
      const b = await startServer({ engine, clock, logLines: lb, dataDir: a.dataDir, databaseUrl: a.databaseUrl });
      try {
        const k = a.rt.db.kysely;
        const css = (await a.rt.deps.clusters.register({ projectId: a.projectId, service: 'css', name: 'es', engine: { nodes: [{ name: 'es-1', logDir: '/nonexistent' }] } })).id;
        // a job whose holder died (lease expired): the sweep fails it (not retried) and says so
        const dead = hex32();
        await a.rt.queue.enqueue({ id: dead, kind: 'css.log-backup', runAt: FAR });
        await k.updateTable('jobs').set({ state: 'RUNNING', lease_owner: 'w-gone', lease_expires_at: clock.now() - 1, heartbeat_at: clock.now() - 6000, attempts: 1 }).where('id', '=', dead).execute();
        await cssRecord(a, css, dead, 'RUNNING');
        // a record whose job failed without its failure step: the reconciler's
        const stuck = hex32();
        await a.rt.queue.enqueue({ id: stuck, kind: 'css.log-backup', runAt: FAR });
        await k.updateTable('jobs').set({ state: 'FAILED', error: 'it broke' }).where('id', '=', stuck).execute();
        await cssRecord(a, css, stuck, 'RUNNING');
        clock.advance(1000); // a new slot
        await Promise.all([a.rt.scheduler!.runOnce(), b.rt.scheduler!.runOnce(), a.rt.scheduler!.runOnce(), b.rt.scheduler!.runOnce()]);
        await eventually(async () => {
          const r = await k.selectFrom('css_log_records').select(['job_id', 'status']).where('job_id', 'in', [dead, stuck]).execute();
          return r.length === 2 && r.every((x) => x.status === 'FAIL');
        }, 10_000, 'both records failed');
        const all = [...lines(la), ...lines(lb)];
        const sweepLines = all.filter((l) => l.job_id === dead && l.msg?.startsWith('job failed: '));
        assert.equal(sweepLines.length, 1, 'one process failed it, and logged it');
        assert.equal(sweepLines[0].lease_owner, 'w-gone');
        assert.match(sweepLines[0].msg, /the worker running this job \(w-gone\) stopped responding; its lease expired at .*not retried automatically/);
        assert.equal(all.filter((l) => l.job_id === stuck && l.msg?.startsWith('reconciler: ')).length, 1, 'the record was repaired once');
        const slots = await k.selectFrom('reconcile_slots').selectAll().where('slot', '=', `records:${Math.floor(clock.now() / 1000)}`).execute();
        assert.equal(slots.length, 1);
        assert.ok([a.rt.runner!.owner, b.rt.runner!.owner].includes(slots[0].owner));
        assert.deepEqual(JSON.parse(slots[0].summary!).records.map((r: { jobId: string }) => r.jobId), [stuck]);
      } finally {
        await b.close({ keep: true });
        await a.close();
      }
    });
  });
}
