import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { engines, startServer, createPgDatabase, postgresAvailable, eventually, FakeClock, type TestServer } from '../helpers/server.js';
import { op, opError } from '../helpers/sdk.js';
import { seedWarehouse } from './helpers.js';

const pgOk = await postgresAvailable();
const POLICIES = '/v2/{project_id}/clusters/{cluster_id}/snapshot-policies';

for (const { engine, skip } of await engines()) {
  describe(`DWS automated snapshots with two logsnap processes on one ${engine} database`, { skip: skip || (pgOk ? false : 'PostgreSQL (the DWS engine) is not reachable') }, () => {
    const clock = new FakeClock(Date.now());
    let a: TestServer;
    let b: TestServer;
    let source: Awaited<ReturnType<typeof createPgDatabase>>;
    let clusterId: string;

    before(async () => {
      a = await startServer({ engine, clock });
      b = await startServer({ engine, clock, dataDir: a.dataDir, databaseUrl: a.databaseUrl });
      source = await createPgDatabase('dws_auto');
      await seedWarehouse(source.url, 50);
      clusterId = (await a.rt.deps.clusters.register({ projectId: a.projectId, service: 'dws', name: 'auto-wh', engine: { url: source.url } })).id;
    });
    after(async () => {
      await b?.close({ keep: true });
      await a?.close();
      await source?.drop();
    });

    test('each slot fires exactly once; AUTO snapshots cannot be deleted by hand; retention deletes them with their archives', async () => {
      const put = await op(a.client(), { method: 'PUT', url: POLICIES, pathParams: { project_id: a.projectId, cluster_id: clusterId }, data: { keep_day: 1, auto_backup: true, backup_strategies: [{ policy_name: 'every-minute', backup_strategy: '0 * * * * ?' }] } });
      assert.equal(put.httpStatusCode, 200);
      const autoJobs = async () => (await a.rt.db.kysely.selectFrom('jobs').selectAll().where('unique_key', 'like', `dws-auto:${clusterId}:%`).execute());
      // nothing is due before the first slot after the policy was written
      await a.rt.scheduler!.runOnce();
      await b.rt.scheduler!.runOnce();
      assert.equal((await autoJobs()).length, 0);

      clock.advance(61_000);
      await Promise.all([a.rt.scheduler!.runOnce(), b.rt.scheduler!.runOnce(), a.rt.scheduler!.runOnce(), b.rt.scheduler!.runOnce()]);
      const jobs = await autoJobs();
      assert.equal(jobs.length, 1, 'one job for the slot, whichever process ticked');
      const slot = Number(jobs[0].unique_key!.split(':').pop());
      assert.equal(slot % 60_000, 0, 'slots are whole minutes');
      assert.ok(slot > clock.now() - 61_000 && slot <= clock.now());

      const snap = await eventually(async () => {
        const r = await a.rt.db.kysely.selectFrom('dws_snapshots').selectAll().where('cluster_id', '=', clusterId).where('type', '=', 'AUTO').execute();
        return r.length === 1 && r[0].status !== 'CREATING' ? r[0] : undefined;
      }, 60_000, 'the automated snapshot');
      assert.equal(snap.status, 'AVAILABLE', snap.failure_reason ?? '');
      assert.ok(await a.rt.store.head(snap.bucket, snap.object_key));
      assert.equal(snap.keep_until, slot + 86_400_000);
      await Promise.all([a.rt.scheduler!.runOnce(), b.rt.scheduler!.runOnce()]);
      assert.equal((await autoJobs()).length, 1, 'ticking again does not fire the slot again');

      const view = await op(b.client(), { method: 'GET', url: '/v1.0/{project_id}/snapshots/{snapshot_id}', pathParams: { project_id: a.projectId, snapshot_id: snap.id } });
      assert.equal(view.snapshot.type, 'AUTO');
      assert.equal(view.snapshot.bak_keep_day, 1);
      const del = await opError(a.client(), { method: 'DELETE', url: '/v1.0/{project_id}/snapshots/{snapshot_id}', pathParams: { project_id: a.projectId, snapshot_id: snap.id } });
      assert.equal(del.httpStatusCode, 400);
      assert.equal(del.errorCode, 'DWS.0001');
      assert.match(del.errorMsg!, /automated/);

      // stop new slots, then let a day pass: retention removes the expired snapshot and its archive
      await op(a.client(), { method: 'PUT', url: POLICIES, pathParams: { project_id: a.projectId, cluster_id: clusterId }, data: { auto_backup: false } });
      clock.advance(86_400_000 - 120_000);
      await Promise.all([a.rt.scheduler!.runOnce(), b.rt.scheduler!.runOnce()]);
      assert.ok(await a.rt.db.kysely.selectFrom('dws_snapshots').select('id').where('id', '=', snap.id).executeTakeFirst(), 'not expired yet');
      clock.advance(120_000);
      await Promise.all([a.rt.scheduler!.runOnce(), b.rt.scheduler!.runOnce()]);
      assert.equal(await a.rt.db.kysely.selectFrom('dws_snapshots').select('id').where('id', '=', snap.id).executeTakeFirst(), undefined, 'expired snapshot deleted');
      // the archive goes after the expiry commits (outbox)
      await eventually(async () => (await a.rt.store.head(snap.bucket, snap.object_key)) === null, 10_000, 'its archive to be deleted');
      assert.equal((await autoJobs()).length, 1, 'auto_backup=false: no new slot');
    });
  });
}
