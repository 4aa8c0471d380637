import type { Kysely } from 'kysely';

/**
 * Console reads (migration range of the console, 0060–0069):
 * - jobs_updated: the live events' one shared poll reads `updated_at >= cursor` (an index range);
 * - jobs_state_finished: failures and successes of the last 24 h (`state = … and finished_at >= …`).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('jobs_updated').ifNotExists().on('jobs').columns(['updated_at']).execute();
  await db.schema.createIndex('jobs_state_finished').ifNotExists().on('jobs').columns(['state', 'finished_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('jobs_state_finished').ifExists().execute();
  await db.schema.dropIndex('jobs_updated').ifExists().execute();
}
