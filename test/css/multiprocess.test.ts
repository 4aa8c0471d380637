import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createPgDatabase, engines, FakeClock, startServer, type TestServer } from '../helpers/server.js';
import { writeLogFile } from '../../src/services/css/sampleLogs.js';
import { cssOps, OPEN, registerCluster, tmp, URLS, waitRecord } from './helpers.js';

const pg = (await engines()).find((e) => e.engine === 'postgres')!;
/** Requests are signed with the real time and the server checks X-Sdk-Date against its (fake) clock. */
const SKEW = { security: { maxClockSkewSeconds: 86400 } };
const MIN = 60_000;
const HOUR = 3_600_000;
/** "HH:MM GMT±hh:mm" naming the local time of `ms` at `offsetMin`. */
function periodAt(ms: number, offsetMin: number): string {
  const d = new Date(ms + offsetMin * MIN);
  const pad = (n: number) => String(n).padStart(2, '0');
  const o = Math.abs(offsetMin);
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} GMT${offsetMin < 0 ? '-' : '+'}${pad(Math.floor(o / 60))}:${pad(o % 60)}`;
}
const minuteAligned = (ms: number) => Math.floor(ms / MIN) * MIN;

/** Two logsnap processes (runtimes) on one PostgreSQL database and one object folder. */
async function pair(opts: { clock?: FakeClock; role?: 'api' | 'all' } = {}) {
  const db = await createPgDatabase();
  const masterKey = randomBytes(32).toString('hex');
  const storageRoot = tmp('css-store-');
  const config = { security: { masterKey, adminToken: 'test-admin-token-0123456789', maxClockSkewSeconds: 86400 }, storage: { root: storageRoot }, core: { role: opts.role ?? 'all', demo: false } };
  const a = await startServer({ engine: 'postgres', databaseUrl: db.url, clock: opts.clock, config });
  const b = await startServer({ engine: 'postgres', databaseUrl: db.url, clock: opts.clock, config });
  return {
    a, b,
    async close() {
      await a.close();
      await b.close();
      await db.drop();
      rmSync(storageRoot, { recursive: true, force: true });
    },
  };
}

describe('CSS across processes sharing PostgreSQL', { skip: pg.skip }, () => {
  const roots: string[] = [];
  after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

  test('a second CreateLogBackup on another process while one is active: 409 CSS.0011', async () => {
    // API-only processes: the first job stays QUEUED (active) because no worker claims it
    const p = await pair({ role: 'api' });
    try {
      const root = tmp();
      roots.push(root);
      mkdirSync(join(root, 'n'));
      const id = await registerCluster(p.a, [{ name: 'n', logDir: join(root, 'n') }]);
      const ca = cssOps(p.a.client('/css'), id);
      const cb = cssOps(p.b.client('/css'), id);
      await ca.open(OPEN);
      assert.equal((await ca.collect()).httpStatusCode, 200);
      for (const c of [cb, ca]) {
        const e = await c.err({ method: 'POST', url: URLS.collect });
        assert.equal(e.httpStatusCode, 409);
        assert.equal(e.errorCode, 'CSS.0011');
      }
      const list = await cb.records();
      assert.equal(list.totalSize, 1, 'the refused request left no record');
      assert.equal(list.clusterLogRecord[0].status, 'RUNNING');
      // both at once from two processes: exactly one wins
      const other = await registerCluster(p.a, [{ name: 'n', logDir: join(root, 'n') }], 'race');
      const oa = cssOps(p.a.client('/css'), other);
      const ob = cssOps(p.b.client('/css'), other);
      await oa.open(OPEN);
      const results = await Promise.allSettled([oa.collect(), ob.collect(), oa.collect(), ob.collect()]);
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      for (const r of results) if (r.status === 'rejected') assert.equal((r.reason as { httpStatusCode: number }).httpStatusCode, 409);
      assert.equal((await ob.records()).totalSize, 1);
    } finally {
      await p.close();
    }
  });

  test('the daily auto policy makes exactly one Auto job per slot across two processes', async () => {
    // fake time stays within a day of the real time (requests are signed with the real time)
    const t0 = minuteAligned(Date.now() - 23.5 * HOUR);
    const clock = new FakeClock(t0);
    const period = periodAt(t0 + 30 * MIN, 480);
    const p = await pair({ clock });
    try {
      const root = tmp();
      roots.push(root);
      await writeLogFile(join(root, 'n', 'es.log'), 100_000);
      const id = await registerCluster(p.a, [{ name: 'n', logDir: join(root, 'n') }]);
      const ca = cssOps(p.a.client('/css'), id);
      await ca.open({ ...OPEN, auto_enable: true, period });
      const st = (await ca.settings()).logConfiguration;
      assert.deepEqual([st.autoEnable, st.period], [true, period]);
      const ticks = () => Promise.all([p.a.rt.scheduler!.runOnce(), p.b.rt.scheduler!.runOnce(), p.a.rt.scheduler!.runOnce(), p.b.rt.scheduler!.runOnce()]);
      await ticks();
      assert.equal((await ca.records()).totalSize, 0, 'not due before the slot');
      clock.advance(31 * MIN);
      await ticks();
      const first = await ca.records();
      assert.equal(first.totalSize, 1);
      assert.equal(first.clusterLogRecord[0].jobTypes, 'Auto');
      assert.equal(first.clusterLogRecord[0].createAt, t0 + 31 * MIN);
      assert.equal((await waitRecord(ca, first.clusterLogRecord[0].jobId)).status, 'SUCCESS');
      clock.advance(11 * HOUR); // later in the same daily window
      await ticks();
      assert.equal((await ca.records()).totalSize, 1, 'still one job for that slot');
      clock.advance(13 * HOUR); // the next day, one minute after the slot
      await ticks();
      await ticks();
      const second = await ca.records();
      assert.equal(second.totalSize, 2);
      assert.ok(second.clusterLogRecord.every((r: { jobTypes: string }) => r.jobTypes === 'Auto'));
      assert.equal((await waitRecord(ca, second.clusterLogRecord[0].jobId)).status, 'SUCCESS');
      const jobs = await p.a.rt.db.kysely.selectFrom('jobs').select(['unique_key']).where('kind', '=', 'css.log-backup').execute();
      assert.equal(jobs.length, 2);
      assert.equal(new Set(jobs.map((j) => j.unique_key)).size, 2);
    } finally {
      await p.close();
    }
  });
});

for (const { engine, skip } of await engines()) {
  describe(`CSS auto policy on one ${engine} process`, { skip }, () => {
    let s: TestServer;
    after(async () => s?.close());
    test('StartLogs with auto_enable schedules Auto jobs; StopLogAutoBackupPolicy and StopLogs stop them; no back-fill', async () => {
      const t0 = minuteAligned(Date.now() - 12 * HOUR);
      const clock = new FakeClock(t0);
      s = await startServer({ engine, clock, config: SKEW });
      const root = tmp();
      mkdirSync(join(root, 'n'));
      const id = await registerCluster(s, [{ name: 'n', logDir: join(root, 'n') }]);
      const c = cssOps(s.client('/css'), id);
      const period = periodAt(t0 + HOUR, -300);
      await c.open({ ...OPEN, auto_enable: true, period });
      await s.rt.scheduler!.runOnce();
      assert.equal((await c.records()).totalSize, 0);
      clock.advance(59 * MIN);
      await s.rt.scheduler!.runOnce();
      assert.equal((await c.records()).totalSize, 0);
      clock.advance(MIN); // the slot's local time
      await s.rt.scheduler!.runOnce();
      await s.rt.scheduler!.runOnce();
      const r = await c.records();
      assert.equal(r.totalSize, 1);
      assert.equal(r.clusterLogRecord[0].createAt, t0 + HOUR);
      assert.equal(r.clusterLogRecord[0].jobTypes, 'Auto');
      assert.equal((await waitRecord(c, r.clusterLogRecord[0].jobId)).status, 'SUCCESS');
      await c.policyClose();
      clock.advance(24 * HOUR + 10 * MIN); // past the next slot
      await s.rt.scheduler!.runOnce();
      assert.equal((await c.records()).totalSize, 1, 'no Auto job once the policy is closed');
      await c.policy(period); // re-enabled after today's slot: not back-filled
      await s.rt.scheduler!.runOnce();
      assert.equal((await c.records()).totalSize, 1);
      await c.close(); // StopLogs turns the policy off too
      const st = (await c.settings()).logConfiguration;
      assert.deepEqual([st.logSwitch, st.autoEnable, st.period], [false, false, null]);
      rmSync(root, { recursive: true, force: true });
    });
  });
}
