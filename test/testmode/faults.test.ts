/**
 * Fault rules, across two processes on one database: an api-only process takes the rules and the
 * calls, a worker-only process runs the jobs (so every job fault is read from the database).
 *
 * API rules answer in the owning service's style. Job rules act where job data meets the object
 * store; a `fail` rule is compared with a REAL storage failure (the bucket's folder replaced by a
 * file, so the store's mkdir fails with ENOTDIR): the service records show the same message.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPgDatabase, engines, eventually, postgresAvailable, type TestServer } from '../helpers/server.js';
import { op, opError, opWithHeaders, type HcClient } from '../helpers/sdk.js';
import { redisSkip, REDIS_URL } from '../dcs/helpers.js';
import { seedWarehouse } from '../dws/helpers.js';
import { etcdSkip, startEtcd, type EtcdProcess } from '../cce/etcdProcess.js';
import type { FaultInput } from '../../src/testmode/faults.js';
import { adminOf, adminRaw, cssCluster, CSS, JOB, OPEN, objects, settledRecord, startTestMode } from './helpers.js';

const redis = await redisSkip();
const etcdMissing = etcdSkip();
const pgOk = await postgresAvailable();
const CCE_CREATE = '/api/v3.1/projects/{project_id}/clusters/{cluster_id}/operation/snapshot';
const CCE_TASKS = '/api/v3.1/projects/{project_id}/clusters/{cluster_id}/operation/snapshot/tasks';
const REDISLOG = '/v2/{project_id}/instances/{instance_id}/redislog';

/** Replace a bucket's folder in the fs store by a file: every write into the bucket really fails (ENOTDIR). */
function blockBucket(s: TestServer, bucket: string): () => void {
  const p = join(s.rt.config.storage.root, bucket);
  mkdirSync(s.rt.config.storage.root, { recursive: true });
  writeFileSync(p, 'not a folder');
  return () => rmSync(p, { force: true });
}

let etcd: EtcdProcess | undefined;
before(async () => {
  if (!etcdMissing) {
    etcd = await startEtcd();
    for (let i = 0; i < 20; i++) etcd.ctl(['put', `/registry/pods/default/pod-${i}`, randomBytes(200).toString('hex')]);
  }
});
after(async () => etcd?.stop());

for (const { engine, skip } of await engines()) {
  describe(`fault rules (${engine})`, { skip }, () => {
    let api: TestServer;
    let worker: TestServer;
    let c: HcClient;
    const add = (rule: FaultInput) => adminOf(api).faults.add(rule);
    before(async () => {
      api = await startTestMode({ engine, config: { core: { role: 'api' } } });
      worker = await startTestMode({ engine, dataDir: api.dataDir, databaseUrl: api.databaseUrl, config: { core: { role: 'worker' } } });
      c = api.client();
    });
    after(async () => {
      await worker?.close({ keep: true });
      await api?.close();
    });

    test('an API rule answers with the service error it names, `count` times, then the real answer comes back', async () => {
      const { id } = await cssCluster(api);
      const rule = await add({ service: 'css', operation: 'CreateLogBackup', count: 2, effect: { type: 'error', status: 409, error_code: 'CSS.0011' } });
      assert.deepEqual(rule.effect, { type: 'error', status: 409, error_code: 'CSS.0011', error_msg: 'Another operation is in progress or the instance is faulty. Try again later.' });
      for (let i = 0; i < 2; i++) {
        const e = await opError(api.client('/css'), { method: 'POST', url: CSS.collect, pathParams: { cluster_id: id } });
        assert.equal(e.httpStatusCode, 409);
        assert.equal(e.errorCode, 'CSS.0011');
        assert.equal(e.errorMsg, rule.effect.type === 'error' ? rule.effect.error_msg : '');
      }
      // the real answer (log backup is not enabled on this cluster)
      const real = await opError(api.client('/css'), { method: 'POST', url: CSS.collect, pathParams: { cluster_id: id } });
      assert.equal(real.httpStatusCode, 415);
      assert.equal(real.errorCode, 'CSS.0004');
      const listed = (await adminOf(api).faults.list()).find((f) => f.id === rule.id)!;
      assert.equal(listed.fired, 2);
      assert.equal(listed.count, 2);
    });

    test('the body is the service\'s own error style (CSS, CCE Status, DWS); a throttling 429 is the API gateway\'s', async () => {
      const token = (await adminRaw(api, 'POST', `/admin/v1/projects/${api.projectId}/tokens`, {})).body.token as string;
      const raw = async (method: string, path: string, body?: unknown) => {
        const res = await fetch(api.url + path, { method, headers: { 'x-auth-token': token, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
        return { status: res.status, body: (await res.json()) as Record<string, any> };
      };
      const cce = (await api.rt.deps.clusters.register({ projectId: api.projectId, service: 'cce', name: 'k8s', engine: { endpoints: ['http://127.0.0.1:1'] } })).id;
      await add({ service: 'cce', operation: 'CreateClusterMasterSnapshot', effect: { type: 'error', status: 409 } });
      const k = await raw('POST', `/api/v3.1/projects/${api.projectId}/clusters/${cce}/operation/snapshot`);
      assert.equal(k.status, 409);
      assert.equal(k.body.kind, 'Status');
      assert.equal(k.body.code, 409);
      assert.equal(k.body.errorCode, 'CCE.01409001');
      assert.equal(k.body.reason, 'Conflict');

      await add({ service: 'dws', operation: 'ListSnapshots', effect: { type: 'error', status: 500 } });
      const d = await raw('GET', `/v1.0/${api.projectId}/snapshots`);
      assert.equal(d.status, 500);
      assert.equal(d.body.errCode, 'DWS.0005');
      assert.equal(d.body.error_code, 'DWS.0005');

      await add({ service: 'css', operation: 'ListClustersDetails', effect: { type: 'error', status: 429 } });
      const t = await raw('GET', `/v1.0/${api.projectId}/clusters`);
      assert.equal(t.status, 429);
      assert.equal(t.body.error_code, 'APIGW.0308');
      assert.match(t.body.request_id, /^[0-9a-f]{32}$/);
      const sdk429 = await add({ service: 'css', operation: 'ListClustersDetails', effect: { type: 'error', status: 429, error_msg: 'slow down' } });
      const e = await opError(api.client('/css'), { method: 'GET', url: CSS.clusters });
      assert.deepEqual([e.httpStatusCode, e.errorCode, e.errorMsg], [429, 'APIGW.0308', 'slow down']);
      assert.equal((await adminOf(api).faults.get(sdk429.id)).fired, 1);
    });

    test('rules match one project or one cluster only when told; latency delays the real answer', async () => {
      const x = await cssCluster(api);
      const y = await cssCluster(api);
      await add({ service: 'css', operation: 'ShowClusterDetail', cluster_id: x.id, count: 5, effect: { type: 'error', status: 500 } });
      await add({ service: 'css', operation: 'ShowClusterDetail', project_id: 'f'.repeat(32), count: 5, effect: { type: 'error', status: 500 } });
      const detail = (id: string) => ({ method: 'GET' as const, url: '/v1.0/{project_id}/clusters/{cluster_id}', pathParams: { cluster_id: id } });
      assert.equal((await op(api.client('/css'), detail(y.id))).id, y.id, 'another cluster: untouched');
      assert.equal((await opError(api.client('/css'), detail(x.id))).errorCode, 'CSS.9999');
      await add({ service: 'css', operation: 'ShowGetLogSetting', cluster_id: y.id, effect: { type: 'latency', ms: 400 } });
      const t0 = Date.now();
      const r = await op(api.client('/css'), { method: 'GET', url: CSS.settings, pathParams: { cluster_id: y.id } });
      assert.ok(Date.now() - t0 >= 400, 'answered after the added latency');
      assert.equal(r.httpStatusCode, 200);
      assert.equal(r.logConfiguration, null);
    });

    test('bad rules are refused with what to fix, and nothing is stored', async () => {
      const before = (await adminOf(api).faults.list()).length;
      const bad: [unknown, RegExp][] = [
        [{ service: 'rds', operation: 'X', effect: { type: 'error', status: 500 } }, /service must be one of css, dcs, cce, dws/],
        [{ service: 'css', effect: { type: 'error', status: 500 } }, /exactly one of operation/],
        [{ service: 'css', operation: 'CreateLogBackup', job: 'css.log-backup', effect: { type: 'fail', message: 'x' } }, /exactly one of operation/],
        [{ service: 'css', operation: 'CreateSnapshot', effect: { type: 'error', status: 500 } }, /not a css operation; one of .*CreateLogBackup/],
        [{ service: 'dws', job: 'css.log-backup', effect: { type: 'fail', message: 'x' } }, /not a dws job kind; one of dws-snapshot, dws-restore/],
        [{ service: 'css', operation: 'CreateLogBackup', effect: { type: 'fail', message: 'x' } }, /does not apply to an API fault/],
        [{ service: 'css', job: 'css.log-backup', effect: { type: 'error', status: 500 } }, /does not apply to a job fault/],
        [{ service: 'css', operation: 'CreateLogBackup', effect: { type: 'error', status: 302 } }, /400 to 599/],
        [{ service: 'css', operation: 'CreateLogBackup', effect: { type: 'error', error_code: 'DCS.4800' } }, /belongs to another service/],
        [{ service: 'css', operation: 'CreateLogBackup', effect: { type: 'error', error_code: 'CSS.0029' } }, /give its effect.status too/],
        [{ service: 'css', operation: 'CreateLogBackup', effect: { type: 'error', status: 418 } }, /give effect.error_code/],
        [{ service: 'css', operation: 'CreateLogBackup', effect: { type: 'latency', ms: 600_000 } }, /effect.ms/],
        [{ service: 'css', job: 'css.log-backup', effect: { type: 'hold', progress: 100 } }, /effect.progress/],
        [{ service: 'css', job: 'css.log-backup', effect: { type: 'slow', bytes_per_second: 0 } }, /effect.bytes_per_second/],
        [{ service: 'css', operation: 'CreateLogBackup', object: 'x', effect: { type: 'latency', ms: 5 } }, /goes with job/],
      ];
      for (const [rule, why] of bad) {
        const r = await adminRaw(api, 'POST', '/admin/v1/test/faults', rule);
        assert.equal(r.status, 400, JSON.stringify(rule));
        assert.equal(r.body.error_code, 'LOGSNAP.0400');
        assert.match(r.body.error_msg, why);
      }
      assert.equal((await adminOf(api).faults.list()).length, before);
      assert.equal((await adminRaw(api, 'DELETE', '/admin/v1/test/faults/nope')).status, 404);
      assert.equal((await adminRaw(api, 'POST', '/admin/v1/test/faults/nope/release')).status, 404);
      await adminOf(api).faults.clear();
      assert.deepEqual(await adminOf(api).faults.list(), []);
    });

    test('CSS: a failed write fails the backup exactly as a real storage failure does', async () => {
      const { id } = await cssCluster(api);
      const css = api.client('/css');
      const pp = { cluster_id: id };
      // the real failure: the bucket cannot be written
      const unblock = blockBucket(worker, 'css-blocked');
      let real: Record<string, any>;
      try {
        await op(css, { method: 'POST', url: CSS.open, pathParams: pp, data: { ...OPEN, log_bucket: 'css-blocked' } });
        await op(css, { method: 'POST', url: CSS.collect, pathParams: pp });
        real = await settledRecord(css, id, 'Manual');
      } finally {
        unblock();
      }
      assert.equal(real.status, 'FAIL');
      assert.match(real.failedMsg, /^object store: writing css-blocked\/css\/log\/.+ failed: not a directory$/);
      // the injected one, with the store error's text
      await op(css, { method: 'POST', url: CSS.settings, pathParams: pp, data: { log_bucket: 'css-logs' } });
      await add({ service: 'css', job: 'css.log-backup', cluster_id: id, effect: { type: 'fail', message: 'not a directory' } });
      await op(css, { method: 'POST', url: CSS.collect, pathParams: pp });
      const injected = (await op(css, { method: 'GET', url: CSS.records, pathParams: pp, queryParams: { limit: 1 } })).clusterLogRecord[0];
      const done = await eventually(async () => {
        const r = (await op(css, { method: 'GET', url: CSS.records, pathParams: pp })).clusterLogRecord.find((x: any) => x.jobId === injected.jobId);
        return r.status !== 'RUNNING' && r;
      }, 30_000, 'the injected failure');
      const same = (m: string, r: Record<string, any>) => m.replace(/css-(blocked|logs)\/css\/log\//, 'B/').replace(`${r.clusterId}/${r.jobId}`, 'C/J');
      assert.equal(done.status, 'FAIL');
      assert.equal(same(done.failedMsg, done), same(real.failedMsg, real));
      for (const r of [real, done]) {
        const job = await op(c, { method: 'GET', url: JOB, pathParams: { job_id: r.jobId } });
        assert.equal(job.state, 'FAILED');
        assert.equal(job.error, r.failedMsg, 'the job shows the same message');
      }
    });

    test('CSS: what a failing backup wrote is deleted (held before its manifest, then failed)', async () => {
      const { id } = await cssCluster(api, { 'a.log': randomBytes(40_000), 'b.log': randomBytes(40_000), 'c.log': 'x\n'.repeat(500) });
      const css = api.client('/css');
      const pp = { cluster_id: id };
      await op(css, { method: 'POST', url: CSS.open, pathParams: pp, data: OPEN });
      const hold = await add({ service: 'css', job: 'css.log-backup', cluster_id: id, object: 'manifest.json', effect: { type: 'hold', progress: 99 } });
      await add({ service: 'css', job: 'css.log-backup', cluster_id: id, object: 'manifest.json', effect: { type: 'fail', message: 'the manifest could not be written' } });
      const { headers } = await opWithHeaders(css, { method: 'POST', url: CSS.collect, pathParams: pp });
      const jobId = headers['x-logsnap-job-id'];
      const prefix = `css/log/${id}/${jobId}/`;
      // held at the manifest: every log file is stored by now
      await eventually(async () => (await adminOf(api).faults.get(hold.id)).fired === 1, 30_000, 'the hold');
      assert.equal((await objects(api, 'css-logs', prefix)).size, 3);
      await adminOf(api).faults.release(hold.id);
      const r = await settledRecord(css, id, 'Manual');
      assert.equal(r.status, 'FAIL');
      assert.match(r.failedMsg, /manifest\.json failed: the manifest could not be written$/);
      // deleted right after the failure commits (the outbox: docs/jobs.md)
      await eventually(async () => (await objects(api, 'css-logs', prefix)).size === 0, 10_000, 'no partial backup left');
    });

    test('hold: the job shows RUNNING at the held progress, survives the clock moving, and succeeds once released', async () => {
      const { id } = await cssCluster(api, { 'a.log': randomBytes(100_000) });
      const css = api.client('/css');
      const pp = { cluster_id: id };
      await op(css, { method: 'POST', url: CSS.open, pathParams: pp, data: OPEN });
      const hold = await add({ service: 'css', job: 'css.log-backup', cluster_id: id, effect: { type: 'hold', progress: 40 } });
      const { headers } = await opWithHeaders(css, { method: 'POST', url: CSS.collect, pathParams: pp });
      const job = () => op(c, { method: 'GET', url: JOB, pathParams: { job_id: headers['x-logsnap-job-id'] } });
      const held = await eventually(async () => {
        const j = await job();
        return j.state === 'RUNNING' && j.progress === 40 && j;
      }, 30_000, 'RUNNING at 40 %');
      assert.equal(held.error, null);
      assert.equal((await op(css, { method: 'GET', url: CSS.records, pathParams: pp })).clusterLogRecord[0].status, 'RUNNING');
      // an hour passes in test time: the advance sweeps expired leases before it answers, but a held
      // job's worker is alive, so its lease moved with the clock and it is not taken for dead
      await adminOf(api).clock.advance('1h');
      const after = await job();
      assert.deepEqual([after.state, after.progress, after.error], ['RUNNING', 40, null]);
      const released = await adminOf(api).faults.release(hold.id);
      assert.equal(released.released, true);
      const rec = await settledRecord(css, id, 'Manual');
      assert.equal(rec.status, 'SUCCESS', rec.failedMsg);
      const end = await job();
      assert.deepEqual([end.state, end.progress], ['SUCCEEDED', 100]);
    });

    test('slow: the job writes at no more than the given rate', async () => {
      const { id } = await cssCluster(api, { 'a.log': randomBytes(150_000) });
      const css = api.client('/css');
      await op(css, { method: 'POST', url: CSS.open, pathParams: { cluster_id: id }, data: OPEN });
      const rule = await add({ service: 'css', job: 'css.log-backup', cluster_id: id, effect: { type: 'slow', bytes_per_second: 100_000 } });
      const { headers } = await opWithHeaders(css, { method: 'POST', url: CSS.collect, pathParams: { cluster_id: id } });
      const rec = await settledRecord(css, id, 'Manual');
      assert.equal(rec.status, 'SUCCESS', rec.failedMsg);
      const job = await op(c, { method: 'GET', url: JOB, pathParams: { job_id: headers['x-logsnap-job-id'] } });
      // 150 kB (incompressible) and a manifest at 100 kB/s: at least 1.4 s between start and end
      assert.ok(job.finished_at - job.started_at >= 1400, `took ${job.finished_at - job.started_at} ms`);
      assert.equal((await adminOf(api).faults.get(rule.id)).fired, 1);
    });

    test('DCS: an injected write failure shows as a real one: files `failed` with the same reason', { skip: redis }, async () => {
      const logFile = join(api.dataDir, 'redis.log');
      writeFileSync(logFile, '1:M 01 Jan 2026 00:00:00.000 * Ready to accept connections\n');
      const inst = await api.rt.deps.clusters.register({ projectId: api.projectId, service: 'dcs', name: 'cache', engine: { timeZone: 'UTC', nodes: [{ replicationId: 'r-0', ip: '10.0.0.7', url: REDIS_URL, logFile }] } });
      const dcs = api.client('/dcs');
      const pp = { instance_id: inst.id };
      const collect = async () => {
        const { headers } = await opWithHeaders(dcs, { method: 'POST', url: REDISLOG, pathParams: pp, queryParams: { log_type: 'run', query_time: 0 } });
        const files = await eventually(async () => {
          const l = await op(dcs, { method: 'GET', url: REDISLOG, pathParams: pp, queryParams: { log_type: 'run' } });
          return l.file_list?.every((f: { status: string }) => f.status !== 'collecting') && l.file_list;
        }, 30_000, 'the collection to end');
        // the reason is shown where DCS shows it: asking for the failed file's download link
        const why = await opError(dcs, { method: 'POST', url: `${REDISLOG}/{id}/links`, pathParams: { ...pp, id: files[0].id } });
        return { jobId: headers['x-logsnap-job-id'], file: files[0], why };
      };
      const unblock = blockBucket(worker, 'dcs-run-logs');
      let real;
      try {
        real = await collect();
      } finally {
        unblock();
      }
      assert.equal(real.file.status, 'failed');
      assert.equal(real.why.errorCode, 'DCS.4800');
      const store = /(ENOTDIR: not a directory, mkdir '[^']+')/.exec(real.why.errorMsg!)?.[1];
      assert.ok(store, real.why.errorMsg);
      await add({ service: 'dcs', job: 'dcs.redislog.collect', cluster_id: inst.id, effect: { type: 'fail', message: store.replaceAll(real.jobId, 'J') } });
      const injected = await collect();
      // the same file record and the same reason, but for the ids (the job id is in the failed write's path)
      const shown = (r: { jobId: string; file: Record<string, unknown>; why: { httpStatusCode: number; errorCode?: string; errorMsg?: string } }) => ({
        file: { ...r.file, id: 'X', backup_id: 'X' }, status: r.why.httpStatusCode, code: r.why.errorCode, msg: r.why.errorMsg!.replaceAll(r.jobId, 'J'),
      });
      assert.deepEqual(shown(injected), shown(real));
      await eventually(async () => (await objects(api, 'dcs-run-logs', `${api.projectId}/${inst.id}/${injected.jobId}/`)).size === 0, 10_000, 'no object of the failed collection');
    });

    test('CCE: an injected write failure shows as a real one: task Failed with the same message', { skip: etcdMissing }, async () => {
      const cluster = await api.rt.deps.clusters.register({ projectId: api.projectId, service: 'cce', name: `k8s-${engine}`, engine: { endpoints: [etcd!.endpoint] } });
      const run = async () => {
        const { uid } = await op(c, { method: 'POST', url: CCE_CREATE, pathParams: { cluster_id: cluster.id } });
        return eventually(async () => {
          const t = (await op(c, { method: 'GET', url: CCE_TASKS, pathParams: { cluster_id: cluster.id } })).items.find((i: any) => i.metadata.uid === uid);
          return t.status.phase !== 'Running' && t;
        }, 30_000, 'the snapshot task');
      };
      const unblock = blockBucket(worker, 'cce-master-snapshots');
      let real;
      try {
        real = await run();
      } finally {
        unblock();
      }
      const dir = join(worker.rt.config.storage.root, 'cce-master-snapshots', api.projectId, cluster.id);
      assert.match(real.spec.items[0].message, /^etcd http:\/\/127\.0\.0\.1:\d+\/?: storing the snapshot failed: ENOTDIR: not a directory, mkdir '/);
      assert.ok(real.spec.items[0].message.endsWith(`mkdir '${dir}'`));
      await add({ service: 'cce', job: 'cce-master-snapshot', cluster_id: cluster.id, effect: { type: 'fail', message: `ENOTDIR: not a directory, mkdir '${dir}'` } });
      const injected = await run();
      assert.equal(injected.status.phase, 'Failed');
      assert.equal(injected.spec.items[0].message, real.spec.items[0].message);
      assert.deepEqual([...(await objects(api, 'cce-master-snapshots', `${api.projectId}/${cluster.id}/`)).keys()], []);
    });

    test('DWS: an injected write failure shows as a real one: snapshot UNAVAILABLE with the same reason', { skip: pgOk ? false : 'PostgreSQL (the DWS engine) is not reachable' }, async () => {
      const wh = await createPgDatabase('levers_fault');
      try {
        await seedWarehouse(wh.url, 10);
        const cluster = await api.rt.deps.clusters.register({ projectId: api.projectId, service: 'dws', name: `wh-${engine}`, engine: { url: wh.url } });
        const run = async (name: string) => {
          const { snapshot } = await op(c, { method: 'POST', url: '/v1.0/{project_id}/snapshots', data: { snapshot: { name, cluster_id: cluster.id } } });
          return eventually(async () => {
            const r = (await op(c, { method: 'GET', url: '/v1.0/{project_id}/snapshots/{snapshot_id}', pathParams: { snapshot_id: snapshot.id } })).snapshot;
            return r.status !== 'CREATING' && r;
          }, 60_000, 'the snapshot');
        };
        const unblock = blockBucket(worker, 'logsnap-dws');
        let real;
        try {
          real = await run('real-failure');
        } finally {
          unblock();
        }
        const dir = join(worker.rt.config.storage.root, 'logsnap-dws', api.projectId, cluster.id);
        assert.equal(real.status, 'UNAVAILABLE');
        assert.equal(real.failure_reason, `snapshot failed: ENOTDIR: not a directory, mkdir '${dir}'`);
        await add({ service: 'dws', job: 'dws-snapshot', cluster_id: cluster.id, effect: { type: 'fail', message: `ENOTDIR: not a directory, mkdir '${dir}'` } });
        const injected = await run('injected-failure');
        assert.equal(injected.status, 'UNAVAILABLE');
        assert.equal(injected.failure_reason, real.failure_reason);
        assert.deepEqual([...(await objects(api, 'logsnap-dws', `${api.projectId}/${cluster.id}/`)).keys()], []);
      } finally {
        await wh.drop();
      }
    });
  });
}
