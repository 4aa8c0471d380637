import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { engines, eventually, FakeClock, startServer, type TestServer } from '../helpers/server.js';
import { op, opError, type HcClient } from '../helpers/sdk.js';
import { etcdctl, etcdSkip, freePort, startEtcd, type EtcdProcess } from './etcdProcess.js';
import { SNAPSHOT_BUCKET } from '../../src/services/cce/snapshots.js';

const CREATE = '/api/v3.1/projects/{project_id}/clusters/{cluster_id}/operation/snapshot';
const LIST = '/api/v3.1/projects/{project_id}/clusters/{cluster_id}/operation/snapshot/tasks';
const CREATE_AP = '/autopilot/v3.1/projects/{project_id}/clusters/{cluster_id}/operation/snapshot';
const LIST_AP = '/autopilot/v3.1/projects/{project_id}/clusters/{cluster_id}/operation/snapshot/tasks';
/** Go time.String() with microseconds, Asia/Shanghai */
const GO_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6} \+0800 CST$/;
// near real time (requests are signed against the server clock), at a known millisecond
const T0 = Math.floor(Date.now() / 1000) * 1000 + 739;
/** independent expectation: Asia/Shanghai is UTC+8 all year (no DST since 1991) */
const shanghai = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().replace('T', ' ').replace(/\.(\d{3})Z$/, '.$1000 +0800 CST');

const create = (c: HcClient, clusterId: string, url = CREATE) => op(c, { method: 'POST', url, pathParams: { cluster_id: clusterId } });
const list = (c: HcClient, clusterId: string, url = LIST) => op(c, { method: 'GET', url, pathParams: { cluster_id: clusterId } });

async function untilDone(c: HcClient, clusterId: string, uid: string, url = LIST): Promise<any> {
  return eventually(async () => {
    const r = await list(c, clusterId, url);
    const t = r.items.find((i: any) => i.metadata.uid === uid);
    return t && (t.status.phase === 'Success' || t.status.phase === 'Failed') ? t : undefined;
  }, 60_000, `task ${uid} to finish`);
}

const skipEtcd = etcdSkip();

describe('CCE master snapshots', { skip: skipEtcd }, async () => {
  let etcd: EtcdProcess;
  const keys = Array.from({ length: 20 }, (_, i) => [`/registry/pods/default/pod-${i}`, `{"name":"pod-${i}","n":${i}}`]);
  const tmp = mkdtempSync(join(tmpdir(), 'logsnap-cce-test-'));
  before(async () => {
    etcd = await startEtcd();
    for (const [k, v] of keys) etcd.ctl(['put', k, v]);
  });
  after(async () => {
    await etcd?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  for (const { engine, skip } of await engines()) {
    describe(`on ${engine}`, { skip }, () => {
      let s: TestServer;
      let c: HcClient;
      const clock = new FakeClock(T0);
      let clusterId: string;
      before(async () => {
        s = await startServer({ engine, clock });
        c = s.client();
        clusterId = (await s.rt.deps.clusters.register({ projectId: s.projectId, service: 'cce', name: 'prod', engine: { endpoints: [etcd.endpoint] } })).id;
      });
      after(async () => s?.close());

      test('snapshot → Success with progress "100"; the stored object restores with etcdctl and holds the keys', async () => {
        const r = await create(c, clusterId);
        assert.equal(r.httpStatusCode, 200);
        assert.match(r.uid, /^[0-9a-f-]{36}$/);
        assert.deepEqual(r.metadata, { kind: 'Snapshot', apiVersion: 'v3.1' });
        // the uid is also the job id announced in X-Logsnap-Job-Id
        const job = await op(c, { method: 'GET', url: '/logsnap/v1/{project_id}/jobs/{job_id}', pathParams: { project_id: s.projectId, job_id: r.uid } });
        assert.equal(job.kind, 'cce-master-snapshot');

        const t = await untilDone(c, clusterId, r.uid);
        assert.equal(t.status.phase, 'Success', JSON.stringify(t));
        assert.equal(t.status.progress, '100');
        assert.deepEqual(t.spec, {});
        assert.equal(t.metadata.creationTimestamp, shanghai(T0));
        assert.equal(t.status.completionTime, t.metadata.updateTimestamp);

        const full = await list(c, clusterId);
        assert.equal(full.kind, 'List');
        assert.equal(full.apiVersion, 'v3.1');
        assert.deepEqual(full.metadata, {});
        assert.equal(full.status.latestBackupTime, t.status.completionTime);
        assert.deepEqual(Object.keys(full.items[0]).sort(), ['apiVersion', 'kind', 'metadata', 'spec', 'status']);
        assert.equal(full.items[0].kind, 'SnapshotTask');

        // download over a signed link, check the sha256 recorded at store time
        const result = (await s.rt.queue.get(r.uid))!;
        const stored = JSON.parse(result.result!);
        assert.equal(stored.bucket, SNAPSHOT_BUCKET);
        const link = await s.rt.store.presignGet(stored.bucket, stored.key, clock.now() + 60_000);
        const res = await fetch(link);
        assert.equal(res.status, 200);
        const file = join(tmp, `${engine}-snap.db`);
        const hash = createHash('sha256');
        await pipeline(Readable.fromWeb(res.body as any), async function* (src) {
          for await (const chunk of src) {
            hash.update(chunk);
            yield chunk;
          }
        }, createWriteStream(file));
        assert.equal(hash.digest('hex'), stored.sha256);
        assert.equal(res.headers.get('x-checksum-sha256'), stored.sha256);

        // restore into a fresh data dir with etcd's own tool, start it, read the keys back
        const peerPort = await freePort();
        const peer = `http://127.0.0.1:${peerPort}`;
        const dataDir = join(tmp, `${engine}-restored`);
        etcdctl(etcd.endpoint, ['snapshot', 'restore', file, `--data-dir=${dataDir}`, '--name=restored', `--initial-cluster=restored=${peer}`, `--initial-advertise-peer-urls=${peer}`]);
        const restored = await startEtcd({ dataDir, name: 'restored', peerPort });
        try {
          const out = restored.ctl(['get', '--prefix', '/registry/pods/', '--print-value-only']).trim().split('\n');
          assert.deepEqual(out.sort(), keys.map(([, v]) => v).sort());
        } finally {
          await restored.stop();
        }
      });

      test('a second create while one runs → 409 CCE.01409001 (Status body); allowed again afterwards', async () => {
        const busy = (await s.rt.deps.clusters.register({ projectId: s.projectId, service: 'cce', name: 'busy', engine: { endpoints: [etcd.endpoint] } })).id;
        // freeze etcd: the first task cannot finish while we ask again
        etcd.proc.kill('SIGSTOP');
        let first;
        try {
          first = await create(c, busy);
          const e = await opError(c, { method: 'POST', url: CREATE, pathParams: { cluster_id: busy } });
          assert.equal(e.httpStatusCode, 409);
          assert.equal(e.errorCode, 'CCE.01409001');
          assert.match(e.errorMsg!, new RegExp(`already running.*${first.uid}`));
          const body = (e as unknown as { data?: Record<string, unknown> }).data;
          if (body) assert.equal(body.kind, 'Status');
        } finally {
          etcd.proc.kill('SIGCONT');
        }
        await untilDone(c, busy, first.uid);
        clock.advance(1500);
        const again = await create(c, busy);
        const t = await untilDone(c, busy, again.uid);
        assert.equal(t.status.phase, 'Success');
        // newest first, with Go timestamps
        const l = await list(c, busy);
        assert.deepEqual(l.items.map((i: any) => i.metadata.uid), [again.uid, first.uid]);
        assert.equal(l.items[0].metadata.creationTimestamp, shanghai(clock.now()));
        for (const i of l.items) for (const v of [i.metadata.creationTimestamp, i.metadata.updateTimestamp, i.status.completionTime]) assert.match(v, GO_TIME);
      });

      test('an unreachable etcd → Failed, the message names the endpoint; nothing is stored', async () => {
        const dead = `http://127.0.0.1:${await freePort()}`;
        const id = (await s.rt.deps.clusters.register({ projectId: s.projectId, service: 'cce', name: 'dead', engine: { endpoints: [dead] } })).id;
        const r = await create(c, id);
        const t = await untilDone(c, id, r.uid);
        assert.equal(t.status.phase, 'Failed');
        assert.equal(t.spec.items[0].status, 'Failed');
        assert.ok(t.spec.items[0].message.includes(dead), t.spec.items[0].message);
        assert.equal((await list(c, id)).status.latestBackupTime, '');
        assert.ok((await s.rt.queue.get(r.uid))!.error!.includes(dead));
        const left = [];
        for await (const o of s.rt.store.list(SNAPSHOT_BUCKET, `${s.projectId}/${id}/`)) left.push(o);
        assert.deepEqual(left, []);
      });

      test('an etcd that accepts connections but never answers → Failed after the connect timeout, naming it', async () => {
        const id = (await s.rt.deps.clusters.register({ projectId: s.projectId, service: 'cce', name: 'frozen', engine: { endpoints: [etcd.endpoint] } })).id;
        etcd.proc.kill('SIGSTOP');
        try {
          const r = await create(c, id);
          const t = await untilDone(c, id, r.uid);
          assert.equal(t.status.phase, 'Failed');
          assert.ok(t.spec.items[0].message.includes(etcd.endpoint), t.spec.items[0].message);
          assert.match(t.spec.items[0].message, /within 3 s/);
        } finally {
          etcd.proc.kill('SIGCONT');
        }
      });

      test('unknown or foreign cluster → 404 CCE.01404001', async () => {
        for (const o of [{ method: 'GET' as const, url: LIST }, { method: 'POST' as const, url: CREATE }]) {
          const e = await opError(c, { ...o, pathParams: { cluster_id: 'no-such-cluster' } });
          assert.equal(e.httpStatusCode, 404);
          assert.equal(e.errorCode, 'CCE.01404001');
        }
        const other = await s.rt.deps.projects.create({ name: `other-${engine}` });
        const foreign = (await s.rt.deps.clusters.register({ projectId: other.id, service: 'cce', name: 'theirs', engine: { endpoints: [etcd.endpoint] } })).id;
        assert.equal((await opError(c, { method: 'POST', url: CREATE, pathParams: { cluster_id: foreign } })).httpStatusCode, 404);
        assert.equal((await opError(c, { method: 'GET', url: LIST, pathParams: { cluster_id: foreign } })).httpStatusCode, 404);
        // a cluster of another service is not a CCE cluster
        const dws = (await s.rt.deps.clusters.register({ projectId: s.projectId, service: 'dws', name: 'wh', engine: { url: 'postgres://u@127.0.0.1:5432/db' } }).catch(() => null))?.id;
        if (dws) assert.equal((await opError(c, { method: 'GET', url: LIST, pathParams: { cluster_id: dws } })).httpStatusCode, 404);
      });

      test('Autopilot twins: same behaviour under /autopilot/v3.1, each flavour only sees its own clusters', async () => {
        const ap = (await s.rt.deps.clusters.register({ projectId: s.projectId, service: 'cce', name: 'ap', engine: { endpoints: [etcd.endpoint], autopilot: true } })).id;
        const r = await create(c, ap, CREATE_AP);
        assert.deepEqual(r.metadata, { kind: 'Snapshot', apiVersion: 'v3.1' });
        const t = await untilDone(c, ap, r.uid, LIST_AP);
        assert.equal(t.status.phase, 'Success');
        assert.equal(t.status.progress, '100');
        // also under the /cce mount prefix (SDK endpoint http://host:port/cce)
        const viaPrefix = await list(s.client('/cce'), ap, LIST_AP);
        assert.equal(viaPrefix.items[0].metadata.uid, r.uid);
        assert.equal((await opError(c, { method: 'GET', url: LIST, pathParams: { cluster_id: ap } })).httpStatusCode, 404);
        assert.equal((await opError(c, { method: 'GET', url: LIST_AP, pathParams: { cluster_id: clusterId } })).httpStatusCode, 404);
      });
    });
  }

  test('task times follow core.timeZone', async () => {
    const clock = new FakeClock(T0);
    const s = await startServer({ clock, config: { core: { timeZone: 'Europe/Berlin' } } });
    try {
      const id = (await s.rt.deps.clusters.register({ projectId: s.projectId, service: 'cce', name: 'z', engine: { endpoints: [etcd.endpoint] } })).id;
      const r = await create(s.client(), id);
      const t = await untilDone(s.client(), id, r.uid);
      const off = new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Berlin', timeZoneName: 'longOffset' }).formatToParts(new Date(T0)).find((p) => p.type === 'timeZoneName')!.value;
      const hours = off === 'GMT+02:00' ? 2 : 1;
      const wall = new Date(T0 + hours * 3600_000).toISOString().replace('T', ' ').replace(/\.(\d{3})Z$/, '.$1000');
      assert.equal(t.metadata.creationTimestamp, `${wall} +0${hours}00 ${hours === 2 ? 'CEST' : 'CET'}`);
    } finally {
      await s.close();
    }
  });
});
