/**
 * List totals come from counters kept by database triggers (src/db/rowCounts.ts). They must stay
 * exactly equal to a fresh count(*) through every path that changes rows: random SQL (the
 * mechanism), and the services' create / fail / delete / expire paths (the API answers).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { sql, type Kysely } from 'kysely';
import { engines, eventually, FakeClock, scratchDatabase, startServer } from '../helpers/server.js';
import { op } from '../helpers/sdk.js';
import { openDb, type Db } from '../../src/db/index.js';
import { createRowCountsTable, installRowCount, rowCountDrift, countRows, type CountedTable } from '../../src/db/rowCounts.js';
import { CLUSTER_COUNTS } from '../../src/clusters/clusters.js';
import { CSS_RECORD_COUNTS } from '../../src/services/css/tables.js';
import { DCS_REDISLOG_COUNTS, DcsRunLogs } from '../../src/services/dcs/runLogs.js';
import { DWS_SNAPSHOT_COUNTS } from '../../src/services/dws/tables.js';
import { DwsSnapshots } from '../../src/services/dws/domain.js';
import { fillDcsRedislogs, fillDwsSnapshots } from '../../bench/fill.js';
import { cssOps, OPEN, registerCluster, waitRecord } from '../css/helpers.js';

const COUNTED = [CLUSTER_COUNTS, CSS_RECORD_COUNTS, DCS_REDISLOG_COUNTS, DWS_SNAPSHOT_COUNTS];

async function noDrift(db: Db, tables: CountedTable[] = COUNTED): Promise<void> {
  for (const t of tables) assert.deepEqual(await rowCountDrift(db, t), [], `counters of ${t.scope} equal a fresh count`);
}

const SCRATCH: CountedTable = { scope: 'scratch', table: 'scratch', k1: ['a', 'c'], k2: 'b' };

type Op =
  | { op: 'insert'; n: number; a: number; b: number | null }
  | { op: 'setA'; id: number; a: number }
  | { op: 'setB'; id: number; b: number | null }
  | { op: 'setAB'; id: number; a: number; b: number | null }
  | { op: 'touch'; id: number }
  | { op: 'delete'; id: number }
  | { op: 'deleteWhere'; a: number }
  | { op: 'truncate' }
  | { op: 'txRollback'; a: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('insert' as const), n: fc.integer({ min: 1, max: 20 }), a: fc.integer({ min: 0, max: 3 }), b: fc.option(fc.integer({ min: 0, max: 2 })) }),
  fc.record({ op: fc.constant('setA' as const), id: fc.integer({ min: 1, max: 80 }), a: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ op: fc.constant('setB' as const), id: fc.integer({ min: 1, max: 80 }), b: fc.option(fc.integer({ min: 0, max: 2 })) }),
  fc.record({ op: fc.constant('setAB' as const), id: fc.integer({ min: 1, max: 80 }), a: fc.integer({ min: 0, max: 3 }), b: fc.option(fc.integer({ min: 0, max: 2 })) }),
  fc.record({ op: fc.constant('touch' as const), id: fc.integer({ min: 1, max: 80 }) }),
  fc.record({ op: fc.constant('delete' as const), id: fc.integer({ min: 1, max: 80 }) }),
  fc.record({ op: fc.constant('deleteWhere' as const), a: fc.integer({ min: 0, max: 3 }) }),
  fc.constant({ op: 'truncate' as const }),
  fc.record({ op: fc.constant('txRollback' as const), a: fc.integer({ min: 0, max: 3 }) }),
);

for (const { engine, skip } of await engines()) {
  describe(`list totals stay exact on ${engine}`, { skip }, () => {
    test('the trigger mechanism: random inserts, key changes, deletes, truncates and rolled-back transactions', async () => {
      const { url, cleanup } = await scratchDatabase(engine, 'logsnap_counts');
      const db = openDb(url);
      const k = db.kysely as unknown as Kysely<any>;
      try {
        await createRowCountsTable(k);
        await sql`create table scratch (id integer primary key, a text not null, b text, c text default 'x', other text)`.execute(k);
        await k.insertInto('scratch').values([{ id: 1000, a: 'pre', b: null }, { id: 1001, a: 'pre', b: '1' }]).execute();
        await installRowCount(k, SCRATCH);
        await noDrift(db, [SCRATCH]);
        let nextId = 1;
        await fc.assert(
          fc.asyncProperty(fc.array(opArb, { maxLength: 25 }), async (ops) => {
            for (const o of ops) {
              switch (o.op) {
                case 'insert':
                  await k.insertInto('scratch').values(Array.from({ length: o.n }, () => ({ id: nextId++, a: String(o.a), b: o.b === null ? null : String(o.b) }))).execute();
                  break;
                case 'setA':
                  await k.updateTable('scratch').set({ a: String(o.a) }).where('id', '=', o.id).execute();
                  break;
                case 'setB':
                  await k.updateTable('scratch').set({ b: o.b === null ? null : String(o.b) }).where('id', '=', o.id).execute();
                  break;
                case 'setAB':
                  await k.updateTable('scratch').set({ a: String(o.a), b: o.b === null ? null : String(o.b) }).where('id', '<=', o.id).execute();
                  break;
                case 'touch':
                  await k.updateTable('scratch').set({ other: 'touched' }).where('id', '=', o.id).execute();
                  break;
                case 'delete':
                  await k.deleteFrom('scratch').where('id', '=', o.id).execute();
                  break;
                case 'deleteWhere':
                  await k.deleteFrom('scratch').where('a', '=', String(o.a)).execute();
                  break;
                case 'truncate':
                  if (engine === 'postgres') await sql`truncate scratch`.execute(k);
                  else await k.deleteFrom('scratch').execute();
                  break;
                case 'txRollback':
                  await assert.rejects(k.transaction().execute(async (trx) => {
                    await trx.insertInto('scratch').values({ id: nextId++, a: String(o.a), b: null }).execute();
                    await trx.deleteFrom('scratch').where('a', '=', String((o.a + 1) % 4)).execute();
                    throw new Error('rollback');
                  }), /rollback/);
                  break;
              }
            }
            await noDrift(db, [SCRATCH]);
          }),
          { numRuns: 25 },
        );
      } finally {
        await db.close();
        await cleanup();
      }
    });

    test('CSS records and clusters: backups that succeed and fail, filters, variants, deleted clusters and projects', async () => {
      const s = await startServer({ engine });
      const logs = mkdtempSync(join(tmpdir(), 'logsnap-totals-'));
      try {
        mkdirSync(join(logs, 'ok'));
        writeFileSync(join(logs, 'ok', 'es.log'), 'a log line\n'.repeat(100));
        const good = await registerCluster(s, [{ name: 'n1', logDir: join(logs, 'ok') }], 'good');
        const bad = await registerCluster(s, [{ name: 'n1', logDir: join(logs, 'vanishing') }], 'bad');
        const g = cssOps(s.client('/css'), good);
        const b = cssOps(s.client('/css'), bad);
        await g.open(OPEN);
        await b.open(OPEN);
        for (let i = 0; i < 3; i++) {
          await g.collect();
          await waitRecord(g, (await g.records({ limit: 1 })).clusterLogRecord[0].jobId);
        }
        for (let i = 0; i < 2; i++) {
          await b.collect();
          const rec = await waitRecord(b, (await b.records({ limit: 1 })).clusterLogRecord[0].jobId);
          assert.equal(rec.status, 'FAIL');
        }
        assert.equal((await g.records()).totalSize, 3);
        assert.equal((await b.records()).totalSize, 2);
        assert.equal((await b.records({ status: 'FAIL' })).totalSize, 2);
        assert.equal((await b.records({ status: 'NOT_FAIL' })).totalSize, 0);
        assert.equal((await g.records({ status: 'NOT_FAIL', limit: 2 })).totalSize, 3);
        assert.equal((await g.records({ offset: 3, limit: 2 })).clusterLogRecord.length, 1);
        await noDrift(s.rt.db);

        // clusters: datastore variants, a row written without register() (no variant yet), deletions
        await s.rt.deps.clusters.register({ projectId: s.projectId, service: 'css', name: 'os', engine: { nodes: [{ name: 'n', logDir: '/x' }], datastore: { type: 'opensearch', version: '2' } } });
        const enc = (await s.rt.db.kysely.selectFrom('clusters').select('engine_enc').where('name', '=', 'os').executeTakeFirstOrThrow()).engine_enc;
        await s.rt.db.kysely.insertInto('clusters').values({ id: 'legacy-os', project_id: s.projectId, service: 'css', name: 'legacy', status: '200', engine_enc: enc, created_at: 1, updated_at: 1 }).execute();
        const list = (q?: Record<string, unknown>) => op(s.client('/css'), { method: 'GET', url: '/v1.0/{project_id}/clusters', queryParams: q });
        assert.equal((await list()).totalSize, 4);
        const os = await list({ datastoreType: 'opensearch' });
        assert.equal(os.totalSize, 2, 'the legacy row got its variant when first filtered on');
        assert.deepEqual(os.clusters.map((c: { name: string }) => c.name).sort(), ['legacy', 'os']);
        assert.equal((await list({ datastoreType: 'elasticsearch' })).totalSize, 2);
        await noDrift(s.rt.db);

        assert.ok(await s.rt.deps.clusters.delete(s.projectId, bad), 'the failed cluster is deleted (its records cascade)');
        assert.equal((await list()).totalSize, 3);
        assert.equal(await countRows(s.rt.db, CSS_RECORD_COUNTS.scope, bad), 0);
        await noDrift(s.rt.db);
        await s.rt.deps.projects.delete(s.projectId);
        assert.equal(await countRows(s.rt.db, CLUSTER_COUNTS.scope, `${s.projectId}/css`), 0);
        await noDrift(s.rt.db);
      } finally {
        await s.close();
        rmSync(logs, { recursive: true, force: true });
      }
    });

    test('DCS run logs: collected, failed, expired after 7 days', async () => {
      const clock = new FakeClock();
      const s = await startServer({ engine, clock });
      try {
        const inst = await s.rt.deps.clusters.register({
          projectId: s.projectId, service: 'dcs', name: 'r',
          engine: { nodes: [{ replicationId: 'live', ip: '10.0.0.9', url: 'redis://127.0.0.1:1', logFile: '/nonexistent' }] },
        });
        await fillDcsRedislogs(s.rt.db, { projectId: s.projectId, instanceId: inst.id, count: 250 });
        const list = () => op(s.client('/dcs'), { method: 'GET', url: '/v2/{project_id}/instances/{instance_id}/redislog', pathParams: { instance_id: inst.id }, queryParams: { log_type: 'run', limit: 5 } });
        assert.equal((await list()).total_num, 250);
        // a collection (3 days) whose node is unreachable: its day files are recorded, then turn failed
        const r = await op(s.client('/dcs'), { method: 'POST', url: '/v2/{project_id}/instances/{instance_id}/redislog', pathParams: { instance_id: inst.id }, queryParams: { log_type: 'run', query_time: 3 } });
        assert.equal(r.httpStatusCode, 204);
        await eventually(async () => {
          const rows = await s.rt.db.kysely.selectFrom('dcs_redislogs').select('status').where('instance_id', '=', inst.id).where('replication_id', '=', 'live').execute();
          return rows.length === 3 && rows.every((x) => x.status === 'failed');
        }, 60_000, 'the failed collection');
        assert.equal((await list()).total_num, 253);
        await noDrift(s.rt.db);
        clock.advance(8 * 86_400_000);
        const expired = await new DcsRunLogs(s.rt.deps).expire(clock.now());
        assert.equal(expired.expired, 3, 'the failed files expire after 7 days (the bench rows expire in a year)');
        clock.advance(-8 * 86_400_000); // back within the signature window of the SDK's wall clock
        assert.equal((await list()).total_num, 250);
        await noDrift(s.rt.db);
      } finally {
        await s.close();
      }
    });

    test('DWS snapshots: created, failed, deleted, automated ones expired by retention', async () => {
      const clock = new FakeClock();
      const s = await startServer({ engine, clock });
      try {
        const cluster = await s.rt.deps.clusters.register({ projectId: s.projectId, service: 'dws', name: 'w', engine: { url: 'postgres://postgres@127.0.0.1:5432/logsnap_no_such_database' } });
        await fillDwsSnapshots(s.rt.db, { projectId: s.projectId, clusterId: cluster.id, count: 30 });
        const dws = new DwsSnapshots(s.rt.deps);
        const all = () => op(s.client('/dws'), { method: 'GET', url: '/v1.0/{project_id}/snapshots', queryParams: { limit: 3 } });
        const ofCluster = () => op(s.client('/dws'), { method: 'GET', url: '/v1.0/{project_id}/clusters/{cluster_id}/snapshots', pathParams: { cluster_id: cluster.id }, queryParams: { limit: 3, offset: 2 } });
        assert.equal((await all()).count, 30);
        assert.equal((await all()).snapshots.length, 3);
        const created = await op(s.client('/dws'), { method: 'POST', url: '/v1.0/{project_id}/snapshots', data: { snapshot: { name: 'will-fail', cluster_id: cluster.id } } });
        assert.equal((await ofCluster()).count, 31);
        const failed = await eventually(async () => {
          const x = await s.rt.db.kysely.selectFrom('dws_snapshots').selectAll().where('id', '=', created.snapshot.id).executeTakeFirst();
          return x?.status === 'UNAVAILABLE' ? x : undefined;
        }, 60_000, 'the snapshot to fail');
        assert.ok(failed.failure_reason);
        assert.equal((await ofCluster()).count, 31, 'a failed snapshot stays listed');
        await dws.delete(s.projectId, created.snapshot.id);
        assert.equal((await all()).count, 30);
        await noDrift(s.rt.db);
        // automated snapshots past their keep_until are deleted by retention
        await s.rt.db.kysely.updateTable('dws_snapshots').set({ type: 'AUTO', keep_until: clock.now() - 1 })
          .where('cluster_id', '=', cluster.id).where('name', 'like', '%-1%').execute();
        const n = await dws.expire(clock.now());
        assert.ok(n > 0);
        assert.equal((await all()).count, 30 - n);
        assert.equal((await ofCluster()).count, 30 - n);
        await noDrift(s.rt.db);
      } finally {
        await s.close();
      }
    });
  });
}
