import { createHash } from 'node:crypto';
import type SQLite from 'better-sqlite3';
import type pg from 'pg';

/**
 * Statement reuse below Kysely, keyed by SQL text. Kysely compiles every query to the same text for
 * the same shape (values travel as parameters), so the text is a stable key.
 *
 * SQLite: better-sqlite3 prepares (parses and plans) on every `prepare()`; this keeps prepared
 * statements in an LRU map and hands the same one back. SQLite re-prepares a statement by itself
 * when the schema changes (sqlite3_prepare_v2), so a cached `select *` sees a new column. A statement
 * still iterating (a streamed query) is busy: a fresh one is prepared for that call.
 *
 * PostgreSQL: a statement text seen twice becomes a named prepared statement on each pooled
 * connection (Parse once per connection, then Bind/Execute only), for at most `maxNamed` distinct
 * texts per process. If another process changes a table under a prepared `select *`, PostgreSQL
 * answers "cached plan must not change result type" (0A000): the statement is prepared again
 * under a new name, and the query retried at once when it was not inside a transaction (inside one,
 * the transaction has failed already and the error goes to the caller, like any serialisation error).
 */
export interface StatementStats {
  hits: number;
  misses: number;
  /** statements held (SQLite) or texts named (PostgreSQL) */
  size: number;
}

export class SqliteStatementCache {
  readonly #db: SQLite.Database;
  readonly #max: number;
  readonly #cache = new Map<string, SQLite.Statement>();
  readonly stats: StatementStats = { hits: 0, misses: 0, size: 0 };

  constructor(db: SQLite.Database, max = 512) {
    this.#db = db;
    this.#max = max;
  }

  prepare(sql: string): SQLite.Statement {
    const hit = this.#cache.get(sql);
    if (hit && !hit.busy) {
      this.stats.hits++;
      // most recently used last
      this.#cache.delete(sql);
      this.#cache.set(sql, hit);
      return hit;
    }
    this.stats.misses++;
    const stmt = this.#db.prepare(sql);
    if (!hit) {
      this.#cache.set(sql, stmt);
      if (this.#cache.size > this.#max) this.#cache.delete(this.#cache.keys().next().value!);
      this.stats.size = this.#cache.size;
    }
    return stmt;
  }

  close(): void {
    this.#cache.clear();
    this.stats.size = 0;
    this.#db.close();
  }
}

const PLAN_CHANGED = '0A000';
const txStart = /^\s*(begin|start\s+transaction)\b/i;
const txEnd = /^\s*(commit|rollback|end|abort)\s*;?\s*$/i;

interface ClientState {
  inTransaction: boolean;
  generation: number;
}

/** A pg Pool as Kysely sees it, whose clients run hot statements as named prepared statements. */
export function namedStatementPool(pool: pg.Pool, opts: { maxNamed?: number; threshold?: number } = {}) {
  const maxNamed = opts.maxNamed ?? 256;
  const threshold = opts.threshold ?? 2;
  const seen = new Map<string, number>();
  const names = new Map<string, string>();
  const stats: StatementStats = { hits: 0, misses: 0, size: 0 };
  const states = new WeakMap<pg.PoolClient, ClientState>();

  const nameFor = (text: string): string | undefined => {
    const named = names.get(text);
    if (named) return named;
    if (names.size >= maxNamed) return undefined;
    const n = (seen.get(text) ?? 0) + 1;
    if (n < threshold) {
      if (seen.size > 10 * maxNamed) seen.clear();
      seen.set(text, n);
      return undefined;
    }
    seen.delete(text);
    const name = `ls_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    names.set(text, name);
    stats.size = names.size;
    return name;
  };

  const wrap = (client: pg.PoolClient): pg.PoolClient => {
    if (states.has(client)) return client;
    const state: ClientState = { inTransaction: false, generation: 0 };
    states.set(client, state);
    const original = client.query.bind(client) as (...a: unknown[]) => Promise<pg.QueryResult>;
    (client as { query: unknown }).query = (text: unknown, values?: unknown, cb?: unknown) => {
      if (typeof text !== 'string' || !Array.isArray(values) || cb !== undefined) return original(text, values, cb);
      if (txStart.test(text)) state.inTransaction = true;
      else if (txEnd.test(text)) state.inTransaction = false;
      const base = values.length > 0 ? nameFor(text) : undefined;
      if (!base) {
        stats.misses++;
        return original(text, values);
      }
      stats.hits++;
      const run = () => original({ name: `${base}_${state.generation}`, text, values });
      return run().catch((err: { code?: string }) => {
        if (err?.code !== PLAN_CHANGED) throw err;
        state.generation++;
        if (state.inTransaction) throw err;
        return run();
      });
    };
    return client;
  };

  return {
    stats,
    pool: {
      connect: async () => wrap(await pool.connect()),
      end: () => pool.end(),
    },
  };
}
