import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { engines, eventually, startServer, FakeClock, type TestServer } from '../helpers/server.js';
import { testService, type TestServiceState } from '../helpers/testService.js';
import { JobConflictError } from '../../src/jobs/queue.js';
import { Scheduler } from '../../src/jobs/scheduler.js';

const here = dirname(fileURLToPath(import.meta.url));

for (const { engine, skip } of await engines()) {
  describe(`job runner on ${engine}`, { skip }, () => {
    let s: TestServer;
    const state: TestServiceState = { failed: [], runs: [] };
    before(async () => {
      s = await startServer({ engine, services: [testService(state)] });
    });
    after(async () => s?.close());

    const waitDone = (id: string) =>
      eventually(async () => {
        const j = await s.rt.queue.get(id);
        return j && (j.state === 'SUCCEEDED' || j.state === 'FAILED') ? j : undefined;
      }, 20_000, `job ${id} to end`);

    test('a queued job runs once and ends SUCCEEDED with its result', async () => {
      const job = (await s.rt.queue.enqueue({ kind: 'test.echo', payload: { hello: 'world' } }))!;
      const done = await waitDone(job.id);
      assert.equal(done.state, 'SUCCEEDED');
      assert.equal(done.progress, 100);
      assert.deepEqual(JSON.parse(done.result!), { echo: { hello: 'world' } });
      assert.equal(done.attempts, 1);
      assert.equal(done.active_key, null);
      assert.equal(state.runs.filter((r) => r === job.id).length, 1);
    });

    test('a JobFailure ends FAILED with its message; onFail runs once, its writes commit with FAILED', async () => {
      const job = (await s.rt.queue.enqueue({ kind: 'test.fail', payload: { message: 'node es-2: /var/log/x.log: permission denied' } }))!;
      const done = await waitDone(job.id);
      assert.equal(done.state, 'FAILED');
      assert.equal(done.error, 'node es-2: /var/log/x.log: permission denied');
      assert.deepEqual(state.failed.filter((f) => f.id === job.id).map((f) => f.message), ['node es-2: /var/log/x.log: permission denied']);
      const row = await s.rt.db.kysely.selectFrom('meta').select('value').where('key', '=', `failed:${job.id}`).executeTakeFirst();
      assert.equal(row?.value, 'node es-2: /var/log/x.log: permission denied');
    });

    test('a failure step that throws rolls the FAILED write back; the sweep fails the job again with its message', async () => {
      const job = (await s.rt.queue.enqueue({ kind: 'test.fail-step', runAt: Date.now() + 3_600_000, payload: { message: 'dump failed: disk full' } }))!;
      state.failStepThrows = new Map([[job.id, 2]]);
      await s.rt.db.kysely.updateTable('jobs').set({ run_at: Date.now() }).where('id', '=', job.id).execute();
      const done = await waitDone(job.id);
      assert.equal(done.state, 'FAILED');
      assert.equal(done.error, 'dump failed: disk full', 'the message of the first failure, not a lease message');
      assert.equal(done.attempts, 1, 'a failed handler is not re-queued, even for a retryable kind');
      assert.equal(done.active_key, null);
      // three runs of the step; the first two rolled back (a second insert of the key would have thrown)
      assert.equal(state.failed.filter((f) => f.id === job.id).length, 3);
      const row = await s.rt.db.kysely.selectFrom('meta').select('value').where('key', '=', `failed:${job.id}`).executeTakeFirst();
      assert.equal(row?.value, 'dump failed: disk full');
    });

    test('an unexpected exception ends FAILED as an internal error', async () => {
      const job = (await s.rt.queue.enqueue({ kind: 'test.crash' }))!;
      const done = await waitDone(job.id);
      assert.equal(done.state, 'FAILED');
      assert.match(done.error!, /^internal error: cannot read properties/);
    });

    test('onCommit: the step and SUCCEEDED commit together; a failing step rolls back and fails the job', async () => {
      const meta = (key: string) => s.rt.db.kysely.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst();
      const ok = (await s.rt.queue.enqueue({ kind: 'test.commit', activeKey: `c-${engine}`, payload: { key: `commit-ok-${engine}` } }))!;
      const okDone = await waitDone(ok.id);
      assert.equal(okDone.state, 'SUCCEEDED');
      assert.equal((await meta(`commit-ok-${engine}`))?.value, ok.id);
      assert.equal(okDone.active_key, null);
      const bad = (await s.rt.queue.enqueue({ kind: 'test.commit', activeKey: `c-${engine}`, payload: { key: `commit-bad-${engine}`, fail: true } }))!;
      const badDone = await waitDone(bad.id);
      assert.equal(badDone.state, 'FAILED');
      assert.equal(badDone.error, 'the record could not be finished');
      assert.equal(await meta(`commit-bad-${engine}`), undefined, 'the step was rolled back with the job update');
      assert.equal(badDone.active_key, null);
    });

    test('activeKey: a second active job for the same key is refused, and allowed again once the first ends', async () => {
      const first = (await s.rt.queue.enqueue({ kind: 'test.wait-abort', activeKey: `k-${engine}` }))!;
      await assert.rejects(s.rt.queue.enqueue({ kind: 'test.echo', activeKey: `k-${engine}` }), JobConflictError);
      // end the first one the way a dead worker's job ends
      await eventually(async () => (await s.rt.queue.get(first.id))?.state === 'RUNNING', 10_000, 'first job running');
      await s.rt.db.kysely.updateTable('jobs').set({ state: 'FAILED', active_key: null }).where('id', '=', first.id).execute();
      const again = await s.rt.queue.enqueue({ kind: 'test.echo', activeKey: `k-${engine}` });
      assert.ok(again);
      await waitDone(again!.id);
    });

    test('activeKey is enforced by the database under concurrent enqueues', async () => {
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, () => s.rt.queue.enqueue({ kind: 'test.wait-abort', activeKey: `race-${engine}` })),
      );
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      assert.ok(results.filter((r) => r.status === 'rejected').every((r) => (r as PromiseRejectedResult).reason instanceof JobConflictError));
    });

    test('uniqueKey: a slot is enqueued once', async () => {
      const a = await s.rt.queue.enqueue({ kind: 'test.echo', uniqueKey: `slot-${engine}` });
      const b = await s.rt.queue.enqueue({ kind: 'test.echo', uniqueKey: `slot-${engine}` });
      assert.ok(a);
      assert.equal(b, null);
    });

    test('a job whose worker died (expired lease) is failed with a clear message by the sweep', async () => {
      const now = Date.now();
      const job = (await s.rt.queue.enqueue({ kind: 'test.fail', runAt: now + 3_600_000, payload: { message: 'x' } }))!;
      await s.rt.db.kysely.updateTable('jobs').set({ state: 'RUNNING', lease_owner: 'w-dead', lease_expires_at: now - 1, attempts: 1 }).where('id', '=', job.id).execute();
      await s.rt.runner!.sweep();
      const done = (await s.rt.queue.get(job.id))!;
      assert.equal(done.state, 'FAILED');
      assert.match(done.error!, /worker running this job \(w-dead\) stopped responding/);
      assert.match(done.error!, /not retried automatically/);
      assert.equal(state.failed.filter((f) => f.id === job.id).length, 1, 'onFail ran once');
      await s.rt.runner!.sweep();
      assert.equal(state.failed.filter((f) => f.id === job.id).length, 1, 'a second sweep does nothing');
    });

    test('a retryable job whose worker died is queued again and then succeeds', async () => {
      const now = Date.now();
      const job = (await s.rt.queue.enqueue({ kind: 'test.retryable', runAt: now + 3_600_000 }))!;
      await s.rt.db.kysely.updateTable('jobs').set({ state: 'RUNNING', lease_owner: 'w-dead', lease_expires_at: now - 1, attempts: 1, run_at: now }).where('id', '=', job.id).execute();
      await s.rt.runner!.sweep();
      const requeued = (await s.rt.queue.get(job.id))!;
      assert.equal(requeued.state, 'QUEUED');
      assert.match(requeued.error!, /^retrying: /);
      const done = await waitDone(job.id);
      assert.equal(done.state, 'SUCCEEDED');
      assert.equal(done.attempts, 2);
    });
  });

  describe(`scheduler and shutdown on ${engine}`, { skip }, () => {
    test('two processes ticking the same schedule enqueue each slot exactly once', async () => {
      const clock = new FakeClock(Date.UTC(2026, 0, 1, 0, 0, 30));
      const schedule = {
        name: 'every-minute',
        async due(now: number) {
          const slot = Math.floor(now / 60_000) * 60_000;
          return [{ kind: 'test.echo', uniqueKey: `minute:${slot}`, payload: { slot } }];
        },
      };
      const a = await startServer({ engine, clock, services: [testService(undefined, [schedule])] });
      const b = await startServer({ engine, clock, services: [testService(undefined, [schedule])], dataDir: a.dataDir, databaseUrl: a.databaseUrl });
      try {
        const count = async () =>
          Number((await a.rt.db.kysely.selectFrom('jobs').select((eb) => eb.fn.countAll<number>().as('n')).where('unique_key', 'like', 'minute:%').executeTakeFirst())!.n);
        // both runtimes' own schedulers tick every second; add explicit concurrent ticks on top
        const log = a.rt.app.log;
        const sa = new Scheduler([schedule], a.rt.queue, clock, log, 1000);
        const sb = new Scheduler([schedule], b.rt.queue, clock, log, 1000);
        await Promise.all([sa.runOnce(), sb.runOnce(), sa.runOnce(), sb.runOnce()]);
        await eventually(async () => (await count()) >= 1, 10_000, 'the first slot');
        await new Promise((r) => setTimeout(r, 1500)); // let both background schedulers tick again
        assert.equal(await count(), 1);
        clock.advance(60_000);
        await Promise.all([sb.runOnce(), sa.runOnce(), sb.runOnce()]);
        await new Promise((r) => setTimeout(r, 1500));
        assert.equal(await count(), 2);
      } finally {
        await b.close({ keep: true });
        await a.close();
      }
    });

    test('transition events are written in the transaction of each transition; a throwing event rolls it back', async () => {
      const events: string[] = [];
      const s = await startServer({
        engine,
        services: [testService()],
        jobEvents: {
          async transition(trx, job, to, info) {
            if (to === 'SUCCEEDED' && (JSON.parse(job.payload) as { refuse?: boolean }).refuse) throw new Error('event store unavailable');
            events.push(`${job.kind}:${to}`);
            await trx.insertInto('meta').values({ key: `ev:${job.id}:${to}`, value: JSON.stringify({ state: job.state, ...info }) }).execute();
          },
        },
      });
      try {
        const ev = async (id: string, to: string) => (await s.rt.db.kysely.selectFrom('meta').select('value').where('key', '=', `ev:${id}:${to}`).executeTakeFirst())?.value;
        const done = (id: string) => eventually(async () => {
          const j = await s.rt.queue.get(id);
          return j && (j.state === 'SUCCEEDED' || j.state === 'FAILED') ? j : undefined;
        }, 20_000, `job ${id}`);
        const ok = (await s.rt.queue.enqueue({ kind: 'test.echo', payload: { a: 1 } }))!;
        await done(ok.id);
        assert.deepEqual(JSON.parse((await ev(ok.id, 'RUNNING'))!), { state: 'RUNNING' });
        assert.deepEqual(JSON.parse((await ev(ok.id, 'SUCCEEDED'))!), { state: 'RUNNING', result: { echo: { a: 1 } } });
        const bad = (await s.rt.queue.enqueue({ kind: 'test.fail', payload: { message: 'no route to etcd' } }))!;
        await done(bad.id);
        assert.deepEqual(JSON.parse((await ev(bad.id, 'FAILED'))!), { state: 'RUNNING', message: 'no route to etcd' });
        // the success commit rolls back with its event: the job fails instead
        const refused = (await s.rt.queue.enqueue({ kind: 'test.echo', payload: { refuse: true } }))!;
        const r = await done(refused.id);
        assert.equal(r.state, 'FAILED');
        assert.match(r.error!, /internal error: event store unavailable/);
        assert.equal(await ev(refused.id, 'SUCCEEDED'), undefined);
        assert.ok(await ev(refused.id, 'FAILED'));
      } finally {
        await s.close();
      }
    });

    test('graceful shutdown: a job that will not finish is released as FAILED with a message', async () => {
      const s = await startServer({ engine, services: [testService()], config: { jobs: { drainSeconds: 0 } } });
      const job = (await s.rt.queue.enqueue({ kind: 'test.wait-abort' }))!;
      await eventually(async () => (await s.rt.queue.get(job.id))?.state === 'RUNNING', 10_000, 'job running');
      await s.close({ keep: true });
      const { openDb } = await import('../../src/db/index.js');
      const db = openDb(s.databaseUrl);
      try {
        const row = await db.kysely.selectFrom('jobs').selectAll().where('id', '=', job.id).executeTakeFirstOrThrow();
        assert.equal(row.state, 'FAILED');
        assert.match(row.error!, /shut down while this job was running/);
      } finally {
        await db.close();
      }
    });

    test('SIGKILL mid-job: the admin view shows the dead holder; after a restart the job ends FAILED and no artifact is visible', async () => {
      const first = await startServer({ engine, services: [testService()] });
      await first.close({ keep: true });
      const env = {
        ...process.env,
        LOGSNAP_DATA_DIR: first.dataDir,
        DATABASE_URL: first.databaseUrl,
        LOGSNAP_PORT: '0',
        LOGSNAP_LOG_LEVEL: 'silent',
        LOGSNAP_ADMIN_TOKEN: 'test-admin-token-0123456789',
        LOGSNAP_JOB_LEASE_SECONDS: '3',
        LOGSNAP_JOB_POLL_MS: '50',
        LOGSNAP_DEMO: 'false',
      };
      const child = spawn(process.execPath, ['--import', 'tsx', join(here, '..', 'helpers', 'crash-child.ts')], { env, stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (d: Buffer) => d.toString().includes('READY') && resolve());
        child.on('exit', (code) => reject(new Error(`child exited early with ${code}`)));
      });
      const { openDb } = await import('../../src/db/index.js');
      const db = openDb(first.databaseUrl);
      const { JobQueue, systemClock } = await import('../../src/jobs/queue.js');
      const q = new JobQueue(db, systemClock);
      let jobId = '';
      try {
        jobId = (await q.enqueue({ kind: 'test.slow-put', payload: { seconds: 30, key: 'big/object.bin' } }))!.id;
        await eventually(async () => {
          const j = await q.get(jobId);
          return j?.state === 'RUNNING' && j.progress > 2;
        }, 20_000, 'the child to be mid-job');
      } finally {
        child.kill('SIGKILL');
        await new Promise((r) => child.once('exit', r));
        await db.close();
      }
      // before any worker recovers it, an operator sees who holds the job and until when
      const api = await startServer({ engine, services: [testService()], dataDir: first.dataDir, databaseUrl: first.databaseUrl, config: { core: { role: 'api' } } });
      try {
        const res = await fetch(`${api.url}/admin/v1/jobs?state=RUNNING`, { headers: { authorization: `Bearer ${api.adminToken}` } });
        assert.equal(res.status, 200);
        const view = ((await res.json()) as { jobs: Record<string, any>[] }).jobs.find((j) => j.id === jobId)!;
        const row = (await api.rt.queue.get(jobId))!;
        assert.match(view.lease_owner, /^w-[0-9a-f]{12}$/, 'the dead worker');
        assert.equal(view.lease_owner, row.lease_owner);
        assert.equal(view.lease_expires_at, row.lease_expires_at);
        assert.equal(view.heartbeat_at, row.heartbeat_at);
        assert.equal(typeof row.heartbeat_at, 'number');
        assert.ok(Number(row.lease_expires_at) > Number(row.heartbeat_at), 'a lease that ran out after the last heartbeat');
        assert.equal(view.attempts, 1);
        assert.equal(view.max_attempts, 1);
      } finally {
        await api.close({ keep: true });
      }
      const state: TestServiceState = { failed: [], runs: [] };
      const second = await startServer({ engine, services: [testService(state)], dataDir: first.dataDir, databaseUrl: first.databaseUrl, config: { jobs: { leaseSeconds: 3 } } });
      try {
        const done = await eventually(async () => {
          const j = await second.rt.queue.get(jobId);
          return j?.state === 'FAILED' ? j : undefined;
        }, 30_000, 'the killed job to be failed');
        assert.match(done.error!, /stopped responding; its lease expired/);
        assert.deepEqual(state.failed.map((f) => f.id), [jobId]);
        const visible = [];
        for await (const o of second.rt.store.list('crash-test')) visible.push(o.key);
        assert.deepEqual(visible, [], 'no half-written object is visible');
        assert.equal(await second.rt.store.head('crash-test', 'big/object.bin'), null);
      } finally {
        await second.close();
      }
    });
  });
}
