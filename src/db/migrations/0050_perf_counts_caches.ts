import type { Kysely } from 'kysely';
import { atomically, createIndex, dropIndex, hasColumn } from '../migrationTools.js';
import { createRowCountsTable, dropRowCount, installRowCount } from '../rowCounts.js';
import { createCacheVersionsTable, dropVersionBump, installVersionBump } from '../cacheVersions.js';
import { AUTH_CACHE_VERSION, AUTH_TABLES } from '../../projects/projects.js';
import { CLUSTER_COUNTS } from '../../clusters/clusters.js';

/**
 * perf (issue 12): exact list totals without scans (row_counts + triggers), the auth cache's
 * version counter (bumped by triggers on credentials and tokens), and clusters paged by index:
 * a plain `variant` column (CSS datastore type, CCE flavour) so a filtered page needs no decryption.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await atomically(db, async (db) => {
    await createRowCountsTable(db);
    await createCacheVersionsTable(db);
    await installVersionBump(db, AUTH_CACHE_VERSION, AUTH_TABLES);
    if (!(await hasColumn(db, 'clusters', 'variant'))) await db.schema.alterTable('clusters').addColumn('variant', 'text').execute();
    await createIndex(db, 'clusters_page', 'clusters', ['project_id', 'service', 'created_at DESC', 'id']);
    await createIndex(db, 'clusters_page_variant', 'clusters', ['project_id', 'service', 'variant', 'created_at DESC', 'id']);
    await dropIndex(db, 'clusters_project_service');
    await installRowCount(db, CLUSTER_COUNTS);
  });
}

export async function down(db: Kysely<any>): Promise<void> {
  await dropRowCount(db, CLUSTER_COUNTS);
  await dropVersionBump(db, AUTH_CACHE_VERSION, AUTH_TABLES);
  await createIndex(db, 'clusters_project_service', 'clusters', ['project_id', 'service', 'created_at']);
  await dropIndex(db, 'clusters_page_variant');
  await dropIndex(db, 'clusters_page');
  await db.schema.alterTable('clusters').dropColumn('variant').execute();
  await db.schema.dropTable('cache_versions').ifExists().execute();
  await db.schema.dropTable('row_counts').ifExists().execute();
}
