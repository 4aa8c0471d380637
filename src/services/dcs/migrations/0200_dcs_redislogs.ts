import type { Kysely } from 'kysely';

/** Run-log files (one per instance, replica and day) and objects waiting to be deleted. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('dcs_redislogs').ifNotExists()
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('instance_id', 'text', (c) => c.notNull())
    .addColumn('replication_id', 'text', (c) => c.notNull())
    .addColumn('replication_ip', 'text', (c) => c.notNull())
    .addColumn('group_name', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('job_id', 'text', (c) => c.notNull())
    .addColumn('bucket', 'text')
    .addColumn('object_key', 'text')
    .addColumn('size', 'bigint')
    .addColumn('sha256', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('collected_at', 'bigint')
    .addColumn('expires_at', 'bigint')
    .addUniqueConstraint('dcs_redislogs_node_day', ['instance_id', 'replication_id', 'day'])
    .execute();
  await db.schema.createIndex('dcs_redislogs_list').ifNotExists()
    .on('dcs_redislogs').columns(['project_id', 'instance_id', 'day']).execute();
  await db.schema.createIndex('dcs_redislogs_expiry').ifNotExists()
    .on('dcs_redislogs').columns(['expires_at']).execute();
  await db.schema.createIndex('dcs_redislogs_job').ifNotExists()
    .on('dcs_redislogs').columns(['job_id']).execute();

  await db.schema.createTable('dcs_object_trash').ifNotExists()
    .addColumn('bucket', 'text', (c) => c.notNull())
    .addColumn('object_key', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('dcs_object_trash_pk', ['bucket', 'object_key'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('dcs_object_trash').ifExists().execute();
  await db.schema.dropTable('dcs_redislogs').ifExists().execute();
}
