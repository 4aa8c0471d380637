import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SelectQueryNode, SqliteDialect, sql, type CompiledQuery } from 'kysely';
import type { Database } from './types.js';
import { namedStatementPool, SqliteStatementCache, type StatementStats } from './statementCache.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Db {
  kysely: Kysely<Database>;
  dialect: Dialect;
  /** statement reuse (see statementCache.ts): hits, misses, statements held */
  statements: StatementStats;
  /**
   * Run a compiled query (see prepared.ts). On SQLite a SELECT outside any transaction runs at once
   * on the cached statement (better-sqlite3 is synchronous: nothing can interleave with it, and with
   * no transaction open on the connection it reads committed data, exactly as through Kysely);
   * everything else goes through Kysely's connection handling.
   */
  run<R>(query: CompiledQuery<R>): Promise<R[]>;
  close(): Promise<void>;
}

/** Open the database named by a `sqlite:/path` or `postgres://…` URL. */
export function openDb(url: string, opts: { poolSize?: number } = {}): Db {
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    const database = new SQLite(file);
    database.pragma('journal_mode = WAL');
    database.pragma('busy_timeout = 10000');
    database.pragma('synchronous = NORMAL');
    database.pragma('foreign_keys = ON');
    const cache = new SqliteStatementCache(database);
    const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: cache }) });
    const run = <R>(q: CompiledQuery<R>): Promise<R[]> => {
      if (!database.inTransaction && database.open && SelectQueryNode.is(q.query)) {
        try {
          return Promise.resolve(cache.prepare(q.sql).all(q.parameters as unknown[]) as R[]);
        } catch (e) {
          return Promise.reject(e);
        }
      }
      return kysely.executeQuery(q).then((r) => r.rows);
    };
    return { kysely, dialect: 'sqlite', statements: cache.stats, run, close: () => kysely.destroy() };
  }
  // bigint (int8) and numeric come back as strings by default; our bigints are epoch ms and sizes.
  const types = {
    getTypeParser: (oid: number, format?: 'text' | 'binary') =>
      oid === 20 ? (v: string) => Number(v) : (pg.types.getTypeParser as (o: number, f?: string) => unknown)(oid, format),
  };
  const pool = new pg.Pool({ connectionString: url, max: opts.poolSize ?? 10, types: types as pg.CustomTypesConfig });
  pool.on('error', () => {
    /* idle client errors (server restart) surface on the next query */
  });
  const named = namedStatementPool(pool);
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool: named.pool as unknown as pg.Pool }) });
  const run = <R>(q: CompiledQuery<R>): Promise<R[]> => kysely.executeQuery(q).then((r) => r.rows);
  return { kysely, dialect: 'postgres', statements: named.stats, run, close: () => kysely.destroy() };
}

/** True when the error is a unique-constraint violation on either engine. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string } | undefined;
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

export async function ping(db: Db): Promise<void> {
  await sql`select 1`.execute(db.kysely);
}

export { sql };
