/**
 * The test clock: kept in the database (two processes agree), forward only, and every expiry and
 * schedule follows it — CSS Auto slots, DCS 7-day expiry and 24 h links, DWS policies and retention,
 * tokens and signed links. An api-only process schedules what became due itself.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createPgDatabase, engines, eventually, postgresAvailable, type TestServer } from '../helpers/server.js';
import { op } from '../helpers/sdk.js';
import { redisSkip, REDIS_URL } from '../dcs/helpers.js';
import { seedWarehouse } from '../dws/helpers.js';
import { adminOf, adminRaw, cssCluster, CSS, OPEN, records, settledRecord, startTestMode } from './helpers.js';

const H = 3_600_000;
const redis = await redisSkip();
const pgOk = await postgresAvailable();

for (const { engine, skip } of await engines()) {
  describe(`test clock (${engine})`, { skip }, () => {
    let a: TestServer;
    let b: TestServer;
    before(async () => {
      a = await startTestMode({ engine });
      // a second process on the same database, serving the API only (no job worker, no scheduler loop)
      b = await startTestMode({ engine, dataDir: a.dataDir, databaseUrl: a.databaseUrl, config: { core: { role: 'api' } } });
    });
    after(async () => {
      await b?.close({ keep: true });
      await a?.close();
    });

    test('GET shows test time; POST moves it forward only, within bounds; a refused value changes nothing', async () => {
      const t0 = Date.now();
      const c = (await adminRaw(a, 'GET', '/admin/v1/test/clock')).body;
      assert.ok(c.now >= t0 + c.offset_ms && c.now <= Date.now() + c.offset_ms);
      for (const bad of [{ advance_seconds: 0 }, { advance_seconds: -60 }, { advance_seconds: 400 * 86_400 }, { advance_seconds: '1h' }, { advance_seconds: 1.5 }, {}]) {
        const r = await adminRaw(a, 'POST', '/admin/v1/test/clock', bad);
        assert.equal(r.status, 400, JSON.stringify(bad));
      }
      assert.equal((await adminRaw(a, 'GET', '/admin/v1/test/clock')).body.offset_ms, c.offset_ms, 'unchanged');
      const moved = (await adminRaw(a, 'POST', '/admin/v1/test/clock', { advance_seconds: 90 })).body;
      assert.equal(moved.offset_ms, c.offset_ms + 90_000);
      assert.ok(moved.now >= t0 + c.offset_ms + 90_000);
    });

    test('two processes on one database tell the same time, whichever moved it', async () => {
      const before = (await adminRaw(b, 'GET', '/admin/v1/test/clock')).body.offset_ms;
      await adminOf(a).clock.advance('1h');
      assert.equal((await adminRaw(b, 'GET', '/admin/v1/test/clock')).body.offset_ms, before + H, 'b sees a move at once');
      await adminOf(b).clock.advance('2h');
      assert.equal((await adminRaw(a, 'GET', '/admin/v1/test/clock')).body.offset_ms, before + 3 * H, 'a sees b move at once');
      assert.equal(a.rt.deps.clock.now() - Date.now() >= before + 3 * H - 1000, true, 'and so does its background clock');
    });

    test('an Auto backup: advancing past its daily time (in the api-only process) lists it at once, and it runs', async () => {
      const { id } = await cssCluster(a);
      const css = a.client('/css');
      await op(css, { method: 'POST', url: CSS.open, pathParams: { cluster_id: id }, data: OPEN });
      await op(css, { method: 'POST', url: CSS.policy, pathParams: { cluster_id: id }, data: { period: '00:00 GMT+08:00' } });
      assert.equal((await records(css, id)).totalSize, 0);
      await adminOf(b).clock.advance('25h');
      const listed = await records(b.client('/css'), id);
      assert.equal(listed.totalSize, 1, 'scheduled before the advance answered');
      assert.equal(listed.clusterLogRecord[0].jobTypes, 'Auto');
      const done = await settledRecord(css, id, 'Auto');
      assert.equal(done.status, 'SUCCESS', done.failedMsg);
      assert.ok(done.createAt >= Date.now() + 25 * H, 'stamped with test time');
      // the next day's slot fires once more, not once per pass
      await adminOf(b).clock.advance('1d');
      assert.equal((await records(css, id)).totalSize, 2);
    });

    test('tokens and signed download links expire by the test clock; SDK signatures keep the wall clock', async () => {
      const { token } = (await adminRaw(a, 'POST', `/admin/v1/projects/${a.projectId}/tokens`, { ttl_seconds: 60 })).body;
      const withToken = () => fetch(`${a.url}/v3/projects`, { headers: { 'x-auth-token': token } });
      assert.equal((await withToken()).status, 200);
      await a.rt.store.put('levers-clock', 'note.txt', Readable.from([Buffer.from('hello')]));
      const { link } = (await adminRaw(a, 'POST', '/admin/v1/objects/link', { path: 'levers-clock/note.txt', ttl_seconds: 3600 })).body;
      assert.equal((await fetch(link)).status, 200);
      await adminOf(b).clock.advance(61);
      const expired = await withToken();
      assert.equal(expired.status, 401);
      assert.match(((await expired.json()) as { error_msg: string }).error_msg, /expired/);
      assert.equal((await fetch(link)).status, 200, 'the link has an hour');
      await adminOf(a).clock.advance(3600);
      const refused = await fetch(link);
      assert.equal(refused.status, 403);
      assert.match(((await refused.json()) as { error_msg: string }).error_msg, /expired/);
      // days ahead of the wall clock, the SDK (signing with the wall clock) is still accepted
      assert.equal((await op(a.client(), { method: 'GET', url: '/v3/projects' })).httpStatusCode, 200);
    });

    test('DCS: a download link is refused after 24 h, and run-log files expire after 7 days with their objects', { skip: redis }, async () => {
      const logFile = join(mkdtempSync(join(tmpdir(), 'levers-redis-')), 'redis.log');
      writeFileSync(logFile, '1:M 01 Jan 2026 00:00:00.000 * Ready to accept connections\n');
      const inst = await a.rt.deps.clusters.register({ projectId: a.projectId, service: 'dcs', name: 'cache', engine: { timeZone: 'UTC', nodes: [{ replicationId: 'r-0', ip: '10.0.0.9', url: REDIS_URL, logFile }] } });
      const dcs = a.client('/dcs');
      const pp = { instance_id: inst.id };
      await op(dcs, { method: 'POST', url: '/v2/{project_id}/instances/{instance_id}/redislog', pathParams: pp, queryParams: { log_type: 'run', query_time: 1 } });
      const listed = await eventually(async () => {
        const l = await op(dcs, { method: 'GET', url: '/v2/{project_id}/instances/{instance_id}/redislog', pathParams: pp, queryParams: { log_type: 'run' } });
        return l.file_list?.every((f: { status: string }) => f.status === 'succeed') && l.file_list;
      }, 30_000, 'collected run logs');
      assert.ok(listed.length >= 1);
      const { link } = await op(dcs, { method: 'POST', url: '/v2/{project_id}/instances/{instance_id}/redislog/{id}/links', pathParams: { ...pp, id: listed[0].id } });
      assert.equal((await fetch(link)).status, 200);
      await adminOf(b).clock.advance('24h');
      assert.equal((await fetch(link)).status, 403, 'refused after 24 h');
      assert.equal((await op(dcs, { method: 'GET', url: '/v2/{project_id}/instances/{instance_id}/redislog', pathParams: pp, queryParams: { log_type: 'run' } })).file_list.length, listed.length, 'files are kept 7 days');
      await adminOf(b).clock.advance('6d');
      const gone = await op(dcs, { method: 'GET', url: '/v2/{project_id}/instances/{instance_id}/redislog', pathParams: pp, queryParams: { log_type: 'run' } });
      assert.equal(gone.httpStatusCode, 204, 'expired as the advance answered');
      // their objects go right after the expiry commits (the outbox: docs/jobs.md)
      await eventually(async () => {
        for await (const o of a.rt.store.list('dcs-run-logs', `${a.projectId}/${inst.id}/`)) return !o;
        return true;
      }, 10_000, 'their objects deleted too');
    });

    test('DWS: a policy snapshots on schedule as the clock passes its slots; retention deletes it keep_day later', { skip: pgOk ? false : 'PostgreSQL (the DWS engine) is not reachable' }, async () => {
      const wh = await createPgDatabase('levers_dws');
      try {
        await seedWarehouse(wh.url, 20);
        const cluster = await a.rt.deps.clusters.register({ projectId: a.projectId, service: 'dws', name: `wh-${engine}`, engine: { url: wh.url } });
        const dws = a.client();
        const policies = { method: 'PUT' as const, url: '/v2/{project_id}/clusters/{cluster_id}/snapshot-policies', pathParams: { cluster_id: cluster.id } };
        await op(dws, { ...policies, data: { keep_day: 1, auto_backup: true, backup_strategies: [{ policy_name: 'hourly', backup_strategy: '0 0 * * * ?' }] } });
        const autos = async (): Promise<{ status: string }[]> => (await op(dws, { method: 'GET', url: '/v1.0/{project_id}/snapshots' })).snapshots
          .filter((s: { cluster_id: string; type: string }) => s.cluster_id === cluster.id && s.type === 'AUTO');
        assert.deepEqual(await autos(), []);
        await adminOf(b).clock.advance('2h');
        const jobs = await a.rt.db.kysely.selectFrom('jobs').select('unique_key').where('unique_key', 'like', `dws-auto:${cluster.id}:%`).execute();
        assert.ok(jobs.length >= 1, 'the slot that passed was scheduled before the advance answered');
        const done = await eventually(async () => {
          const all = await autos();
          return all.every((s) => s.status !== 'CREATING') && all;
        }, 60_000, 'the automated snapshot');
        assert.ok(done.every((s) => s.status === 'AVAILABLE'), JSON.stringify(done));
        await op(dws, { ...policies, data: { auto_backup: false } });
        await eventually(async () => !(await a.rt.db.kysely.selectFrom('jobs').select('id').where('cluster_id', '=', cluster.id).where('state', 'in', ['QUEUED', 'RUNNING']).executeTakeFirst()), 60_000, 'no snapshot running');
        await adminOf(b).clock.advance('25h');
        assert.deepEqual(await autos(), [], 'retention ran before the advance answered');
        // the archives go right after retention commits (the outbox: docs/jobs.md)
        await eventually(async () => {
          for await (const o of a.rt.store.list('logsnap-dws', `${a.projectId}/${cluster.id}/`)) return !o;
          return true;
        }, 10_000, 'the expired archives deleted');
      } finally {
        await wh.drop();
      }
    });
  });
}
