import type { Kysely } from 'kysely';
import { atomically, createIndex, dropIndex, hasColumn } from '../../../db/migrationTools.js';
import { dropRowCount, installRowCount } from '../../../db/rowCounts.js';
import { DWS_SNAPSHOT_COUNTS, SORT_COLUMNS } from '../tables.js';

/**
 * perf (issue 12): ListSnapshots and ListClusterSnapshots page by index (one per sort key, the id
 * as tie-break in the same direction) and count without a scan; snapshots record their archive
 * format and their list of stored files.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await atomically(db, async (db) => {
    await createIndex(db, 'dws_snapshots_project_page', 'dws_snapshots', ['project_id', 'started_at DESC', 'id']);
    for (const col of SORT_COLUMNS) await createIndex(db, `dws_snapshots_cluster_${col}`, 'dws_snapshots', ['cluster_id', col, 'id']);
    await dropIndex(db, 'dws_snapshots_cluster');
    await installRowCount(db, DWS_SNAPSHOT_COUNTS);
    // the archive format of each snapshot (existing rows: pg_dump's custom format) and its list of files
    if (!(await hasColumn(db, 'dws_snapshots', 'format'))) {
      await db.schema.alterTable('dws_snapshots').addColumn('format', 'text', (c) => c.notNull().defaultTo('custom')).execute();
    }
    if (!(await hasColumn(db, 'dws_snapshots', 'files'))) await db.schema.alterTable('dws_snapshots').addColumn('files', 'text').execute();
  });
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('dws_snapshots').dropColumn('files').execute();
  await db.schema.alterTable('dws_snapshots').dropColumn('format').execute();
  await dropRowCount(db, DWS_SNAPSHOT_COUNTS);
  await createIndex(db, 'dws_snapshots_cluster', 'dws_snapshots', ['cluster_id', 'started_at']);
  for (const col of SORT_COLUMNS) await dropIndex(db, `dws_snapshots_cluster_${col}`);
  await dropIndex(db, 'dws_snapshots_project_page');
}
