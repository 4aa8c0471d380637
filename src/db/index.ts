import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SelectQueryNode, SqliteDialect, sql, type CompiledQuery, type DatabaseConnection, type Driver, type TransactionSettings } from 'kysely';
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
    const dialect = new SqliteDialect({ database: cache });
    if (file !== ':memory:') {
      const gate = fileGate(resolve(file));
      const createDriver = dialect.createDriver.bind(dialect);
      dialect.createDriver = () => new GatedDriver(createDriver(), gate);
    }
    const kysely = new Kysely<Database>({ dialect });
    // a read outside any transaction runs at once on the cached statement (WAL readers never wait
    // for a writer, so it needs neither Kysely's connection turn nor the gate below)
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

/**
 * better-sqlite3 is synchronous: when two Db instances of one process open the same SQLite file
 * (tests start several runtimes in one process) and one has a transaction open across an await,
 * a statement of the other blocks the whole thread in SQLite's busy handler — the transaction
 * can never finish, and the statement fails after busy_timeout with SQLITE_BUSY. So every Db of
 * a file in this process takes one shared, asynchronous gate for each connection use (a
 * statement, or a whole transaction): they wait their turn instead of blocking the thread.
 * One Db per file (a server) is unchanged: Kysely serialises its single connection the same way.
 * Other processes are unaffected (their waits block only themselves, as SQLite intends).
 */
class Gate {
  #held = false;
  #waiters: (() => void)[] = [];
  /** Take the gate: at once when free (no extra await on the common path), else in turn. */
  lock(): Promise<void> | undefined {
    if (!this.#held) {
      this.#held = true;
      return undefined;
    }
    return new Promise<void>((r) => this.#waiters.push(r));
  }
  /** Hand the gate to the next waiter, or free it. */
  unlock(): void {
    const next = this.#waiters.shift();
    if (next) next();
    else this.#held = false;
  }
}
const gates = new Map<string, Gate>();
function fileGate(path: string): Gate {
  let g = gates.get(path);
  if (!g) gates.set(path, (g = new Gate()));
  return g;
}

class GatedDriver implements Driver {
  readonly savepoint: Driver['savepoint'];
  readonly rollbackToSavepoint: Driver['rollbackToSavepoint'];
  readonly releaseSavepoint: Driver['releaseSavepoint'];
  constructor(private readonly inner: Driver, private readonly gate: Gate) {
    this.savepoint = inner.savepoint?.bind(inner);
    this.rollbackToSavepoint = inner.rollbackToSavepoint?.bind(inner);
    this.releaseSavepoint = inner.releaseSavepoint?.bind(inner);
  }
  init(): Promise<void> {
    return this.inner.init();
  }
  async acquireConnection(): Promise<DatabaseConnection> {
    const wait = this.gate.lock();
    if (wait) await wait;
    try {
      return await this.inner.acquireConnection();
    } catch (e) {
      this.gate.unlock();
      throw e;
    }
  }
  async releaseConnection(c: DatabaseConnection): Promise<void> {
    try {
      await this.inner.releaseConnection(c);
    } finally {
      this.gate.unlock();
    }
  }
  beginTransaction(c: DatabaseConnection, s: TransactionSettings): Promise<void> {
    return this.inner.beginTransaction(c, s);
  }
  commitTransaction(c: DatabaseConnection): Promise<void> {
    return this.inner.commitTransaction(c);
  }
  rollbackTransaction(c: DatabaseConnection): Promise<void> {
    return this.inner.rollbackTransaction(c);
  }
  destroy(): Promise<void> {
    return this.inner.destroy();
  }
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
