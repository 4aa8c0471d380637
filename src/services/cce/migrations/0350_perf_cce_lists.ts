import type { Kysely } from 'kysely';
import { atomically, createIndex, dropIndex } from '../../../db/migrationTools.js';

/**
 * perf (issue 12): snapshot task lists page by index (newest first: a backward scan), and the
 * latest successful task (status.latestBackupTime) is one index probe. The list has no total.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await atomically(db, async (db) => {
    await createIndex(db, 'cce_snapshot_tasks_page', 'cce_snapshot_tasks', ['cluster_id', 'created_at', 'id']);
    await createIndex(db, 'cce_snapshot_tasks_latest', 'cce_snapshot_tasks', ['cluster_id', 'phase', 'completed_at']);
    await dropIndex(db, 'cce_snapshot_tasks_cluster_created');
  });
}

export async function down(db: Kysely<any>): Promise<void> {
  await createIndex(db, 'cce_snapshot_tasks_cluster_created', 'cce_snapshot_tasks', ['cluster_id', 'created_at']);
  await dropIndex(db, 'cce_snapshot_tasks_latest');
  await dropIndex(db, 'cce_snapshot_tasks_page');
}
