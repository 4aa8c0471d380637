import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPgDatabase, engines, eventually, postgresAvailable, startServer, type TestServer } from '../helpers/server.js';
import { op, opWithHeaders } from '../helpers/sdk.js';
import { startReceiver, type Received, type Receiver } from '../helpers/webhookReceiver.js';
import { etcdSkip, freePort, startEtcd, type EtcdProcess } from '../cce/etcdProcess.js';
import { REDIS_URL, redisSkip } from '../dcs/helpers.js';
import { dbUrl, dropDatabase, seedWarehouse } from '../dws/helpers.js';
import { restoreDatabaseName } from '../../src/services/dws/rules.js';
import { ALL_EVENT_TYPES } from '../../src/notify/catalogue.js';
import { api, docsVerifier, FAST_WEBHOOKS, OffsetClock, subscribe } from './helpers.js';

const SECRET = 'whsec-done-when-0123456789';
const verify = await docsVerifier();
const missing = [etcdSkip(), await redisSkip(), (await postgresAvailable()) ? false : 'PostgreSQL (the DWS engine) is not reachable'].filter(Boolean);
const DAY = 86_400_000;

// "Done when": one subscription receives signed events for a CSS backup, a DCS collection, a CCE
// snapshot and a DWS snapshot (success and failure), DWS deletion, expiry and restore, and DCS
// expiry; each verified with the docs' recipe; the audit trail shows who started each.
describe('events of every service reach a signed webhook', { skip: missing.length ? missing.join('; ') : false }, async () => {
  let etcd: EtcdProcess;
  before(async () => {
    etcd = await startEtcd();
    etcd.ctl(['put', '/registry/pods/default/a', '{"a":1}']);
  });
  after(async () => etcd?.stop());

  for (const { engine, skip } of await engines()) {
    describe(`state on ${engine}`, { skip }, () => {
      let s: TestServer;
      let rx: Receiver;
      const clock = new OffsetClock();
      const tmp = mkdtempSync(join(tmpdir(), 'notify-e2e-'));
      let warehouse: Awaited<ReturnType<typeof createPgDatabase>>;
      const restoreName = `restored_${engine}_${process.pid}`;
      let token: string;
      const ids: Record<string, string> = {};
      /** the events of a type (the first delivery of each id) */
      const byType = (type: string) => rx.unique().filter((r) => r.type === type);
      const one = async (type: string, pred: (r: Received) => boolean = () => true) =>
        eventually(async () => byType(type).find(pred), 30_000, `a ${type} event`);

      before(async () => {
        rx = await startReceiver(SECRET, verify);
        s = await startServer({ engine, clock, config: { webhooks: FAST_WEBHOOKS } });
        await subscribe(s, s.projectId, { url: rx.url, secret: SECRET });
        token = (await s.rt.deps.projects.issueToken(s.projectId, { ttlSeconds: 3600 })).token;
        // CSS: a node folder with logs, and one whose folder does not exist
        const logs = join(tmp, 'es-logs');
        mkdirSync(logs);
        writeFileSync(join(logs, 'es.log'), 'line one\nline two\n');
        const reg = (service: 'css' | 'dcs' | 'cce' | 'dws', name: string, eng: Record<string, unknown>) =>
          s.rt.deps.clusters.register({ projectId: s.projectId, service, name, engine: eng }).then((c) => c.id);
        ids.cssOk = await reg('css', 'es-ok', { nodes: [{ name: 'es-1', logDir: logs }] });
        ids.cssBad = await reg('css', 'es-bad', { nodes: [{ name: 'es-1', logDir: join(tmp, 'no-such-folder') }] });
        // DCS: the real Redis with a registered log file; a node nobody listens on
        const today = new Date(clock.now()).toISOString().slice(0, 10);
        const [y, m, d] = today.split('-');
        const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][Number(m) - 1];
        writeFileSync(join(tmp, 'redis.log'), `1:M ${d} ${mon} ${y} 10:00:00.000 * Ready to accept connections tcp\n`);
        ids.dcsOk = await reg('dcs', 'redis-ok', { timeZone: 'UTC', nodes: [{ replicationId: 'r-0', ip: '127.0.0.1', url: REDIS_URL, logFile: join(tmp, 'redis.log') }] });
        ids.dcsBad = await reg('dcs', 'redis-bad', { timeZone: 'UTC', nodes: [{ replicationId: 'r-0', ip: '127.0.0.2', url: `redis://127.0.0.1:${await freePort()}` }] });
        // CCE: the real etcd; an endpoint nobody listens on
        ids.cceOk = await reg('cce', 'k8s-ok', { endpoints: [etcd.endpoint] });
        ids.cceBad = await reg('cce', 'k8s-bad', { endpoints: [`http://127.0.0.1:${await freePort()}`] });
        // DWS: a real PostgreSQL database; a database that does not exist
        warehouse = await createPgDatabase('notify_wh');
        await seedWarehouse(warehouse.url, 50);
        ids.dwsOk = await reg('dws', `wh-ok-${engine}`, { url: warehouse.url });
        ids.dwsBad = await reg('dws', `wh-bad-${engine}`, { url: dbUrl(`no_such_db_${process.pid}`) });
      });
      after(async () => {
        await s?.close();
        await rx?.close();
        await warehouse?.drop();
        await dropDatabase(restoreDatabaseName(restoreName)).catch(() => undefined);
        rmSync(tmp, { recursive: true, force: true });
      });

      test('CSS backup: started, succeeded (manifest size and sha256), failed (the failedMsg)', async () => {
        const css = s.client('/css');
        for (const c of [ids.cssOk, ids.cssBad]) {
          await op(css, { method: 'POST', url: '/v1.0/{project_id}/clusters/{cluster_id}/logs/open', pathParams: { cluster_id: c }, data: { agency: 'a', log_bucket: 'css-logs', log_base_path: 'css/log' } });
        }
        const ok = await opWithHeaders(css, { method: 'POST', url: '/v1.0/{project_id}/clusters/{cluster_id}/logs/collect', pathParams: { cluster_id: ids.cssOk } });
        const bad = await opWithHeaders(css, { method: 'POST', url: '/v1.0/{project_id}/clusters/{cluster_id}/logs/collect', pathParams: { cluster_id: ids.cssBad } });
        const okJob = ok.headers['x-logsnap-job-id'];
        const succeeded = await one('logsnap.css.backup.succeeded', (r) => r.event.data.job_id === okJob);
        const records = await op(css, { method: 'GET', url: '/v1.0/{project_id}/clusters/{cluster_id}/logs/records', pathParams: { cluster_id: ids.cssOk } });
        const rec = records.clusterLogRecord.find((r: any) => r.jobId === okJob);
        assert.equal(rec.status, 'SUCCESS');
        const e = succeeded.event;
        assert.equal(e.subject, rec.id);
        assert.equal(e.source, `/projects/${s.projectId}/css/clusters/${ids.cssOk}`);
        assert.equal(e.data.service, 'css');
        assert.equal(e.data.operation, 'CreateLogBackup');
        assert.equal(e.data.cluster_id, ids.cssOk);
        assert.equal(e.data.resource_id, rec.id);
        assert.equal(e.data.created_by, `ak:${s.ak}`);
        assert.equal(e.data.request_id, ok.headers['x-request-id']);
        assert.equal(e.data.error, null);
        assert.equal(e.data.totals.files, 1);
        const manifest = e.data.artifacts[0];
        const link = await api(s, 'POST', '/admin/v1/objects/link', { path: `${manifest.bucket}/${manifest.key}` });
        assert.equal(link.status, 200);
        assert.equal(e.data.size, link.body.size);
        assert.equal(e.data.sha256, link.body.sha256);
        assert.match(e.data.sha256, /^[0-9a-f]{64}$/);
        const started = await one('logsnap.css.backup.started', (r) => r.event.data.job_id === okJob);
        assert.equal(started.event.subject, rec.id);
        assert.equal(started.event.data.attempt, 1);
        assert.equal(started.event.data.finished_at, null);
        const badJob = bad.headers['x-logsnap-job-id'];
        const failed = await one('logsnap.css.backup.failed', (r) => r.event.data.job_id === badJob);
        const badRecs = await op(css, { method: 'GET', url: '/v1.0/{project_id}/clusters/{cluster_id}/logs/records', pathParams: { cluster_id: ids.cssBad } });
        const badRec = badRecs.clusterLogRecord.find((r: any) => r.jobId === badJob);
        assert.equal(badRec.status, 'FAIL');
        assert.equal(failed.event.data.error, badRec.failedMsg, 'the failure message exactly as ListLogsJob shows it');
        assert.match(failed.event.data.error, /no-such-folder/);
        assert.deepEqual(failed.event.data.artifacts, []);
        assert.equal(failed.event.data.size, null);
      });

      test('DCS collection: started, succeeded (files with size and sha256), failed; started by a token', async () => {
        const start = async (inst: string) => {
          const res = await fetch(`${s.url}/v2/${s.projectId}/instances/${inst}/redislog?log_type=run&query_time=0`, { method: 'POST', headers: { 'x-auth-token': token } });
          assert.equal(res.status, 204);
          return { job: res.headers.get('x-logsnap-job-id')!, request: res.headers.get('x-request-id')! };
        };
        const ok = await start(ids.dcsOk);
        const bad = await start(ids.dcsBad);
        const succeeded = await one('logsnap.dcs.runlog.succeeded', (r) => r.event.data.job_id === ok.job);
        const job = await api(s, 'GET', `/logsnap/v1/${s.projectId}/jobs/${ok.job}`, undefined, { 'x-auth-token': token });
        assert.equal(job.body.state, 'SUCCEEDED');
        const e = succeeded.event;
        assert.equal(e.subject, ok.job);
        assert.match(e.data.created_by, /^token:[0-9a-f]{12}$/);
        assert.equal(e.data.request_id, ok.request);
        assert.deepEqual(e.data.files, job.body.result.files);
        assert.equal(e.data.artifacts.length, 1);
        assert.equal(e.data.artifacts[0].sha256, job.body.result.files[0].sha256);
        assert.ok(e.data.size > 0);
        await one('logsnap.dcs.runlog.started', (r) => r.event.data.job_id === ok.job);
        const failed = await one('logsnap.dcs.runlog.failed', (r) => r.event.data.job_id === bad.job);
        const badJob = await api(s, 'GET', `/logsnap/v1/${s.projectId}/jobs/${bad.job}`, undefined, { 'x-auth-token': token });
        assert.equal(badJob.body.state, 'FAILED');
        assert.equal(failed.event.data.error, badJob.body.error, 'the failure message exactly as ShowJob shows it');
        const file = await s.rt.db.kysely.selectFrom('dcs_redislogs').select('reason').where('job_id', '=', bad.job).executeTakeFirstOrThrow();
        assert.equal(failed.event.data.error, file.reason, 'and as the file\'s reason');
      });

      test('CCE master snapshot: started, succeeded (size and sha256 of the stored snapshot), failed (the task message)', async () => {
        const c = s.client();
        const ok = await opWithHeaders(c, { method: 'POST', url: '/api/v3.1/projects/{project_id}/clusters/{cluster_id}/operation/snapshot', pathParams: { cluster_id: ids.cceOk } });
        const bad = await opWithHeaders(c, { method: 'POST', url: '/api/v3.1/projects/{project_id}/clusters/{cluster_id}/operation/snapshot', pathParams: { cluster_id: ids.cceBad } });
        const succeeded = await one('logsnap.cce.snapshot.succeeded', (r) => r.event.subject === ok.body.uid);
        const task = await s.rt.db.kysely.selectFrom('cce_snapshot_tasks').selectAll().where('id', '=', ok.body.uid).executeTakeFirstOrThrow();
        assert.equal(task.phase, 'Success');
        assert.equal(succeeded.event.data.size, Number(task.size));
        assert.equal(succeeded.event.data.sha256, task.sha256);
        assert.equal(succeeded.event.data.artifacts[0].key, task.object_key);
        assert.equal(succeeded.event.data.etcd.endpoint, task.endpoint);
        assert.equal(succeeded.event.data.etcd.revision, task.revision);
        assert.equal(succeeded.event.data.request_id, ok.headers['x-request-id']);
        await one('logsnap.cce.snapshot.started', (r) => r.event.subject === ok.body.uid);
        const failed = await one('logsnap.cce.snapshot.failed', (r) => r.event.subject === bad.body.uid);
        const tasks = await op(c, { method: 'GET', url: '/api/v3.1/projects/{project_id}/clusters/{cluster_id}/operation/snapshot/tasks', pathParams: { cluster_id: ids.cceBad } });
        const t = tasks.items.find((i: any) => i.metadata.uid === bad.body.uid);
        assert.equal(t.status.phase, 'Failed');
        assert.equal(failed.event.data.error, t.spec.items[0].message, 'the failure message exactly as the task list shows it');
      });

      test('DWS: snapshot started/succeeded/failed, restore, deletion and expiry by retention', async () => {
        const c = s.client();
        const create = (cluster: string, name: string) =>
          opWithHeaders(c, { method: 'POST', url: '/v1.0/{project_id}/snapshots', data: { snapshot: { name, cluster_id: cluster } } });
        const ok = await create(ids.dwsOk, `snap-ok-${engine}`);
        const bad = await create(ids.dwsBad, `snap-bad-${engine}`);
        const okId = ok.body.snapshot.id;
        const badId = bad.body.snapshot.id;
        const succeeded = await one('logsnap.dws.snapshot.succeeded', (r) => r.event.subject === okId);
        const detail = (id: string) => op(c, { method: 'GET', url: '/v1.0/{project_id}/snapshots/{snapshot_id}', pathParams: { snapshot_id: id } }).then((r) => r.snapshot);
        const snap = await detail(okId);
        assert.equal(snap.status, 'AVAILABLE');
        assert.equal(succeeded.event.data.size, snap.size_bytes);
        assert.equal(succeeded.event.data.sha256, snap.sha256);
        assert.ok(succeeded.event.data.toc_entries > 0);
        await one('logsnap.dws.snapshot.started', (r) => r.event.subject === okId);
        const failed = await one('logsnap.dws.snapshot.failed', (r) => r.event.subject === badId);
        const badSnap = await detail(badId);
        assert.equal(badSnap.status, 'UNAVAILABLE');
        assert.equal(failed.event.data.error, badSnap.failure_reason, 'the failure message exactly as ListSnapshotDetails shows it');

        const restore = await opWithHeaders(c, { method: 'POST', url: '/v1.0/{project_id}/snapshots/{snapshot_id}/actions', pathParams: { snapshot_id: okId }, data: { restore: { name: restoreName } } });
        const restored = await one('logsnap.dws.restore.succeeded', (r) => r.event.data.job_id === restore.headers['x-logsnap-job-id']);
        assert.equal(restored.event.data.snapshot_id, okId);
        assert.equal(restored.event.data.database, restoreDatabaseName(restoreName));
        await one('logsnap.dws.restore.started', (r) => r.event.data.job_id === restore.headers['x-logsnap-job-id']);

        const del = await opWithHeaders(c, { method: 'DELETE', url: '/v1.0/{project_id}/snapshots/{snapshot_id}', pathParams: { snapshot_id: okId } });
        assert.equal(del.body.httpStatusCode, 202);
        const deleted = await one('logsnap.dws.snapshot.deleted', (r) => r.event.subject === okId);
        assert.equal(deleted.event.data.operation, 'DeleteSnapshot');
        assert.equal(deleted.event.data.sha256, snap.sha256);
        assert.equal(deleted.event.data.size, snap.size_bytes);

        // an automated snapshot past its keep_day (made automated directly): retention deletes it, once, however many ticks
        await s.rt.db.kysely.updateTable('dws_snapshots').set({ type: 'AUTO', keep_until: clock.now() - 1 }).where('id', '=', badId).execute();
        await Promise.all([s.rt.scheduler!.runOnce(), s.rt.scheduler!.runOnce()]);
        const expired = await one('logsnap.dws.snapshot.expired', (r) => r.event.subject === badId);
        assert.equal(expired.event.data.operation, 'retention');
        assert.equal(expired.event.data.snapshot_type, 'AUTO');
      });

      test('DCS run-log files expire after 7 days: one expired event per file', async () => {
        const files = await s.rt.db.kysely.selectFrom('dcs_redislogs').selectAll().where('project_id', '=', s.projectId).execute();
        assert.equal(files.length, 2);
        clock.advance(7 * DAY + 60_000);
        await Promise.all([s.rt.scheduler!.runOnce(), s.rt.scheduler!.runOnce()]);
        for (const f of files) {
          const e = await one('logsnap.dcs.runlog.expired', (r) => r.event.subject === f.id);
          assert.equal(e.event.data.file_name, f.file_name);
          assert.equal(e.event.data.instance_id, f.instance_id);
          assert.equal(e.event.data.sha256, f.sha256);
        }
      });

      test('every event type arrived, verified, once per id; the audit trail shows who started each', async () => {
        const types = new Set(rx.received.map((r) => r.type));
        const expected = ALL_EVENT_TYPES.filter((t) => t !== 'logsnap.webhook.ping' && t !== 'logsnap.dws.restore.failed');
        assert.deepEqual(expected.filter((t) => !types.has(t)), [], 'event types never received');
        assert.ok(rx.received.every((r) => r.verified), 'every delivery verified with the docs recipe');
        // the pipeline never sent twice here (no failures, no crash)
        for (const [id, n] of rx.countById()) assert.equal(n, 1, `event ${id} received ${n} times`);
        for (const r of rx.received) {
          assert.equal(r.event.specversion, '1.0');
          assert.equal(r.event.datacontenttype, 'application/json');
          assert.ok(!Number.isNaN(Date.parse(r.event.time)));
          assert.equal(r.headers['logsnap-event-id'], r.id);
          assert.ok(!r.raw.includes(SECRET) && !r.raw.includes(s.sk) && !r.raw.includes(token));
        }
        const audit = (await api(s, 'GET', '/admin/v1/audit?limit=1000')).body.entries as any[];
        for (const r of rx.unique().filter((x) => x.type.endsWith('.started'))) {
          const row = audit.find((a) => a.request_id === r.event.data.request_id);
          assert.ok(row, `an audit row for the call that started ${r.type} (${r.event.data.operation})`);
          assert.equal(row.caller, r.event.data.created_by);
          assert.equal(row.job_id, r.event.data.job_id);
          assert.equal(row.project_id, s.projectId);
        }
        const ops = new Set(audit.map((a) => `${a.operation} ${a.caller.split(':')[0]}`));
        for (const o of ['CreateLogBackup ak', 'CreateRedislog token', 'CreateClusterMasterSnapshot ak', 'CreateSnapshot ak', 'RestoreCluster ak', 'DeleteSnapshot ak', 'CreateWebhook admin']) {
          assert.ok(ops.has(o), `the audit trail shows ${o}`);
        }
      });
    });
  }
});
