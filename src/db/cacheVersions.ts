import { sql, type Kysely } from 'kysely';
import type { Db } from './index.js';
import { onPostgres } from './migrationTools.js';

/**
 * Version counters for caches held in process memory. A counter is bumped by database triggers in
 * the same transaction as any change to the tables it covers, whoever makes the change (this
 * process, another process, an operator's SQL). A process compares the counter with the value its
 * cache was filled under and drops the cache when it moved (see VersionedCache).
 */
declare module './types.js' {
  interface Database {
    cache_versions: CacheVersionTable;
  }
}

export interface CacheVersionTable {
  name: string;
  version: number;
}

const ident = (s: string) => {
  if (!/^[a-z_][a-z0-9_]*$/.test(s)) throw new Error(`not a plain identifier: ${s}`);
  return s;
};

/** In a migration: the table of counters (idempotent). */
export async function createCacheVersionsTable(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('cache_versions').ifNotExists()
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('version', 'bigint', (c) => c.notNull())
    .execute();
}

/** In a migration: counter `name` moves on every INSERT, UPDATE, DELETE (and TRUNCATE) of `tables`. */
export async function installVersionBump(db: Kysely<any>, name: string, tables: string[]): Promise<void> {
  const n = ident(name);
  await sql`INSERT INTO cache_versions (name, version) VALUES (${n}, 1) ON CONFLICT (name) DO NOTHING`.execute(db);
  const s = (text: string) => sql.raw(text).execute(db);
  if (onPostgres(db)) {
    await s(`CREATE OR REPLACE FUNCTION cv_${n}_bump() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN UPDATE cache_versions SET version = version + 1 WHERE name = '${n}'; RETURN NULL; END $$`);
    for (const t of tables.map(ident)) {
      await s(`DROP TRIGGER IF EXISTS cv_${n}_${t} ON ${t}`);
      await s(`CREATE TRIGGER cv_${n}_${t} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${t} FOR EACH STATEMENT EXECUTE FUNCTION cv_${n}_bump()`);
    }
  } else {
    for (const t of tables.map(ident)) {
      for (const op of ['INSERT', 'UPDATE', 'DELETE']) {
        await s(`CREATE TRIGGER IF NOT EXISTS cv_${n}_${t}_${op.toLowerCase()} AFTER ${op} ON ${t}
          BEGIN UPDATE cache_versions SET version = version + 1 WHERE name = '${n}'; END`);
      }
    }
  }
}

export async function dropVersionBump(db: Kysely<any>, name: string, tables: string[]): Promise<void> {
  const n = ident(name);
  for (const t of tables.map(ident)) {
    if (onPostgres(db)) await sql.raw(`DROP TRIGGER IF EXISTS cv_${n}_${t} ON ${t}`).execute(db);
    else for (const op of ['insert', 'update', 'delete']) await sql.raw(`DROP TRIGGER IF EXISTS cv_${n}_${t}_${op}`).execute(db);
  }
  if (onPostgres(db)) await sql.raw(`DROP FUNCTION IF EXISTS cv_${n}_bump()`).execute(db);
  await sql`DELETE FROM cache_versions WHERE name = ${n}`.execute(db);
}

export async function readVersion(db: Db, name: string): Promise<number> {
  const row = await db.kysely.selectFrom('cache_versions').select('version').where('name', '=', name).executeTakeFirst();
  return Number(row?.version ?? 0);
}

/**
 * A map that is valid while the database counter `name` stays where it was when the map was
 * filled. The counter is read again once `checkMs` have passed since the last read (lazily, by the
 * first lookup after that; concurrent lookups share the read), so a change committed by another
 * process is seen within `checkMs` plus one database round trip. Time is the monotonic clock, or
 * the injected `clock` when that moved further (a test clock can force the check). `invalidate()`
 * drops the map at once (changes made through this process). Bounded: the oldest entries go past
 * `maxEntries`.
 */
export class VersionedCache<V> {
  #map = new Map<string, V>();
  #version = -1;
  #checked = { mono: -Infinity, clock: -Infinity };
  #checking?: Promise<void>;

  constructor(
    private readonly db: Db,
    private readonly name: string,
    private readonly opts: { checkMs: number; maxEntries?: number; clock?: { now(): number } },
  ) {}

  async #fresh(): Promise<void> {
    const mono = performance.now();
    const clock = this.opts.clock?.now() ?? mono;
    if (mono - this.#checked.mono < this.opts.checkMs && clock - this.#checked.clock < this.opts.checkMs) return;
    this.#checking ??= (async () => {
      try {
        const v = await readVersion(this.db, this.name);
        if (v !== this.#version) {
          this.#map.clear();
          this.#version = v;
        }
        this.#checked = { mono, clock };
      } finally {
        this.#checking = undefined;
      }
    })();
    await this.#checking;
  }

  /** The cached value, or load it (a load that races a change is kept only if no change was seen). */
  async get(key: string, load: () => Promise<V>): Promise<V> {
    if (this.opts.checkMs <= 0) return load();
    await this.#fresh();
    if (this.#map.has(key)) return this.#map.get(key)!;
    const version = this.#version;
    const value = await load();
    if (version === this.#version) {
      this.#map.set(key, value);
      if (this.#map.size > (this.opts.maxEntries ?? 10_000)) this.#map.delete(this.#map.keys().next().value!);
    }
    return value;
  }

  invalidate(): void {
    this.#map.clear();
    this.#checked = { mono: -Infinity, clock: -Infinity };
  }
}
