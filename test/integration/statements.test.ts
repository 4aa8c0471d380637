/**
 * Statement reuse below Kysely (src/db/statementCache.ts) and prepared queries (src/db/prepared.ts):
 * reused statements give the same answers as fresh ones, follow schema changes made by another
 * connection, never read another flow's open transaction, and stay bounded.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql, type Kysely } from 'kysely';
import { engines, scratchDatabase } from '../helpers/server.js';
import { openDb, type Db } from '../../src/db/index.js';
import { prepared } from '../../src/db/prepared.js';

/** A fresh database with a table t(id, g, v) outside the app's schema: these tests are about the query layer only. */
async function withTable(engine: 'sqlite' | 'postgres', fn: (db: Db, url: string) => Promise<void>): Promise<void> {
  const d = await scratchDatabase(engine, 'logsnap_stmt');
  const db = openDb(d.url);
  try {
    await sql`create table t (id integer primary key, g text not null, v text)`.execute(db.kysely);
    await fn(db, d.url);
  } finally {
    await db.close();
    await d.cleanup();
  }
}

const k = (db: Db) => db.kysely as unknown as Kysely<any>;
const byGroup = prepared((kk, p: { g: string; lim: number }) =>
  (kk as unknown as Kysely<any>).selectFrom('t').select(['id', 'g', 'v']).where('g', '=', p.g).orderBy('id').limit(p.lim));

for (const { engine, skip } of await engines()) {
  describe(`statement reuse on ${engine}`, { skip }, () => {
    test('the same statement with changing values answers like a fresh one, and is reused', async () => {
      await withTable(engine, async (db) => {
        for (let i = 1; i <= 60; i++) await k(db).insertInto('t').values({ id: i, g: `g${i % 3}`, v: `v${i}` }).execute();
        const before = { ...db.statements };
        for (let round = 0; round < 30; round++) {
          const g = `g${round % 3}`;
          const lim = 1 + (round % 7);
          const viaBuilder = await k(db).selectFrom('t').select(['id', 'g', 'v']).where('g', '=', g).orderBy('id').limit(lim).execute();
          const viaPrepared = await byGroup(db, { g, lim });
          const expected = Array.from({ length: 60 }, (_, i) => i + 1).filter((i) => i % 3 === round % 3).slice(0, lim);
          assert.deepEqual(viaBuilder.map((r) => r.id), expected);
          assert.deepEqual(viaPrepared, viaBuilder);
        }
        assert.ok(db.statements.hits - before.hits >= 50, `statements were reused (hits ${db.statements.hits - before.hits})`);
      });
    });

    test('a column added by another connection shows in a reused select *; inside a transaction the error surfaces and the next query works', async () => {
      await withTable(engine, async (a, url) => {
        const b = openDb(url);
        await k(a).insertInto('t').values({ id: 1, g: 'x', v: 'one' }).execute();
        const all = () => k(a).selectFrom('t').selectAll().where('id', '=', 1).execute();
        for (let i = 0; i < 3; i++) assert.deepEqual(Object.keys((await all())[0]).sort(), ['g', 'id', 'v']);
        await sql`alter table t add column w text default 'new'`.execute(b.kysely);
        const row = (await all())[0];
        assert.equal(row.w, 'new', 'the reused statement sees the new column');
        await sql`alter table t add column z integer default 7`.execute(b.kysely);
        if (engine === 'postgres') {
          // inside a transaction PostgreSQL fails the prepared statement whose result changed; the
          // transaction is lost (as with any serialisation error) and the connection is fine after
          await assert.rejects(a.kysely.transaction().execute(async (trx) => {
            await (trx as unknown as Kysely<any>).selectFrom('t').selectAll().where('id', '=', 1).execute();
          }), /cached plan must not change result type/);
        }
        for (let i = 0; i < 3; i++) assert.equal((await all())[0].z, 7);
        await b.close();
      });
    });

    test('a prepared read never sees another flow\'s open transaction (SQLite: one connection)', async () => {
      await withTable(engine, async (db) => {
        let release!: () => void;
        const gate = new Promise<void>((r) => (release = r));
        let inserted!: () => void;
        const didInsert = new Promise<void>((r) => (inserted = r));
        const trx = db.kysely.transaction().execute(async (t) => {
          await (t as unknown as Kysely<any>).insertInto('t').values({ id: 1, g: 'tx', v: 'uncommitted' }).execute();
          inserted();
          await gate;
          throw new Error('roll back');
        });
        await didInsert;
        const read = byGroup(db, { g: 'tx', lim: 10 });
        let early: unknown;
        void read.then((r) => (early = r));
        // a read run on the connection at once would have settled by the next turn of the event loop
        await new Promise((r) => setImmediate(r));
        if (engine === 'sqlite') assert.equal(early, undefined, 'the read waits for the connection instead of reading inside the transaction');
        release();
        await assert.rejects(trx, /roll back/);
        assert.deepEqual(await read, [], 'the rolled-back row was never seen');
      });
    });

    test('bounded: many distinct statements keep the cache at its limit; values that do not become parameters are refused', async () => {
      await withTable(engine, async (db) => {
        for (let i = 0; i < 700; i++) {
          await k(db).selectFrom('t').select(sql.raw(`${i}`).as(`c${i}`)).where('id', '=', i).execute();
          await k(db).selectFrom('t').select(sql.raw(`${i}`).as(`c${i}`)).where('id', '=', i).execute();
        }
        assert.ok(db.statements.size <= (engine === 'sqlite' ? 512 : 256), `size ${db.statements.size}`);
        const bad = prepared((kk, p: { g: string }) => (kk as unknown as Kysely<any>).selectFrom('t').selectAll().where(sql.raw(`g = '${p.g}'`) as never));
        await assert.rejects(bad(db, { g: 'x' }), /did not become bound parameters/);
      });
    });
  });
}
