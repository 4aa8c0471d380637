import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { engines, eventually, startServer, FakeClock } from '../helpers/server.js';
import { outboxTestState, testService, type TestServiceState } from '../helpers/testService.js';
import { Outbox, backoffMs, DEFAULT_RETRY } from '../../src/jobs/outbox.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

test('back-off: doubles per attempt up to the ceiling, jitter between half and all of it', () => {
  const r = { ...DEFAULT_RETRY, baseMs: 1000, maxMs: 10_000 };
  assert.deepEqual([1, 2, 3, 4, 5, 9].map((a) => backoffMs(r, a, 0.999999)), [1000, 2000, 4000, 8000, 10_000, 10_000]);
  assert.deepEqual([1, 2, 3, 4, 5, 9].map((a) => backoffMs(r, a, 0)), [500, 1000, 2000, 4000, 5000, 5000]);
});

for (const { engine, skip } of await engines()) {
  describe(`outbox on ${engine}`, { skip }, () => {
    test('a failing item is retried with back-off (on the injected clock) until it succeeds', async () => {
      const clock = new FakeClock(T0);
      const state: TestServiceState = { failed: [], runs: [], outbox: outboxTestState(2) };
      const s = await startServer({ engine, clock, services: [testService(state)] });
      try {
        const id = await s.rt.outbox.add(s.rt.db.kysely, 'test.flaky', {});
        const failedAttempt = (n: number) =>
          eventually(async () => {
            const r = await s.rt.outbox.get(id);
            return r?.attempts === n && r.lease_owner === null && r.last_error === `flaky failure ${n}` ? r : undefined;
          }, 10_000, `attempt ${n} to fail`);
        // attempt 1 fails: the next is due 50–100 ms later (baseMs 100, jitter), not before
        const r1 = await failedAttempt(1);
        assert.equal(r1.state, 'PENDING');
        assert.ok(r1.run_at - T0 >= 50 && r1.run_at - T0 <= 100, `back-off ${r1.run_at - T0}`);
        assert.equal(await s.rt.outbox.claim(), undefined, 'not due before its back-off');
        clock.advance(100);
        // attempt 2 fails: 100–200 ms
        const r2 = await failedAttempt(2);
        assert.ok(r2.run_at - clock.now() >= 100 && r2.run_at - clock.now() <= 200, `back-off ${r2.run_at - clock.now()}`);
        clock.advance(200);
        const done = await eventually(async () => {
          const r = await s.rt.outbox.get(id);
          return r?.state === 'DONE' ? r : undefined;
        }, 10_000, 'the item to be done');
        assert.equal(done.attempts, 3);
        assert.equal(done.lease_owner, null);
        assert.deepEqual(state.outbox!.attempts.get(id), [1, 2, 3]);
        // adding the same id again keeps the first item
        assert.equal(await s.rt.outbox.add(s.rt.db.kysely, 'test.flaky', {}, { id }), id);
        assert.equal((await s.rt.outbox.get(id))?.state, 'DONE');
        // DONE items are pruned after a day
        assert.equal(await s.rt.outbox.prune(clock.now() + 23 * 3600_000), 0);
        assert.equal(await s.rt.outbox.prune(clock.now() + 25 * 3600_000), 1);
        assert.equal(await s.rt.outbox.get(id), undefined);
      } finally {
        await s.close();
      }
    });

    test('an item that keeps failing is given up after giveUpAfterMs: DEAD, logged, counted in /metrics', async () => {
      const clock = new FakeClock(T0);
      const state: TestServiceState = { failed: [], runs: [], outbox: outboxTestState(0) };
      const logLines: string[] = [];
      const s = await startServer({ engine, clock, services: [testService(state)], logLines });
      try {
        // an item nobody handles stays PENDING: the oldest-pending gauge shows its age
        await s.rt.outbox.add(s.rt.db.kysely, 'nobody.handles', { x: 1 });
        const id = await s.rt.outbox.add(s.rt.db.kysely, 'test.doomed', { always: true });
        await eventually(async () => (await s.rt.outbox.get(id))?.last_error === 'flaky failure 1', 10_000, 'attempt 1');
        assert.equal((await s.rt.outbox.get(id))?.state, 'PENDING', '100 ms back-off ends within the 120 ms limit');
        clock.advance(100);
        const dead = await eventually(async () => {
          const r = await s.rt.outbox.get(id);
          return r?.state === 'DEAD' ? r : undefined;
        }, 10_000, 'the item to be given up');
        assert.equal(dead.attempts, 2, 'the third attempt would start after the limit');
        assert.equal(dead.last_error, 'flaky failure 2');
        const line = logLines.map((l) => JSON.parse(l)).find((l) => l.outbox_id === id && l.level === 50);
        assert.match(line?.msg ?? '', /outbox item gave up after 2 attempts: flaky failure 2/);
        assert.equal(line.topic, 'test.doomed');
        clock.advance(5000);
        const metrics = await (await fetch(`${s.url}/metrics`)).text();
        assert.match(metrics, /logsnap_outbox_items\{topic="test.doomed",state="DEAD"\} 1/);
        assert.match(metrics, /logsnap_outbox_items\{topic="nobody.handles",state="PENDING"\} 1/);
        assert.match(metrics, /logsnap_outbox_oldest_pending_seconds 5\.1\b/);
      } finally {
        await s.close();
      }
    });

    test('an attempt is aborted at its timeout and counts as failed', async () => {
      const s = await startServer({ engine, services: [testService()] });
      try {
        const id = await s.rt.outbox.add(s.rt.db.kysely, 'test.hang', {});
        const r = await eventually(async () => {
          const x = await s.rt.outbox.get(id);
          return x?.last_error ? x : undefined;
        }, 10_000, 'the attempt to time out');
        assert.equal(r.state, 'PENDING');
        assert.equal(r.attempts, 1);
        assert.equal(r.last_error, 'the attempt took longer than 200 ms');
        assert.ok(r.run_at - r.updated_at >= 30_000, 'retried after its back-off (60 s ± jitter)');
      } finally {
        await s.close();
      }
    });

    test('two runtimes on one database: every item is worked by one process at a time', async () => {
      const state: TestServiceState = { failed: [], runs: [], outbox: outboxTestState(1) };
      const config = { jobs: { outboxConcurrency: 2 } };
      const a = await startServer({ engine, services: [testService(state)], config });
      const b = await startServer({ engine, services: [testService(state)], config, dataDir: a.dataDir, databaseUrl: a.databaseUrl });
      try {
        const ids: string[] = [];
        for (let i = 0; i < 16; i++) {
          const rt = (i % 2 ? a : b).rt;
          ids.push(await rt.outbox.add(rt.db.kysely, 'test.flaky', { ms: 30 }));
        }
        await eventually(async () => {
          const n = await a.rt.db.kysely.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n')).where('state', '=', 'DONE').executeTakeFirst();
          return Number(n?.n) === ids.length;
        }, 30_000, 'every item done');
        const o = state.outbox!;
        assert.equal(o.overlaps, 0, 'no item was worked by two dispatchers at once');
        for (const id of ids) assert.deepEqual(o.attempts.get(id), [1, 2], `item ${id}: one failed attempt, one success`);
        const owners = new Set([...o.by.values()].flat());
        assert.deepEqual([...owners].sort(), [a.rt.outbox.owner, b.rt.outbox.owner].sort(), 'both processes dispatched');

        // leases: an item held by a live dispatcher is left alone; a dead one's expired claim is taken over
        const lone = new Outbox(a.rt.db, { now: () => Date.now() }, a.rt.app.log);
        lone.register({ topic: 'test.lease', run: async () => undefined });
        const held = await lone.add(a.rt.db.kysely, 'test.lease', {});
        const orphan = await lone.add(a.rt.db.kysely, 'test.lease', {});
        const now = Date.now();
        await a.rt.db.kysely.updateTable('outbox').set({ lease_owner: 'o-alive', lease_expires_at: now + 3_600_000, attempts: 1 }).where('id', '=', held).execute();
        await a.rt.db.kysely.updateTable('outbox').set({ lease_owner: 'o-dead', lease_expires_at: now - 1, attempts: 1 }).where('id', '=', orphan).execute();
        const claimed = await lone.claim();
        assert.equal(claimed?.id, orphan);
        assert.equal(claimed?.attempts, 2);
        assert.equal(claimed?.lease_owner, lone.owner);
        assert.equal(await lone.claim(), undefined, 'the live lease is respected');
      } finally {
        await b.close({ keep: true });
        await a.close();
      }
    });
  });
}
