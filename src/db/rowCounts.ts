import { PostgresAdapter, sql, type Kysely } from 'kysely';
import type { Db } from './index.js';
import { prepared } from './prepared.js';

/**
 * Exact row counts without a scan, for list totals (`totalSize`, `total_num`, `count`).
 *
 * A counted table gets database triggers that keep `row_counts(scope, k1, k2, n)` equal to
 * `SELECT k1, k2, count(*) … GROUP BY k1, k2` over that table, in the same transaction as the
 * insert, delete or key-changing update. Because the database does it, every path that changes the
 * rows — the API, jobs, retention, expiry, an admin's SQL, a state import, another process — keeps the
 * counts exact, and a list total is one primary-key lookup (or a short range of it, for `k1` alone).
 *
 * Keys are SQL expressions over the row (`NEW.` / `OLD.` are prefixed to the column names given),
 * e.g. a CSS log record counts under (cluster_id, status): ListLogsJob's total is the sum over k1,
 * its FAIL filter the (k1, 'FAIL') row.
 *
 * PostgreSQL: statement-level triggers with transition tables for INSERT and DELETE (a bulk insert
 * of a million rows adds one counter update per key, not a million), a row-level trigger for UPDATE
 * that fires only when the key changes. SQLite: row-level triggers (SQLite has no other kind).
 * Counter rows of a statement are updated in key order, so two transactions never wait on each
 * other's counters in opposite orders.
 */
export interface CountedTable {
  /** the counter scope, usually the table name */
  scope: string;
  table: string;
  /** column(s) whose value is k1 (several: joined with '/'; null: '') */
  k1: string | string[];
  /** column(s) whose value is k2; omitted: '' */
  k2?: string | string[];
}

declare module './types.js' {
  interface Database {
    row_counts: RowCountTable;
  }
}

export interface RowCountTable {
  scope: string;
  k1: string;
  k2: string;
  n: number;
}

const ident = (s: string) => {
  if (!/^[a-z_][a-z0-9_]*$/.test(s)) throw new Error(`not a plain identifier: ${s}`);
  return s;
};

function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** Create the counter table (idempotent). */
export async function createRowCountsTable(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('row_counts').ifNotExists()
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('k1', 'text', (c) => c.notNull())
    .addColumn('k2', 'text', (c) => c.notNull())
    .addColumn('n', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('row_counts_pk', ['scope', 'k1', 'k2'])
    .execute();
}

/**
 * Install the triggers of a counted table and count the rows it already holds. Run inside a
 * migration: on PostgreSQL the trigger takes its table lock first, so no row committed by another
 * process is missed or counted twice; on SQLite the migration holds the only write lock.
 */
export async function installRowCount(db: Kysely<any>, t: CountedTable): Promise<void> {
  const scope = ident(t.scope);
  const table = ident(t.table);
  const k1 = (row: string) => keyExpr(t.k1, row);
  const k2 = (row: string) => keyExpr(t.k2, row);
  const changed = columns(t).map((c) => `OLD.${c} IS DISTINCT FROM NEW.${c}`).join(' OR ');
  const name = `rc_${scope}`;
  const s = (text: string) => sql.raw(text).execute(db);
  if (isPostgres(db)) {
    const upsert = (from: string, sign: '+' | '-') =>
      `INSERT INTO row_counts (scope, k1, k2, n)
         SELECT '${scope}', k1, k2, ${sign}count(*) FROM (SELECT ${k1(from)} AS k1, ${k2(from)} AS k2 FROM ${from}) x GROUP BY k1, k2 ORDER BY k1, k2
       ON CONFLICT (scope, k1, k2) DO UPDATE SET n = row_counts.n + EXCLUDED.n;`;
    await s(`CREATE OR REPLACE FUNCTION ${name}_ins() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN ${upsert('new_rows', '+')} RETURN NULL; END $$`);
    await s(`CREATE OR REPLACE FUNCTION ${name}_del() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN ${upsert('old_rows', '-')} RETURN NULL; END $$`);
    await s(`CREATE OR REPLACE FUNCTION ${name}_upd() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE o text[] := ARRAY[${k1('OLD')}, ${k2('OLD')}]; nw text[] := ARRAY[${k1('NEW')}, ${k2('NEW')}];
      BEGIN
        IF o < nw THEN
          UPDATE row_counts SET n = n - 1 WHERE scope = '${scope}' AND k1 = o[1] AND k2 = o[2];
          INSERT INTO row_counts (scope, k1, k2, n) VALUES ('${scope}', nw[1], nw[2], 1) ON CONFLICT (scope, k1, k2) DO UPDATE SET n = row_counts.n + 1;
        ELSE
          INSERT INTO row_counts (scope, k1, k2, n) VALUES ('${scope}', nw[1], nw[2], 1) ON CONFLICT (scope, k1, k2) DO UPDATE SET n = row_counts.n + 1;
          UPDATE row_counts SET n = n - 1 WHERE scope = '${scope}' AND k1 = o[1] AND k2 = o[2];
        END IF;
        RETURN NULL;
      END $$`);
    // the triggers first: their table lock makes the count below exact
    await s(`DROP TRIGGER IF EXISTS ${name}_ins ON ${table}`);
    await s(`CREATE TRIGGER ${name}_ins AFTER INSERT ON ${table} REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${name}_ins()`);
    await s(`DROP TRIGGER IF EXISTS ${name}_del ON ${table}`);
    await s(`CREATE TRIGGER ${name}_del AFTER DELETE ON ${table} REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ${name}_del()`);
    // TRUNCATE fires no row or DELETE trigger: it empties the scope's counters instead
    await s(`CREATE OR REPLACE FUNCTION ${name}_trunc() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN DELETE FROM row_counts WHERE scope = '${scope}'; RETURN NULL; END $$`);
    await s(`DROP TRIGGER IF EXISTS ${name}_trunc ON ${table}`);
    await s(`CREATE TRIGGER ${name}_trunc AFTER TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION ${name}_trunc()`);
    await s(`DROP TRIGGER IF EXISTS ${name}_upd ON ${table}`);
    await s(`CREATE TRIGGER ${name}_upd AFTER UPDATE ON ${table} FOR EACH ROW WHEN (${changed}) EXECUTE FUNCTION ${name}_upd()`);
  } else {
    const inc = (row: string) => `INSERT INTO row_counts (scope, k1, k2, n) VALUES ('${scope}', ${k1(row)}, ${k2(row)}, 1) ON CONFLICT (scope, k1, k2) DO UPDATE SET n = n + 1;`;
    const dec = (row: string) => `UPDATE row_counts SET n = n - 1 WHERE scope = '${scope}' AND k1 = ${k1(row)} AND k2 = ${k2(row)};`;
    await s(`CREATE TRIGGER IF NOT EXISTS ${name}_ins AFTER INSERT ON ${table} BEGIN ${inc('NEW')} END`);
    await s(`CREATE TRIGGER IF NOT EXISTS ${name}_del AFTER DELETE ON ${table} BEGIN ${dec('OLD')} END`);
    await s(`CREATE TRIGGER IF NOT EXISTS ${name}_upd AFTER UPDATE OF ${columns(t).join(', ')} ON ${table}
      WHEN ${columns(t).map((c) => `OLD.${c} IS NOT NEW.${c}`).join(' OR ')} BEGIN ${dec('OLD')} ${inc('NEW')} END`);
  }
  await recount(db, t);
}

/** The key expression over a row (`NEW`, `OLD`, a transition table, or '' for the table itself). */
function keyExpr(cols: string | string[] | undefined, row: string): string {
  if (cols === undefined) return `''`;
  const list = (Array.isArray(cols) ? cols : [cols]).map((c) => `coalesce(CAST(${row ? `${row}.` : ''}${ident(c)} AS text), '')`);
  return list.join(` || '/' || `);
}

function columns(t: CountedTable): string[] {
  return [t.k1, t.k2 ?? []].flat().map(ident);
}

/** Recompute a counted table's counters from its rows (exact; inside the caller's transaction). */
export async function recount(db: Kysely<any>, t: CountedTable): Promise<void> {
  const scope = ident(t.scope);
  await sql`DELETE FROM row_counts WHERE scope = ${scope}`.execute(db);
  await sql.raw(`INSERT INTO row_counts (scope, k1, k2, n)
    SELECT '${scope}', k1, k2, count(*) FROM (SELECT ${keyExpr(t.k1, '')} AS k1, ${keyExpr(t.k2, '')} AS k2 FROM ${ident(t.table)}) x GROUP BY k1, k2`).execute(db);
}

/** Remove a counted table's triggers and counters (a migration's down). */
export async function dropRowCount(db: Kysely<any>, t: CountedTable): Promise<void> {
  const name = `rc_${ident(t.scope)}`;
  for (const op of ['ins', 'del', 'upd', 'trunc']) {
    if (isPostgres(db)) {
      await sql.raw(`DROP TRIGGER IF EXISTS ${name}_${op} ON ${ident(t.table)}`).execute(db);
      await sql.raw(`DROP FUNCTION IF EXISTS ${name}_${op}()`).execute(db);
    } else if (op !== 'trunc') await sql.raw(`DROP TRIGGER IF EXISTS ${name}_${op}`).execute(db);
  }
  await sql`DELETE FROM row_counts WHERE scope = ${t.scope}`.execute(db);
}

/**
 * The number of rows counted under (k1) or (k1, k2). Exact as of the statement (the counters are
 * written in the same transactions as the rows). Pass a transaction to read inside it.
 */
export async function countRows(db: Db, scope: string, k1: string, k2?: string): Promise<number> {
  const rows = k2 === undefined ? await countK1(db, { scope, k1 }) : await countK2(db, { scope, k1, k2 });
  return Number(rows[0]?.n ?? 0);
}

const countK1 = prepared((k, p: { scope: string; k1: string }) =>
  k.selectFrom('row_counts').select((eb) => eb.fn.coalesce(eb.fn.sum<number | string>('n'), eb.lit(0)).as('n')).where('scope', '=', p.scope).where('k1', '=', p.k1));
const countK2 = prepared((k, p: { scope: string; k1: string; k2: string }) =>
  k.selectFrom('row_counts').select('n').where('scope', '=', p.scope).where('k1', '=', p.k1).where('k2', '=', p.k2));

/** Counters that differ from a fresh count of their table (empty when exact); for tests and checks. */
export async function rowCountDrift(db: Db | Kysely<any>, t: CountedTable): Promise<{ k1: string; k2: string; counted: number; actual: number }[]> {
  const k = ('kysely' in db ? db.kysely : db) as Kysely<any>;
  const actual = await sql<{ k1: string; k2: string; n: number | string }>`SELECT k1, k2, count(*) AS n FROM (SELECT ${sql.raw(keyExpr(t.k1, ''))} AS k1,
    ${sql.raw(keyExpr(t.k2, ''))} AS k2 FROM ${sql.table(ident(t.table))}) x GROUP BY k1, k2`.execute(k);
  const counted = await k.selectFrom('row_counts').select(['k1', 'k2', 'n']).where('scope', '=', t.scope).execute();
  const map = new Map<string, { k1: string; k2: string; counted: number; actual: number }>();
  for (const r of counted) map.set(`${r.k1}\u0000${r.k2}`, { k1: r.k1, k2: r.k2, counted: Number(r.n), actual: 0 });
  for (const r of actual.rows) {
    const id = `${r.k1}\u0000${r.k2}`;
    const e = map.get(id) ?? { k1: r.k1, k2: r.k2, counted: 0, actual: 0 };
    e.actual = Number(r.n);
    map.set(id, e);
  }
  return [...map.values()].filter((e) => e.counted !== e.actual);
}
