import { sql, SqliteAdapter, type Kysely } from 'kysely';

/**
 * Each CreateRedislog is its own collection (docs/dcs.md, "Collections"): the one-file-per
 * (instance, replica, day) rule goes, and `collection_no` (per instance, increasing) orders
 * listings newest first. Existing files keep their rows (collection 0).
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) {
    // SQLite cannot drop a table constraint: rebuild the table from its own DDL without it.
    const row = await sql<{ sql: string }>`select sql from sqlite_master where type = 'table' and name = 'dcs_redislogs'`.execute(db);
    const ddl = row.rows[0]?.sql;
    if (!ddl) throw new Error('dcs_redislogs does not exist');
    const rebuilt = ddl
      .replace(/,\s*constraint\s+"?dcs_redislogs_node_day"?\s+unique\s*\([^)]*\)/i, '')
      .replace(/^create table\s+"?dcs_redislogs"?/i, 'create table "dcs_redislogs_0270"');
    await sql.raw(rebuilt).execute(db);
    await sql`insert into dcs_redislogs_0270 select * from dcs_redislogs`.execute(db);
    await sql`drop table dcs_redislogs`.execute(db);
    await sql`alter table dcs_redislogs_0270 rename to dcs_redislogs`.execute(db);
    await db.schema.createIndex('dcs_redislogs_expiry').ifNotExists().on('dcs_redislogs').columns(['expires_at']).execute();
    await db.schema.createIndex('dcs_redislogs_job').ifNotExists().on('dcs_redislogs').columns(['job_id']).execute();
  } else {
    await sql`alter table dcs_redislogs drop constraint if exists dcs_redislogs_node_day`.execute(db);
  }
  await db.schema.dropIndex('dcs_redislogs_list').ifExists().execute();
  await db.schema.alterTable('dcs_redislogs').addColumn('collection_no', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.createIndex('dcs_redislogs_list').ifNotExists()
    .on('dcs_redislogs').columns(['project_id', 'instance_id', 'collection_no']).execute();
}

/** Back to one file per (instance, replica, day): the newest collection's file is kept. */
export async function down(db: Kysely<any>): Promise<void> {
  const older = sql`exists (
    select 1 from dcs_redislogs n where n.instance_id = dcs_redislogs.instance_id and n.replication_id = dcs_redislogs.replication_id
      and n.day = dcs_redislogs.day and (n.collection_no > dcs_redislogs.collection_no or (n.collection_no = dcs_redislogs.collection_no and n.id > dcs_redislogs.id)))`;
  // their objects go with the expiry tick's trash
  await sql`insert into dcs_object_trash (bucket, object_key, created_at)
    select bucket, object_key, 0 from dcs_redislogs where object_key is not null and bucket is not null and ${older}
    on conflict do nothing`.execute(db);
  await sql`delete from dcs_redislogs where ${older}`.execute(db);
  await db.schema.dropIndex('dcs_redislogs_list').ifExists().execute();
  await db.schema.alterTable('dcs_redislogs').dropColumn('collection_no').execute();
  await db.schema.createIndex('dcs_redislogs_list').ifNotExists().on('dcs_redislogs').columns(['project_id', 'instance_id', 'day']).execute();
  await db.schema.createIndex('dcs_redislogs_node_day').unique().on('dcs_redislogs').columns(['instance_id', 'replication_id', 'day']).execute();
}
