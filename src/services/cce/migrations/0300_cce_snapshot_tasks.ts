import type { Kysely } from 'kysely';

/** CCE master snapshot tasks (ListClusterMasterSnapshotTasks items), one per CreateClusterMasterSnapshot. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('cce_snapshot_tasks').ifNotExists()
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('cluster_id', 'text', (c) => c.notNull().references('clusters.id').onDelete('cascade'))
    .addColumn('phase', 'text', (c) => c.notNull())
    .addColumn('progress', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('message', 'text')
    .addColumn('endpoint', 'text')
    .addColumn('etcd_version', 'text')
    .addColumn('revision', 'text')
    .addColumn('db_size', 'bigint')
    .addColumn('bucket', 'text')
    .addColumn('object_key', 'text')
    .addColumn('size', 'bigint')
    .addColumn('sha256', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('completed_at', 'bigint')
    .execute();
  await db.schema.createIndex('cce_snapshot_tasks_cluster_created').ifNotExists()
    .on('cce_snapshot_tasks').columns(['cluster_id', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('cce_snapshot_tasks').ifExists().execute();
}
