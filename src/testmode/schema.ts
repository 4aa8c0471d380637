import type { Kysely } from 'kysely';
import { sql, type Db } from '../db/index.js';

/**
 * The tables present in the database, read from the engine's catalogue (not from a list kept in
 * code), so reset and state export/import also cover tables that other modules add later.
 */
export interface TableInfo {
  name: string;
  columns: ColumnInfo[];
  /** primary-key columns in key order (empty when the table has none) */
  primaryKey: string[];
  /** tables this one references with foreign keys */
  references: string[];
}

export interface ColumnInfo {
  name: string;
  /** NOT NULL without a default: a row must carry it */
  required: boolean;
  /** PostgreSQL: the sequence behind a serial/identity column */
  sequence?: string;
}

/** Kysely's own bookkeeping: never reset, exported or imported as rows. */
export const MIGRATION_TABLES = new Set(['logsnap_migrations', 'logsnap_migrations_lock']);

/**
 * Kept by database triggers from other tables' rows (db/rowCounts.ts: list totals;
 * db/cacheVersions.ts: the auth cache's version counter): never reset, exported or imported as
 * rows — the triggers bring them in line as a reset deletes and an import writes rows, and a
 * version counter carried back from an archive could go backwards and hide a change from caches.
 */
export const DERIVED_TABLES = new Set(['row_counts', 'cache_versions']);

export function anyKysely(k: Db['kysely']): Kysely<any> {
  return k as unknown as Kysely<any>;
}

/** Every user table, parents before children (foreign keys), ties in name order. */
export async function describeSchema(db: Db, k: Db['kysely'] = db.kysely): Promise<TableInfo[]> {
  const tables = db.dialect === 'sqlite' ? await sqliteTables(k) : await postgresTables(k);
  return topological(tables);
}

async function sqliteTables(k: Db['kysely']): Promise<TableInfo[]> {
  const names = (await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name`.execute(k)).rows;
  const out: TableInfo[] = [];
  for (const { name } of names) {
    const cols = (await sql<{ name: string; notnull: number; dflt_value: unknown; pk: number }>`select * from pragma_table_info(${name})`.execute(k)).rows;
    const fks = (await sql<{ table: string }>`select * from pragma_foreign_key_list(${name})`.execute(k)).rows;
    out.push({
      name,
      columns: cols.map((c) => ({ name: c.name, required: c.notnull === 1 && c.dflt_value === null && c.pk === 0 })),
      primaryKey: cols.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name),
      references: [...new Set(fks.map((f) => f.table).filter((t) => t !== name))],
    });
  }
  return out;
}

async function postgresTables(k: Db['kysely']): Promise<TableInfo[]> {
  const names = (await sql<{ name: string }>`
    select table_name as name from information_schema.tables
    where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`.execute(k)).rows;
  const cols = (await sql<{ table_name: string; column_name: string; is_nullable: string; column_default: string | null; is_identity: string; seq: string | null }>`
    select table_name, column_name, is_nullable, column_default, is_identity,
           pg_get_serial_sequence(quote_ident(table_name), column_name) as seq
    from information_schema.columns where table_schema = current_schema()
    order by table_name, ordinal_position`.execute(k)).rows;
  const pks = (await sql<{ table_name: string; column_name: string }>`
    select tc.table_name, kcu.column_name from information_schema.table_constraints tc
    join information_schema.key_column_usage kcu
      on kcu.constraint_name = tc.constraint_name and kcu.constraint_schema = tc.constraint_schema and kcu.table_name = tc.table_name
    where tc.constraint_type = 'PRIMARY KEY' and tc.table_schema = current_schema()
    order by tc.table_name, kcu.ordinal_position`.execute(k)).rows;
  const fks = (await sql<{ table_name: string; ref: string }>`
    select distinct tc.table_name, ccu.table_name as ref from information_schema.table_constraints tc
    join information_schema.constraint_column_usage ccu
      on ccu.constraint_name = tc.constraint_name and ccu.constraint_schema = tc.constraint_schema
    where tc.constraint_type = 'FOREIGN KEY' and tc.table_schema = current_schema()`.execute(k)).rows;
  return names.map(({ name }) => ({
    name,
    columns: cols.filter((c) => c.table_name === name).map((c) => ({
      name: c.column_name,
      required: c.is_nullable === 'NO' && c.column_default === null && c.is_identity !== 'YES',
      ...(c.seq ? { sequence: c.seq } : {}),
    })),
    primaryKey: pks.filter((p) => p.table_name === name).map((p) => p.column_name),
    references: [...new Set(fks.filter((f) => f.table_name === name && f.ref !== name).map((f) => f.ref))],
  }));
}

/** Parents first; a cycle (not expected) keeps the remaining tables in name order. */
function topological(tables: TableInfo[]): TableInfo[] {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const done = new Set<string>();
  const out: TableInfo[] = [];
  const visit = (t: TableInfo, path: Set<string>) => {
    if (done.has(t.name) || path.has(t.name)) return;
    path.add(t.name);
    for (const r of t.references) {
      const parent = byName.get(r);
      if (parent) visit(parent, path);
    }
    path.delete(t.name);
    done.add(t.name);
    out.push(t);
  };
  for (const t of [...tables].sort((a, b) => a.name.localeCompare(b.name))) visit(t, new Set());
  return out;
}

/** After rows were inserted with explicit ids: move PostgreSQL sequences past them. */
export async function bumpSequences(db: Db, k: Db['kysely'], tables: TableInfo[]): Promise<void> {
  if (db.dialect !== 'postgres') return;
  for (const t of tables) {
    for (const c of t.columns) {
      if (!c.sequence) continue;
      await sql`select setval(${c.sequence}, greatest(coalesce((select max(${sql.ref(c.name)}) from ${sql.table(t.name)}), 0), 1), (select count(*) > 0 from ${sql.table(t.name)}))`.execute(k);
    }
  }
}
