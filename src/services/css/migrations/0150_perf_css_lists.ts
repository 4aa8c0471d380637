import type { Kysely } from 'kysely';
import { atomically, createIndex, dropIndex } from '../../../db/migrationTools.js';
import { dropRowCount, installRowCount } from '../../../db/rowCounts.js';
import { CSS_RECORD_COUNTS } from '../tables.js';

/** perf (issue 12): ListLogsJob pages by index and counts without a scan, at any number of records. */
export async function up(db: Kysely<any>): Promise<void> {
  await atomically(db, async (db) => {
    // newest first (created_at DESC, job_id DESC): a backward scan of either index
    await createIndex(db, 'css_log_records_page', 'css_log_records', ['cluster_id', 'created_at', 'job_id']);
    await createIndex(db, 'css_log_records_status', 'css_log_records', ['cluster_id', 'status', 'created_at', 'job_id']);
    await dropIndex(db, 'css_log_records_cluster_created');
    await installRowCount(db, CSS_RECORD_COUNTS);
  });
}

export async function down(db: Kysely<any>): Promise<void> {
  await dropRowCount(db, CSS_RECORD_COUNTS);
  await createIndex(db, 'css_log_records_cluster_created', 'css_log_records', ['cluster_id', 'created_at']);
  await dropIndex(db, 'css_log_records_status');
  await dropIndex(db, 'css_log_records_page');
}
