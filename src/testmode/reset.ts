import type { FastifyBaseLogger } from 'fastify';
import { sql, type Db } from '../db/index.js';
import type { ObjectStore } from '../storage/objectStore.js';
import { anyKysely, describeSchema, DERIVED_TABLES, MIGRATION_TABLES, type TableInfo } from './schema.js';

/**
 * Reset (POST /admin/v1/test/reset): back to the registered fixtures.
 *
 * The rule: every table in the database is emptied except the keep-list below (identity and
 * registration: projects, credentials, tokens, clusters, the meta keys, migrations, the test
 * clock). Tables are read from the database's catalogue, so a table another module adds later is
 * reset too, unless it is added to RESET_KEEP (registration data, e.g. webhook subscriptions).
 *
 * With a project: rows of tables that have a `project_id` column and belong to it are deleted,
 * and rows of tables without one that have a `cluster_id` of one of its clusters; other tables
 * are left alone. Objects go with their rows: a row's (`bucket`, `object_key`) names an object,
 * (`bucket`, `prefix`) all objects under `prefix/`. Without a project, every stored object goes.
 */
export const RESET_KEEP = new Set<string>([
  'meta', 'projects', 'credentials', 'tokens', 'clusters', 'test_state', ...MIGRATION_TABLES, ...DERIVED_TABLES,
  // registration data of other modules: webhook subscriptions (docs/notifications.md), a project's
  // encryption setting and its wrapped keys (docs/storage.md); their events, deliveries, data keys
  // of deleted objects and verification runs are reset like any record
  'webhook_subscriptions', 'trust_projects', 'trust_project_keys',
]);

export interface ResetResult {
  /** rows deleted per table (tables with none deleted are left out) */
  tables: Record<string, number>;
  objects: number;
}

export async function resetState(db: Db, store: ObjectStore, log: FastifyBaseLogger, projectId?: string): Promise<ResetResult> {
  const schema = await describeSchema(db);
  const targets = schema.filter((t) => !RESET_KEEP.has(t.name)).reverse(); // children first
  const doomed: { bucket: string; key?: string; prefix?: string }[] = [];
  const tables: Record<string, number> = {};
  await db.kysely.transaction().execute(async (trx0) => {
    const trx = anyKysely(trx0);
    for (const t of targets) {
      const where = projectFilter(t, projectId);
      if (where === 'skip') continue;
      if (projectId) doomed.push(...(await objectsOf(trx, t, where)));
      let q = trx.deleteFrom(t.name);
      if (where) q = q.where(where.column, where.op, where.value as never);
      const n = Number((await q.executeTakeFirst()).numDeletedRows);
      if (n) tables[t.name] = n;
    }
  });
  let objects = 0;
  if (projectId) {
    for (const d of doomed) {
      if (d.key) {
        await store.delete(d.bucket, d.key).catch(() => undefined);
        objects++;
      } else {
        objects += await deleteAll(store, d.bucket, `${d.prefix}/`);
      }
    }
  } else {
    if (!store.buckets) throw new Error(`the ${store.driver} object store cannot list its buckets`);
    for await (const bucket of store.buckets()) objects += await deleteAll(store, bucket, '');
  }
  log.info({ project_id: projectId ?? null, tables, objects }, 'test reset');
  return { tables, objects };
}

type Filter = { column: string; op: '=' | 'in'; value: unknown } | null | 'skip';

function projectFilter(t: TableInfo, projectId: string | undefined): Filter {
  if (!projectId) return null;
  const cols = new Set(t.columns.map((c) => c.name));
  if (cols.has('project_id')) return { column: 'project_id', op: '=', value: projectId };
  if (cols.has('cluster_id')) return { column: 'cluster_id', op: 'in', value: sql`(select id from clusters where project_id = ${projectId})` };
  return 'skip';
}

async function objectsOf(trx: ReturnType<typeof anyKysely>, t: TableInfo, where: Exclude<Filter, 'skip'>): Promise<{ bucket: string; key?: string; prefix?: string }[]> {
  const cols = new Set(t.columns.map((c) => c.name));
  if (!cols.has('bucket')) return [];
  const keyCol = cols.has('object_key') ? 'object_key' : cols.has('prefix') ? 'prefix' : null;
  if (!keyCol) return [];
  let q = trx.selectFrom(t.name).select(['bucket', keyCol]);
  if (where) q = q.where(where.column, where.op, where.value as never);
  const rows = (await q.execute()) as Record<string, string | null>[];
  return rows
    .filter((r) => r.bucket && r[keyCol])
    .map((r) => (keyCol === 'object_key' ? { bucket: r.bucket!, key: r[keyCol]! } : { bucket: r.bucket!, prefix: r[keyCol]! }));
}

async function deleteAll(store: ObjectStore, bucket: string, prefix: string): Promise<number> {
  const keys: string[] = [];
  for await (const o of store.list(bucket, prefix)) keys.push(o.key);
  for (const key of keys) await store.delete(bucket, key);
  return keys.length;
}
