import type { Kysely } from 'kysely';

/** DWS snapshots, snapshot policies (cluster settings) and their backup strategies. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('dws_snapshots').ifNotExists()
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('cluster_id', 'text', (c) => c.notNull())
    .addColumn('cluster_name', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_lower', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('bucket', 'text', (c) => c.notNull())
    .addColumn('object_key', 'text', (c) => c.notNull())
    .addColumn('size_bytes', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('sha256', 'text')
    .addColumn('failure_reason', 'text')
    .addColumn('job_id', 'text')
    .addColumn('keep_until', 'bigint')
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('dws_snapshots_project_name').ifNotExists().unique()
    .on('dws_snapshots').columns(['project_id', 'name_lower']).execute();
  await db.schema.createIndex('dws_snapshots_cluster').ifNotExists()
    .on('dws_snapshots').columns(['cluster_id', 'started_at']).execute();
  await db.schema.createIndex('dws_snapshots_expiry').ifNotExists()
    .on('dws_snapshots').columns(['type', 'keep_until']).execute();

  await db.schema.createTable('dws_snapshot_policies').ifNotExists()
    .addColumn('cluster_id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('keep_day', 'integer', (c) => c.notNull())
    .addColumn('auto_backup', 'integer', (c) => c.notNull())
    .addColumn('device_name', 'text', (c) => c.notNull())
    .addColumn('server_port', 'text')
    .addColumn('backup_param', 'text')
    .addColumn('server_ips', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema.createTable('dws_backup_strategies').ifNotExists()
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('cluster_id', 'text', (c) => c.notNull())
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('policy_name', 'text', (c) => c.notNull())
    .addColumn('backup_strategy', 'text', (c) => c.notNull())
    .addColumn('backup_type', 'text', (c) => c.notNull())
    .addColumn('backup_level', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('dws_backup_strategies_cluster').ifNotExists()
    .on('dws_backup_strategies').columns(['cluster_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('dws_backup_strategies').ifExists().execute();
  await db.schema.dropTable('dws_snapshot_policies').ifExists().execute();
  await db.schema.dropTable('dws_snapshots').ifExists().execute();
}
