import type { Kysely } from 'kysely';

/** Manifests' catalogue and verification results; encryption at rest (project keys, data keys). */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('trust_artifact_sets').ifNotExists()
    .addColumn('service', 'text', (c) => c.notNull())
    .addColumn('set_id', 'text', (c) => c.notNull())
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('cluster_id', 'text', (c) => c.notNull())
    .addColumn('job_id', 'text')
    .addColumn('manifest_bucket', 'text', (c) => c.notNull())
    .addColumn('manifest_key', 'text', (c) => c.notNull())
    .addColumn('manifest_size', 'bigint', (c) => c.notNull())
    .addColumn('manifest_sha256', 'text', (c) => c.notNull())
    .addColumn('files', 'integer', (c) => c.notNull())
    .addColumn('bytes', 'bigint', (c) => c.notNull())
    .addColumn('encrypted', 'integer', (c) => c.notNull())
    .addColumn('key_version', 'integer')
    .addColumn('finished_at', 'bigint', (c) => c.notNull())
    .addColumn('written_at', 'bigint', (c) => c.notNull())
    .addColumn('last_verified_at', 'bigint')
    .addColumn('last_status', 'text')
    .addColumn('last_problems', 'text')
    .addColumn('last_run_id', 'text')
    .addPrimaryKeyConstraint('trust_artifact_sets_pk', ['service', 'set_id'])
    .execute();
  await db.schema.createIndex('trust_artifact_sets_project').ifNotExists()
    .on('trust_artifact_sets').columns(['project_id', 'cluster_id']).execute();

  await db.schema.createTable('trust_verify_runs').ifNotExists()
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('filter', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('job_id', 'text')
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    .addColumn('sets', 'integer', (c) => c.notNull())
    .addColumn('artifacts', 'integer', (c) => c.notNull())
    .addColumn('ok', 'integer', (c) => c.notNull())
    .addColumn('problems', 'integer', (c) => c.notNull())
    .addColumn('report', 'text')
    .addColumn('error', 'text')
    .execute();
  await db.schema.createIndex('trust_verify_runs_started').ifNotExists()
    .on('trust_verify_runs').columns(['started_at']).execute();

  await db.schema.createTable('trust_projects').ifNotExists()
    .addColumn('project_id', 'text', (c) => c.primaryKey())
    .addColumn('encrypt', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema.createTable('trust_project_keys').ifNotExists()
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull().unique())
    .addColumn('wrapped_key', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('retired_at', 'bigint')
    .addColumn('exported_at', 'bigint')
    .addPrimaryKeyConstraint('trust_project_keys_pk', ['project_id', 'version'])
    .execute();

  await db.schema.createTable('trust_data_keys').ifNotExists()
    .addColumn('bucket', 'text', (c) => c.notNull())
    .addColumn('object_key', 'text', (c) => c.notNull())
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('dek_id', 'text', (c) => c.notNull())
    .addColumn('wrapped_dek', 'text', (c) => c.notNull())
    .addColumn('key_version', 'integer', (c) => c.notNull())
    .addColumn('chunk_size', 'integer', (c) => c.notNull())
    .addColumn('plain_size', 'bigint', (c) => c.notNull())
    .addColumn('plain_sha256', 'text', (c) => c.notNull())
    .addColumn('stored_size', 'bigint', (c) => c.notNull())
    .addColumn('stored_sha256', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('trust_data_keys_pk', ['bucket', 'object_key'])
    .execute();
  await db.schema.createIndex('trust_data_keys_project').ifNotExists()
    .on('trust_data_keys').columns(['project_id', 'key_version']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['trust_data_keys', 'trust_project_keys', 'trust_projects', 'trust_verify_runs', 'trust_artifact_sets']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
