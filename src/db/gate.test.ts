import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb, sql } from './index.js';

test('two Db of one SQLite file in one process: a statement waits for the other\'s open transaction instead of failing SQLITE_BUSY', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'logsnap-gate-'));
  const a = openDb(`sqlite:${join(dir, 'x.db')}`);
  const b = openDb(`sqlite:${join(dir, 'x.db')}`);
  try {
    await sql`create table t (n integer)`.execute(a.kysely);
    const order: string[] = [];
    let inTransaction!: () => void;
    const started = new Promise<void>((r) => (inTransaction = r));
    const tx = a.kysely.transaction().execute(async (trx) => {
      await sql`insert into t values (1)`.execute(trx);
      inTransaction();
      // a real wait (timers run) with the write lock held
      await new Promise((r) => setTimeout(r, 100));
      await sql`insert into t values (2)`.execute(trx);
      order.push('a committed');
    });
    await started;
    const other = sql`insert into t values (3)`.execute(b.kysely).then(() => order.push('b inserted'));
    await Promise.all([tx, other]);
    assert.deepEqual(order, ['a committed', 'b inserted']);
    const rows = await sql<{ n: number }>`select n from t order by rowid`.execute(b.kysely);
    assert.deepEqual(rows.rows.map((r) => r.n), [1, 2, 3]);
  } finally {
    await a.close();
    await b.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
