import { PostgresAdapter, sql, type Kysely } from 'kysely';

/** True when the migration runs on PostgreSQL. */
export function onPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/**
 * Run a migration's steps as one transaction on both engines. Kysely already wraps each PostgreSQL
 * migration in a transaction; on SQLite it does not, so two processes starting at once could each
 * apply half of one: here SQLite gets BEGIN … COMMIT too (the loser waits on the write lock, then
 * finds the work done, because every step is written to be repeatable).
 */
export async function atomically(db: Kysely<any>, fn: (db: Kysely<any>) => Promise<void>): Promise<void> {
  if (onPostgres(db)) return fn(db);
  await db.transaction().execute(fn);
}

/** Whether a table has a column (for repeatable ALTER TABLE … ADD COLUMN). */
export async function hasColumn(db: Kysely<any>, table: string, column: string): Promise<boolean> {
  if (onPostgres(db)) {
    const r = await sql`SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ${table} AND column_name = ${column}`.execute(db);
    return r.rows.length > 0;
  }
  const r = await sql<{ name: string }>`SELECT name FROM pragma_table_info(${table})`.execute(db);
  return r.rows.some((c) => c.name === column);
}

/**
 * CREATE INDEX IF NOT EXISTS with per-column direction (`created_at DESC`), written once for both
 * engines (Kysely's builder takes plain column names only).
 */
export async function createIndex(db: Kysely<any>, name: string, table: string, columns: string[]): Promise<void> {
  for (const c of [name, table, ...columns.map((x) => x.replace(/\s+(ASC|DESC)$/i, ''))]) {
    if (!/^[a-z_][a-z0-9_]*$/.test(c)) throw new Error(`not a plain identifier: ${c}`);
  }
  await sql.raw(`CREATE INDEX IF NOT EXISTS ${name} ON ${table} (${columns.join(', ')})`).execute(db);
}

export async function dropIndex(db: Kysely<any>, name: string): Promise<void> {
  await db.schema.dropIndex(name).ifExists().execute();
}
