import type { CompiledQuery, Compilable, Kysely } from 'kysely';
import type { Db } from './index.js';
import type { Database } from './types.js';

/**
 * A query built and compiled by Kysely once per database, then run with new values: the hot paths
 * (the cluster lookup every service route does, list totals, list pages) skip Kysely's builder and
 * compiler on every request. The SQL text stays the same, so the statement cache below reuses the
 * prepared statement too.
 *
 *   const byId = prepared((k, p: Params<{ id: string }>) => k.selectFrom('clusters').selectAll().where('id', '=', p.id));
 *   const rows = await byId(db, { id });
 *
 * `build` receives a placeholder for each named value; each must reach the compiled query as a
 * bound parameter (a value in `where`, `limit`, `offset` …), and the query's shape must not depend
 * on the values (no `$if` on them): both are checked when the query is first compiled.
 */
export type Params<P> = { readonly [K in keyof P]: P[K] };

const MARK = '\u0000logsnap-param:';

export function prepared<P extends Record<string, unknown>, R>(
  build: (k: Kysely<Database>, p: Params<P>) => Compilable<R>,
): (db: Db, values: P) => Promise<R[]> {
  const compiled = new WeakMap<Db, { query: CompiledQuery<R>; slots: (keyof P | undefined)[] }>();
  return (db, values) => {
    let c = compiled.get(db);
    if (!c) {
      const names = Object.keys(values) as (keyof P)[];
      const marks = Object.fromEntries(names.map((n) => [n, `${MARK}${String(n)}`])) as unknown as Params<P>;
      const query = build(db.kysely, marks).compile();
      const slots = query.parameters.map((v) => (typeof v === 'string' && v.startsWith(MARK) ? (v.slice(MARK.length) as keyof P) : undefined));
      const missing = names.filter((n) => !slots.includes(n));
      if (missing.length) return Promise.reject(new Error(`prepared query: ${missing.map(String).join(', ')} did not become bound parameters of ${query.sql}`));
      c = { query, slots };
      compiled.set(db, c);
    }
    const parameters = c.query.parameters.map((v, i) => (c!.slots[i] === undefined ? v : values[c!.slots[i]!]));
    return db.run({ ...c.query, parameters });
  };
}
