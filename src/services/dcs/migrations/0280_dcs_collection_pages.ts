import type { Kysely } from 'kysely';
import { atomically, createIndex, dropIndex } from '../../../db/migrationTools.js';
import { dropRowCount, installRowCount } from '../../../db/rowCounts.js';
import { DCS_REDISLOG_COUNTS } from '../runLogs.js';

/**
 * After both 0250 (list counters and page index) and 0270 (one row per collection), in whichever
 * order a database met them: on SQLite 0270 rebuilds the table, which drops 0250's triggers and
 * index with the old table, and the listing order became newest collection first. So: the page
 * index in ListRedislog's order now, and the counters' triggers reinstalled (and recounted).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await atomically(db, async (db) => {
    await dropIndex(db, 'dcs_redislogs_page');
    await dropIndex(db, 'dcs_redislogs_list');
    await createIndex(db, 'dcs_redislogs_page', 'dcs_redislogs', ['project_id', 'instance_id', 'collection_no DESC', 'created_at DESC', 'day DESC', 'replication_id', 'id']);
    await dropRowCount(db, DCS_REDISLOG_COUNTS);
    await installRowCount(db, DCS_REDISLOG_COUNTS);
  });
}

export async function down(db: Kysely<any>): Promise<void> {
  await dropIndex(db, 'dcs_redislogs_page');
  await createIndex(db, 'dcs_redislogs_list', 'dcs_redislogs', ['project_id', 'instance_id', 'collection_no']);
}
