/**
 * Reset: records, jobs, stored objects, settings, links and faults go (of one project, or of all);
 * projects, credentials, tokens, clusters and the clock stay. Tables are found in the database,
 * so a table another module adds (here: two made up on the spot) is reset too.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { engines, eventually, type TestServer } from '../helpers/server.js';
import { op, opWithHeaders, sdkClient } from '../helpers/sdk.js';
import { sql } from '../../src/db/index.js';
import { adminOf, adminRaw, cssCluster, CSS, OPEN, objects, records, settledRecord, startTestMode } from './helpers.js';

for (const { engine, skip } of await engines()) {
  describe(`reset (${engine})`, { skip }, () => {
    let s: TestServer;
    before(async () => {
      s = await startTestMode({ engine });
      // tables another module could add: one per project, one per cluster
      await sql`create table zz_other_rows (id text primary key, project_id text not null, note text)`.execute(s.rt.db.kysely);
      await sql`create table zz_other_checks (cluster_id text not null, ok integer not null)`.execute(s.rt.db.kysely);
    });
    after(() => s?.close());

    /** A project with a CSS cluster, log backup on and one successful backup; returns its SDK client. */
    async function project(name: string) {
      let projectId = s.projectId;
      let cred = { ak: s.ak, sk: s.sk };
      if (name !== 'default') {
        const r = (await adminRaw(s, 'POST', '/admin/v1/projects', { name })).body;
        projectId = r.project.id;
        cred = r.credential;
      }
      const client = sdkClient(`${s.url}/css`, { ...cred, projectId });
      const { id } = await cssCluster(s, { 'es.log': `${name}\n`.repeat(300) }, projectId);
      await op(client, { method: 'POST', url: CSS.open, pathParams: { cluster_id: id }, data: { ...OPEN, log_bucket: `logs-${name}` } });
      await op(client, { method: 'POST', url: CSS.collect, pathParams: { cluster_id: id } });
      assert.equal((await settledRecord(client, id, 'Manual')).status, 'SUCCESS');
      await sql`insert into zz_other_rows values (${`${name}-1`}, ${projectId}, 'x')`.execute(s.rt.db.kysely);
      await sql`insert into zz_other_checks values (${id}, 1)`.execute(s.rt.db.kysely);
      return { projectId, client, clusterId: id, bucket: `logs-${name}` };
    }

    test('one project, then all: records, jobs, objects, settings, links and faults go; projects, credentials, clusters and the clock stay', async (t) => {
      const a = await project('default');
      const b = await project('other');
      await adminOf(s).faults.add({ service: 'css', operation: 'ListLogsJob', project_id: b.projectId, count: 100, effect: { type: 'latency', ms: 1 } });
      const kept = await adminOf(s).faults.add({ service: 'css', operation: 'ListLogsJob', project_id: a.projectId, count: 100, effect: { type: 'latency', ms: 1 } });
      const offset = (await adminRaw(s, 'GET', '/admin/v1/test/clock')).body.offset_ms;
      const manifest = (await records(b.client, b.clusterId)).clusterLogRecord[0];
      const { link } = (await adminRaw(s, 'POST', '/admin/v1/objects/link', { path: `${b.bucket}/css/log/${b.clusterId}/${manifest.jobId}/manifest.json` })).body;
      assert.equal((await fetch(link)).status, 200);

      const t0 = Date.now();
      const one = await adminOf(s).reset({ projectId: b.projectId });
      t.diagnostic(`reset of one project: ${Date.now() - t0} ms`);
      // (tables other modules add may show up here too: only these are asserted)
      const EXPECTED = { test_faults: 1, jobs: 1, css_log_settings: 1, css_log_records: 1, zz_other_rows: 1, zz_other_checks: 1 };
      const KEPT = ['meta', 'projects', 'credentials', 'tokens', 'clusters', 'test_state'];
      const asExpected = (tables: Record<string, number>) => {
        assert.deepEqual(Object.fromEntries(Object.keys(EXPECTED).map((k) => [k, tables[k]])), EXPECTED);
        assert.deepEqual(KEPT.filter((k) => k in tables), []);
      };
      asExpected(one.tables);
      assert.equal(one.objects, 2, 'its backup: one log file and the manifest');
      // b: empty, but its credential and cluster still work
      assert.equal((await records(b.client, b.clusterId)).totalSize, 0);
      assert.equal((await op(b.client, { method: 'GET', url: CSS.settings, pathParams: { cluster_id: b.clusterId } })).logConfiguration, null);
      assert.deepEqual((await op(b.client, { method: 'GET', url: CSS.clusters })).clusters.map((c: { id: string }) => c.id), [b.clusterId]);
      assert.equal((await objects(s, b.bucket)).size, 0);
      const dead = await fetch(link);
      assert.equal(dead.status, 404, 'its links lead nowhere');
      // a: untouched
      assert.equal((await records(a.client, a.clusterId)).totalSize, 1);
      assert.equal((await objects(s, a.bucket)).size, 2);
      assert.deepEqual((await adminOf(s).faults.list()).map((f) => f.id), [kept.id]);
      assert.equal(Number((await sql<{ n: number }>`select count(*) as n from zz_other_rows`.execute(s.rt.db.kysely)).rows[0].n), 1);

      // every stored object of every bucket goes (the backups, and their manifests in logsnap-catalog)
      let stored = 0;
      for await (const bucket of s.rt.store.buckets!()) for await (const _ of s.rt.store.list(bucket)) stored++;
      assert.ok(stored >= 2);
      const t1 = Date.now();
      const all = await adminOf(s).reset();
      t.diagnostic(`reset of everything: ${Date.now() - t1} ms`);
      asExpected(all.tables);
      assert.equal(all.objects, stored);
      assert.equal((await records(a.client, a.clusterId)).totalSize, 0);
      assert.deepEqual(await adminOf(s).faults.list(), []);
      assert.equal(Number((await sql<{ n: number }>`select count(*) as n from jobs`.execute(s.rt.db.kysely)).rows[0].n), 0);
      const left = [];
      for await (const bucket of s.rt.store.buckets!()) for await (const o of s.rt.store.list(bucket)) left.push(`${bucket}/${o.key}`);
      assert.deepEqual(left, []);
      // kept: projects, credentials, clusters, the clock
      const projects = (await adminRaw(s, 'GET', '/admin/v1/projects')).body.projects.map((p: { id: string }) => p.id).sort();
      assert.deepEqual(projects, [a.projectId, b.projectId].sort());
      assert.equal((await op(a.client, { method: 'GET', url: CSS.clusters })).totalSize, 1);
      assert.equal((await adminRaw(s, 'GET', '/admin/v1/test/clock')).body.offset_ms, offset);
      // and it works as before: a new backup of the same cluster
      await op(a.client, { method: 'POST', url: CSS.open, pathParams: { cluster_id: a.clusterId }, data: OPEN });
      await op(a.client, { method: 'POST', url: CSS.collect, pathParams: { cluster_id: a.clusterId } });
      assert.equal((await settledRecord(a.client, a.clusterId, 'Manual')).status, 'SUCCESS');
    });

    test('a job held by a fault when the state is reset stops and leaves nothing behind', async () => {
      const { id } = await cssCluster(s);
      const css = s.client('/css');
      await op(css, { method: 'POST', url: CSS.open, pathParams: { cluster_id: id }, data: { ...OPEN, log_bucket: 'held-logs' } });
      await adminOf(s).faults.add({ service: 'css', job: 'css.log-backup', cluster_id: id, effect: { type: 'hold', progress: 10 } });
      const { headers } = await opWithHeaders(css, { method: 'POST', url: CSS.collect, pathParams: { cluster_id: id } });
      await eventually(async () => (await s.rt.queue.get(headers['x-logsnap-job-id']))?.progress === 10, 30_000, 'the hold');
      await adminOf(s).reset();
      await eventually(async () => s.rt.runner!.running === 0, 30_000, 'the held job to stop');
      assert.equal(await s.rt.queue.get(headers['x-logsnap-job-id']), undefined);
      assert.equal((await records(css, id)).totalSize, 0);
      assert.equal((await objects(s, 'held-logs')).size, 0);
    });
  });
}
