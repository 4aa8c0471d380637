import type { Kysely } from 'kysely';

/** One row per reconciler slot: the insert that wins runs the slot (src/jobs/reconciler.ts). */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('reconcile_slots').ifNotExists()
    .addColumn('slot', 'text', (c) => c.primaryKey())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    /** JSON: what the run fixed */
    .addColumn('summary', 'text')
    .execute();
  await db.schema.createIndex('reconcile_slots_started').ifNotExists().on('reconcile_slots').column('started_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('reconcile_slots').ifExists().execute();
}
