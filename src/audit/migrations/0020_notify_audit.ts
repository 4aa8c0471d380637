import type { Kysely } from 'kysely';

/** The audit trail: one row per state-changing API call (src/audit/trail.ts). */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('audit_log').ifNotExists()
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('caller', 'text', (c) => c.notNull())
    .addColumn('project_id', 'text')
    .addColumn('service', 'text')
    .addColumn('operation', 'text')
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('route', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text')
    .addColumn('job_id', 'text')
    .addColumn('request_id', 'text', (c) => c.notNull())
    .addColumn('source_ip', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('status', 'integer', (c) => c.notNull())
    .addColumn('error_code', 'text')
    .execute();
  // newest first, by time alone or within one project, operation or caller (keyset paging on (at, id))
  await db.schema.createIndex('audit_log_at').ifNotExists().on('audit_log').columns(['at', 'id']).execute();
  await db.schema.createIndex('audit_log_project_at').ifNotExists().on('audit_log').columns(['project_id', 'at', 'id']).execute();
  await db.schema.createIndex('audit_log_operation_at').ifNotExists().on('audit_log').columns(['operation', 'at', 'id']).execute();
  await db.schema.createIndex('audit_log_caller_at').ifNotExists().on('audit_log').columns(['caller', 'at', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('audit_log').ifExists().execute();
}
