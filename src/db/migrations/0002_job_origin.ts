import type { Kysely } from 'kysely';

/** Who started a job, and with which request (job detail, audit). */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('jobs').addColumn('request_id', 'text').execute();
  await db.schema.alterTable('jobs').addColumn('created_by', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('jobs').dropColumn('created_by').execute();
  await db.schema.alterTable('jobs').dropColumn('request_id').execute();
}
