/**
 * DWS archive formats: new snapshots are pg_dump's custom format compressed by logsnap on every
 * core (`custom-gz`), verified before AVAILABLE and restored equal; snapshots taken before (pg_dump's
 * own `custom` format, the rows migration 0450 found) still restore.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { engines, startServer, createPgDatabase, postgresAvailable, eventually, type TestServer } from '../helpers/server.js';
import { op } from '../helpers/sdk.js';
import { hex32 } from '../../src/security/ids.js';
import { pgTarget } from '../../src/services/dws/engine.js';
import { dumpDatabase } from '../../src/services/dws/pgtools.js';
import { snapshotFiles } from '../../src/services/dws/tables.js';
import { dbUrl, dropDatabase, fingerprint, seedWarehouse, settled } from './helpers.js';

const pgOk = await postgresAvailable();

for (const { engine, skip } of await engines()) {
  describe(`DWS archive formats, logsnap state on ${engine}`, { skip: skip || (pgOk ? false : 'PostgreSQL (the DWS engine) is not reachable') }, () => {
    let s: TestServer;
    let source: Awaited<ReturnType<typeof createPgDatabase>>;
    let clusterId: string;
    const restored: string[] = [];
    const call = (o: Parameters<typeof op>[1]) => op(s.client(), { ...o, pathParams: { project_id: s.projectId, ...(o.pathParams ?? {}) } });

    before(async () => {
      s = await startServer({ engine });
      source = await createPgDatabase('dws_fmt');
      await seedWarehouse(source.url, 20_000);
      clusterId = (await s.rt.deps.clusters.register({ projectId: s.projectId, service: 'dws', name: `fmt-${engine}`, engine: { url: source.url } })).id;
    });
    after(async () => {
      await s?.close();
      await source?.drop();
      for (const d of restored) await dropDatabase(d);
    });

    async function restore(snapshotId: string): Promise<string> {
      const name = `r${hex32().slice(0, 10)}`;
      restored.push(name);
      const r = await call({ method: 'POST', url: '/v1.0/{project_id}/snapshots/{snapshot_id}/actions', pathParams: { snapshot_id: snapshotId }, data: { restore: { name } } });
      const job = await eventually(async () => {
        const j = await s.rt.queue.get(r.job_id);
        return j && (j.state === 'SUCCEEDED' || j.state === 'FAILED') ? j : undefined;
      }, 120_000, 'restore job');
      assert.equal(job.state, 'SUCCEEDED', job.error ?? '');
      return name;
    }

    test('a new snapshot is gzip members of a custom-format dump, lists its one file, and restores equal', async () => {
      const created = await call({ method: 'POST', url: '/v1.0/{project_id}/snapshots', data: { snapshot: { name: 'fmt-new', cluster_id: clusterId } } });
      const view = await settled(s.client(), s.projectId, created.snapshot.id);
      assert.equal(view.status, 'AVAILABLE', view.failure_reason);
      const row = (await s.rt.db.kysely.selectFrom('dws_snapshots').selectAll().where('id', '=', created.snapshot.id).executeTakeFirst())!;
      assert.equal(row.format, 'custom-gz');
      assert.match(row.object_key, /\.dump\.gz$/);
      const files = snapshotFiles(row);
      assert.deepEqual(JSON.parse(row.files!), files, 'the list of files is recorded on the row');
      assert.equal(files.length, 1);
      const got = await s.rt.store.get(row.bucket, files[0].key);
      const h = createHash('sha256');
      let first: Buffer | undefined;
      for await (const c of got.body) {
        first ??= c as Buffer;
        h.update(c as Buffer);
      }
      assert.deepEqual([...first!.subarray(0, 2)], [0x1f, 0x8b], 'a gzip stream');
      assert.equal(h.digest('hex'), files[0].sha256);
      assert.equal(got.size, files[0].size);
      assert.equal(files[0].size, row.size_bytes);
      const name = await restore(row.id);
      assert.deepEqual(await fingerprint(dbUrl(name)), await fingerprint(source.url));
    });

    test('a snapshot taken before (pg_dump -Fc, format custom, no list of files) still restores equal', async () => {
      const id = `00000000-0000-4000-8000-${hex32().slice(0, 12)}`;
      const key = `${s.projectId}/${clusterId}/${id}.dump`;
      const put = await dumpDatabase(pgTarget(source.url), (body) => s.rt.store.put('logsnap-dws', key, body), undefined, 'custom');
      const now = Date.now();
      await s.rt.db.kysely.insertInto('dws_snapshots').values({
        id, project_id: s.projectId, cluster_id: clusterId, cluster_name: `fmt-${engine}`, name: 'old-style', name_lower: 'old-style', description: '',
        type: 'MANUAL', status: 'AVAILABLE', bucket: 'logsnap-dws', object_key: key, size_bytes: put.size, sha256: put.sha256,
        failure_reason: null, job_id: null, keep_until: null, started_at: now, finished_at: now, updated_at: now,
      }).execute();
      const row = (await s.rt.db.kysely.selectFrom('dws_snapshots').selectAll().where('id', '=', id).executeTakeFirst())!;
      assert.equal(row.format, 'custom', 'rows written without a format are the old pg_dump format (the column default)');
      assert.deepEqual(snapshotFiles(row), [{ name: `${id}.dump`, key, size: put.size, sha256: put.sha256 }]);
      const name = await restore(id);
      assert.deepEqual(await fingerprint(dbUrl(name)), await fingerprint(source.url));
      // deleting it removes its one archive
      await call({ method: 'DELETE', url: '/v1.0/{project_id}/snapshots/{snapshot_id}', pathParams: { snapshot_id: id } });
      // (right after the deletion commits: the outbox)
      await eventually(async () => (await s.rt.store.head('logsnap-dws', key)) === null, 10_000, 'the old archive deleted');
    });
  });
}
