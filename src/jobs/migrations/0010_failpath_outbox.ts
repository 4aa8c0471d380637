import type { Kysely } from 'kysely';

/** The outbox: durable after-commit tasks (src/jobs/outbox.ts, docs/jobs.md). */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('outbox').ifNotExists()
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('topic', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('run_at', 'bigint', (c) => c.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_expires_at', 'bigint')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  // claiming: due PENDING items; pruning: DONE/DEAD by age
  await db.schema.createIndex('outbox_claim').ifNotExists().on('outbox').columns(['state', 'run_at']).execute();
  await db.schema.createIndex('outbox_prune').ifNotExists().on('outbox').columns(['state', 'updated_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('outbox').ifExists().execute();
}
