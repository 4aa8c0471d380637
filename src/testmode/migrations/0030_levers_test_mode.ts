import type { Kysely } from 'kysely';

/**
 * Test levers (docs/testing.md): the shared test clock and the fault rules. Both live in the
 * database so every logsnap process on it applies the same clock and the same faults.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('test_state').ifNotExists()
    .addColumn('id', 'text', (c) => c.primaryKey())
    /** test time = wall clock + this offset */
    .addColumn('clock_offset_ms', 'bigint', (c) => c.notNull().defaultTo(0))
    /** bumped on every change to test_faults: processes reload their cached rules when it moves */
    .addColumn('faults_version', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.insertInto('test_state').values({ id: 'state', clock_offset_ms: 0, faults_version: 0, updated_at: 0 })
    .onConflict((oc) => oc.column('id').doNothing()).execute();

  await db.schema.createTable('test_faults').ifNotExists()
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('service', 'text', (c) => c.notNull())
    /** API rules: the SDK operation id; job rules: null */
    .addColumn('operation', 'text')
    /** job rules: the job kind; API rules: null */
    .addColumn('job_kind', 'text')
    .addColumn('project_id', 'text')
    .addColumn('cluster_id', 'text')
    /** job rules: only writes of object keys containing this text */
    .addColumn('object', 'text')
    /** the effect, JSON */
    .addColumn('effect', 'text', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('fired', 'integer', (c) => c.notNull().defaultTo(0))
    /** hold rules: when they were released */
    .addColumn('released_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('test_faults').ifExists().execute();
  await db.schema.dropTable('test_state').ifExists().execute();
}
