import type { Kysely } from 'kysely';
import { atomically, createIndex, dropIndex } from '../../../db/migrationTools.js';
import { dropRowCount, installRowCount } from '../../../db/rowCounts.js';
import { DCS_REDISLOG_COUNTS } from '../runLogs.js';

/** perf (issue 12): ListRedislog pages by index (its exact order) and counts without a scan. */
export async function up(db: Kysely<any>): Promise<void> {
  await atomically(db, async (db) => {
    await createIndex(db, 'dcs_redislogs_page', 'dcs_redislogs', ['project_id', 'instance_id', 'day DESC', 'replication_id', 'id']);
    await dropIndex(db, 'dcs_redislogs_list');
    await installRowCount(db, DCS_REDISLOG_COUNTS);
  });
}

export async function down(db: Kysely<any>): Promise<void> {
  await dropRowCount(db, DCS_REDISLOG_COUNTS);
  await createIndex(db, 'dcs_redislogs_list', 'dcs_redislogs', ['project_id', 'instance_id', 'day']);
  await dropIndex(db, 'dcs_redislogs_page');
}
