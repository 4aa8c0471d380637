import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engines, eventually, startServer, FakeClock, type TestServer } from '../helpers/server.js';
import { opError, type SdkOptions } from '../helpers/sdk.js';
import { addDays, todayIn } from '../../src/services/dcs/slicer.js';
import { RUNLOG_BUCKET } from '../../src/services/dcs/runLogs.js';
import { collect, link, list, redisSkip, REDIS_URL, startSilentPeer, startStdoutRedis, URLS, waitJob } from './helpers.js';

// Two zones 25 hours apart are never on the same date: the same log gives different "today"s.
const T0 = Date.now();
const ZONE_AHEAD = 'Pacific/Kiritimati'; // UTC+14
const ZONE_BEHIND = 'Pacific/Pago_Pago'; // UTC-11
const TODAY = todayIn(ZONE_AHEAD, T0);
const TODAY_BEHIND = todayIn(ZONE_BEHIND, T0);
const D = (k: number) => addDays(TODAY, -k);
const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** `23 Nov 2026` (or `23 Nov` without the year) of day D(k) */
const stamp = (k: number, year = true) => {
  const [y, m, d] = D(k).split('-');
  return `${d} ${MON[Number(m) - 1]}${year ? ` ${y}` : ''}`;
};

// A Redis log spanning several days, midnight, both timestamp formats and malformed lines.
const L = {
  banner: '                _._                                                  \n',
  d4: `1:C ${stamp(4)} 10:00:00.000 # the first timestamp: the banner above belongs to this day\n`,
  d2a: `[12] ${stamp(2, false)} 23:59:59.999 * year-less old format, last line before midnight\n`,
  d2b: '    continuation (no timestamp)\n',
  d1a: `1:M ${stamp(1)} 00:00:00.000 * first line after midnight\n`,
  d1b: `1:M 31 Feb ${D(1).slice(0, 4)} 10:00:00.000 * malformed date: stays with the day before\n`,
  d1c: '\xff\xfe\x00 binary garbage\n',
  d1d: `1:M ${stamp(1)} 23:59:59.999 - last of the day, CRLF\r\n`,
  d0a: `1:M ${stamp(0)} 00:00:00.001 * today\n`,
  d0b: `1:S ${stamp(0)} 01:00:00.000 * no newline at the end`,
};
const FIXTURE = Object.values(L).join('');
const EXPECTED: Record<string, string> = {
  [D(6)]: '',
  [D(5)]: '',
  [D(4)]: L.banner + L.d4,
  [D(3)]: '',
  [D(2)]: L.d2a + L.d2b,
  [D(1)]: L.d1a + L.d1b + L.d1c + L.d1d,
  [D(0)]: L.d0a + L.d0b,
};
const DAY = 24 * 3600 * 1000;

async function download(url: string): Promise<{ status: number; body: Buffer }> {
  const res = await fetch(url);
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
}

const redisSkipReason = await redisSkip();

for (const { engine, skip } of await engines()) {
  describe(`DCS run logs from log fixtures on ${engine}`, { skip: skip || redisSkipReason }, () => {
    let s: TestServer;
    let dir: string;
    const clock = new FakeClock(T0);
    const ids: Record<string, string> = {};
    const fixture = () => join(dir, 'redis.log');

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'logsnap-dcs-'));
      writeFileSync(fixture(), Buffer.from(FIXTURE, 'latin1'));
      writeFileSync(join(dir, 'other.log'), `1:M ${stamp(0)} 09:00:00.000 * node two\n`);
      s = await startServer({ engine, clock });
      const reg = async (id: string, engineJson: unknown) =>
        s.rt.deps.clusters.register({ id, projectId: s.projectId, service: 'dcs', name: id, engine: engineJson });
      await reg(`sh-${engine}`, { timeZone: ZONE_AHEAD, nodes: [{ replicationId: 'r1', ip: '10.0.0.1', url: REDIS_URL, logFile: fixture() }] });
      await reg(`utc-${engine}`, { timeZone: ZONE_BEHIND, nodes: [{ replicationId: 'r1', ip: '10.0.0.2', url: REDIS_URL, logFile: fixture() }] });
      await reg(`multi-${engine}`, {
        nodes: [
          { replicationId: 'r1', ip: '10.0.1.1', url: REDIS_URL, logFile: fixture() },
          { replicationId: 'r2', ip: '10.0.1.2', url: REDIS_URL, logFile: join(dir, 'other.log'), groupName: 'group-1', timeZone: ZONE_AHEAD },
        ],
      });
      await reg(`empty-${engine}`, { nodes: [{ replicationId: 'r1', ip: '10.0.2.1', url: REDIS_URL, logFile: fixture() }] });
      await reg(`missing-${engine}`, { nodes: [{ replicationId: 'r1', ip: '10.0.3.1', url: REDIS_URL, logFile: join(dir, 'nope.log') }] });
    });
    after(async () => {
      await s?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    test('CreateRedislog query_time=7 → 204 and a job; seven day files with the exact bytes of each day', async () => {
      const c = s.client('/dcs');
      const r = await collect(c, `sh-${engine}`, { log_type: 'run', query_time: 7 });
      assert.equal(r.httpStatusCode, 204);
      assert.ok(r.jobId, 'X-Logsnap-Job-Id header');
      const job = await waitJob(s, r.jobId!);
      assert.equal(job.state, 'SUCCEEDED', job.error ?? '');
      assert.equal(job.result.sourceBytes, Buffer.byteLength(FIXTURE, 'latin1'));
      assert.equal(job.result.logFileSource, 'registered');

      const l = await list(c, `sh-${engine}`, { log_type: 'run', limit: 100 });
      assert.equal(l.httpStatusCode, 200);
      assert.equal(l.total_num, 7);
      assert.deepEqual(l.file_list.map((f: any) => f.time), [0, 1, 2, 3, 4, 5, 6].map(D));
      for (const f of l.file_list) {
        assert.deepEqual(Object.keys(f).sort(), ['backup_id', 'file_name', 'group_name', 'id', 'replication_ip', 'status', 'time']);
        assert.equal(f.file_name, `redis_10.0.0.1_${f.time}.log`);
        assert.equal(f.status, 'succeed');
        assert.equal(f.group_name, 'group-0');
        assert.equal(f.replication_ip, '10.0.0.1');
        assert.equal(f.backup_id, f.id);
        ids[f.time] = f.id;
        const lk = await link(c, `sh-${engine}`, f.id);
        assert.equal(lk.httpStatusCode, 200);
        assert.deepEqual(Object.keys(lk).filter((k) => k !== 'httpStatusCode').sort(), ['backup_id', 'id', 'link']);
        assert.equal(lk.id, f.id);
        assert.equal(lk.backup_id, f.id);
        const d = await download(lk.link);
        assert.equal(d.status, 200, f.time);
        assert.deepEqual(d.body, Buffer.from(EXPECTED[f.time], 'latin1'), `content of ${f.time}`);
      }
    });

    test('days are the Redis host calendar: the same log in a zone behind gives another "today"', async () => {
      assert.notEqual(TODAY_BEHIND, TODAY);
      const c = s.client('/dcs');
      // replication_id may be given for a single-node instance too
      const r = await collect(c, `utc-${engine}`, { log_type: 'run', replication_id: 'r1' });
      assert.equal((await waitJob(s, r.jobId!)).state, 'SUCCEEDED');
      const l = await list(c, `utc-${engine}`, { log_type: 'run' });
      assert.equal(l.total_num, 1);
      assert.equal(l.file_list[0].file_name, `redis_10.0.0.2_${TODAY_BEHIND}.log`);
      const d = await download((await link(c, `utc-${engine}`, l.file_list[0].id)).link);
      assert.deepEqual(d.body, Buffer.from(EXPECTED[TODAY_BEHIND], 'latin1'));
    });

    test('the bare path (no /dcs prefix) serves the same operations', async () => {
      const l = await list(s.client(), `sh-${engine}`, { log_type: 'run', limit: 1 });
      assert.equal(l.total_num, 7);
    });

    test('paging: 0-based offset, limit, default limit 10, offset past the end', async () => {
      const c = s.client('/dcs');
      const p1 = await list(c, `sh-${engine}`, { log_type: 'run', offset: 0, limit: 3 });
      const p2 = await list(c, `sh-${engine}`, { log_type: 'run', offset: 3, limit: 3 });
      const p3 = await list(c, `sh-${engine}`, { log_type: 'run', offset: 6, limit: 3 });
      assert.deepEqual([p1, p2, p3].map((p) => p.total_num), [7, 7, 7]);
      assert.deepEqual([...p1.file_list, ...p2.file_list, ...p3.file_list].map((f: any) => f.time), [0, 1, 2, 3, 4, 5, 6].map(D));
      assert.equal((await list(c, `sh-${engine}`)).file_list.length, 7);
      const past = await list(c, `sh-${engine}`, { log_type: 'run', offset: 7 });
      assert.equal(past.total_num, 7);
      assert.deepEqual(past.file_list, []);
    });

    test('an instance without files: ListRedislog answers 204 with no body', async () => {
      const res = await list(s.client('/dcs'), `empty-${engine}`);
      assert.equal(res.httpStatusCode, 204);
      assert.equal(res.file_list, undefined);
      assert.equal(res.total_num, undefined);
    });

    test('the link expires after 24 h and refuses any change: 403 without content', async () => {
      const c = s.client('/dcs');
      const { link: url } = await link(c, `sh-${engine}`, ids[D(1)]);
      const u = new URL(url);
      assert.equal(u.pathname.split('/').pop(), `redis_10.0.0.1_${D(1)}.log`);
      assert.equal(Number(u.searchParams.get('Expires')), Math.floor((clock.now() + DAY) / 1000), 'valid 24 h by default');
      const sig = u.searchParams.get('Signature')!;
      const flipped = new URL(url);
      flipped.searchParams.set('Signature', (sig[0] === 'a' ? 'b' : 'a') + sig.slice(1));
      const otherKey = url.replace(`${D(1)}.log`, `${D(2)}.log`);
      const later = new URL(url);
      later.searchParams.set('Expires', String(Number(u.searchParams.get('Expires')) + 3600));
      for (const bad of [flipped.toString(), otherKey, later.toString()]) {
        const d = await download(bad);
        assert.equal(d.status, 403, bad);
        assert.equal(d.body.includes(Buffer.from('first line after midnight')), false, 'no file content');
      }
      assert.equal((await download(url)).status, 200);
      const saved = clock.t;
      try {
        clock.advance(DAY - 1000);
        assert.equal((await download(url)).status, 200, 'still valid just before 24 h');
        clock.advance(2000);
        const d = await download(url);
        assert.equal(d.status, 403);
        assert.equal(d.body.includes(Buffer.from('first line after midnight')), false);
      } finally {
        clock.t = saved;
      }
    });

    test('multi-replica instance: replication_id chooses the node, its group and its zone', async () => {
      const c = s.client('/dcs');
      const r = await collect(c, `multi-${engine}`, { log_type: 'run', query_time: 1, replication_id: 'r2' });
      assert.equal((await waitJob(s, r.jobId!)).state, 'SUCCEEDED');
      const l = await list(c, `multi-${engine}`, { log_type: 'run' });
      assert.equal(l.total_num, 1);
      assert.equal(l.file_list[0].file_name, `redis_10.0.1.2_${TODAY}.log`);
      assert.equal(l.file_list[0].group_name, 'group-1');
      const d = await download((await link(c, `multi-${engine}`, l.file_list[0].id)).link);
      assert.equal(d.body.toString(), `1:M ${stamp(0)} 09:00:00.000 * node two\n`);
    });

    test('bad input → 400 DCS.4800 (never 5xx)', async () => {
      const c = s.client('/dcs');
      const inst = `multi-${engine}`;
      const cases: [string, SdkOptions][] = [
        ['collect without log_type', { method: 'POST', url: URLS.collect, pathParams: { instance_id: inst }, queryParams: { replication_id: 'r1' } }],
        ['collect log_type=slow', { method: 'POST', url: URLS.collect, pathParams: { instance_id: inst }, queryParams: { log_type: 'slow', replication_id: 'r1' } }],
        ['collect query_time=2', { method: 'POST', url: URLS.collect, pathParams: { instance_id: inst }, queryParams: { log_type: 'run', query_time: 2, replication_id: 'r1' } }],
        ['collect query_time=abc', { method: 'POST', url: URLS.collect, pathParams: { instance_id: inst }, queryParams: { log_type: 'run', query_time: 'abc', replication_id: 'r1' } }],
        ['collect query_time=-1', { method: 'POST', url: URLS.collect, pathParams: { instance_id: inst }, queryParams: { log_type: 'run', query_time: -1, replication_id: 'r1' } }],
        ['collect without replication_id on 2 replicas', { method: 'POST', url: URLS.collect, pathParams: { instance_id: inst }, queryParams: { log_type: 'run' } }],
        ['collect unknown replication_id', { method: 'POST', url: URLS.collect, pathParams: { instance_id: inst }, queryParams: { log_type: 'run', replication_id: 'r9' } }],
        ['collect wrong replication_id on 1 replica', { method: 'POST', url: URLS.collect, pathParams: { instance_id: `sh-${engine}` }, queryParams: { log_type: 'run', replication_id: 'r2' } }],
        ['list without log_type', { method: 'GET', url: URLS.list, pathParams: { instance_id: inst }, queryParams: {} }],
        ['list log_type=audit', { method: 'GET', url: URLS.list, pathParams: { instance_id: inst }, queryParams: { log_type: 'audit' } }],
        ['list limit=0', { method: 'GET', url: URLS.list, pathParams: { instance_id: inst }, queryParams: { log_type: 'run', limit: 0 } }],
        ['list limit=1001', { method: 'GET', url: URLS.list, pathParams: { instance_id: inst }, queryParams: { log_type: 'run', limit: 1001 } }],
        ['list offset=-1', { method: 'GET', url: URLS.list, pathParams: { instance_id: inst }, queryParams: { log_type: 'run', offset: -1 } }],
        ['list offset=x', { method: 'GET', url: URLS.list, pathParams: { instance_id: inst }, queryParams: { log_type: 'run', offset: 'x' } }],
      ];
      for (const [what, o] of cases) {
        const e = await opError(c, o);
        assert.equal(e.httpStatusCode, 400, `${what}: ${e.errorMsg}`);
        assert.equal(e.errorCode, 'DCS.4800', what);
        assert.ok(e.errorMsg && e.errorMsg.length > 10, what);
      }
      const e = await opError(c, { method: 'POST', url: URLS.collect, pathParams: { instance_id: inst }, queryParams: { log_type: 'run' } });
      assert.match(e.errorMsg!, /replication_id is required/);
      // the raw body is DCS style
      const res = await fetch(`${s.url}/dcs/v2/${s.projectId}/instances/${inst}/redislog?log_type=run`, { headers: { 'x-auth-token': 'nope' } });
      assert.equal(res.status, 401);
    });

    test('unknown instance → 404 DCS.3022; unknown log id → 404 DCS.4961; another project is unknown too', async () => {
      const c = s.client('/dcs');
      const notFound: SdkOptions[] = [
        { method: 'POST' as const, url: URLS.collect, pathParams: { instance_id: 'no-such-instance' }, queryParams: { log_type: 'run' } },
        { method: 'GET' as const, url: URLS.list, pathParams: { instance_id: 'no-such-instance' }, queryParams: { log_type: 'run' } },
        { method: 'POST' as const, url: URLS.link, pathParams: { instance_id: 'no-such-instance', id: ids[D(1)] } },
      ];
      for (const o of notFound) {
        const e = await opError(c, o);
        assert.equal(e.httpStatusCode, 404);
        assert.equal(e.errorCode, 'DCS.3022');
      }
      const e = await opError(c, { method: 'POST', url: URLS.link, pathParams: { instance_id: `sh-${engine}`, id: '3ea6ce21-048e-447a-83c3-3fb004b88439' } });
      assert.equal(e.httpStatusCode, 404);
      assert.equal(e.errorCode, 'DCS.4961');
      // a log id of another instance is unknown here
      const e2 = await opError(c, { method: 'POST', url: URLS.link, pathParams: { instance_id: `utc-${engine}`, id: ids[D(1)] } });
      assert.equal(e2.errorCode, 'DCS.4961');
      const other = await s.rt.deps.projects.create({ name: `other-${engine}` });
      await s.rt.deps.clusters.register({ id: `foreign-${engine}`, projectId: other.id, service: 'dcs', name: 'x', engine: { nodes: [{ replicationId: 'r1', ip: '1.1.1.1', url: REDIS_URL }] } });
      const e3 = await opError(c, { method: 'GET', url: URLS.list, pathParams: { instance_id: `foreign-${engine}` }, queryParams: { log_type: 'run' } });
      assert.equal(e3.errorCode, 'DCS.3022');
    });

    test('an instance that is not RUNNING → 400 DCS.4049', async () => {
      await s.rt.deps.clusters.register({ id: `frozen-${engine}`, projectId: s.projectId, service: 'dcs', name: 'frozen', status: 'FROZEN', engine: { nodes: [{ replicationId: 'r1', ip: '10.0.4.1', url: REDIS_URL }] } });
      const e = await opError(s.client('/dcs'), { method: 'POST', url: URLS.collect, pathParams: { instance_id: `frozen-${engine}` }, queryParams: { log_type: 'run' } });
      assert.equal(e.httpStatusCode, 400);
      assert.equal(e.errorCode, 'DCS.4049');
      assert.match(e.errorMsg!, /FROZEN/);
    });

    test('an unreadable log file: the files say failed; the link request says why', async () => {
      const c = s.client('/dcs');
      const r = await collect(c, `missing-${engine}`, { log_type: 'run', query_time: 3 });
      const job = await waitJob(s, r.jobId!);
      assert.equal(job.state, 'FAILED');
      assert.match(job.error!, /cannot read the Redis log file .*nope\.log \(ENOENT\)/);
      const l = await list(c, `missing-${engine}`);
      assert.equal(l.total_num, 3);
      assert.deepEqual(l.file_list.map((f: any) => f.status), ['failed', 'failed', 'failed']);
      const e = await opError(c, { method: 'POST', url: URLS.link, pathParams: { instance_id: `missing-${engine}`, id: l.file_list[0].id } });
      assert.equal(e.httpStatusCode, 400);
      assert.equal(e.errorCode, 'DCS.4800');
      assert.match(e.errorMsg!, /could not be collected.*ENOENT/);
    });

    test('a FIFO as log file: failed at once (not a regular file), no hang', async () => {
      const fifo = join(dir, 'fifo.log');
      execFileSync('mkfifo', [fifo]);
      await s.rt.deps.clusters.register({ id: `fifo-${engine}`, projectId: s.projectId, service: 'dcs', name: 'fifo', engine: { nodes: [{ replicationId: 'r1', ip: '10.0.5.1', url: REDIS_URL, logFile: fifo }] } });
      const r = await collect(s.client('/dcs'), `fifo-${engine}`, { log_type: 'run' });
      const job = await waitJob(s, r.jobId!);
      assert.equal(job.state, 'FAILED');
      assert.match(job.error!, /is not a regular file/);
    });

    test('Redis logging to stdout (logfile ""): failed, and why', async (t) => {
      const redis = await startStdoutRedis();
      if (!redis) return t.skip('redis-server is not installed');
      try {
        await s.rt.deps.clusters.register({ id: `stdout-${engine}`, projectId: s.projectId, service: 'dcs', name: 'stdout', engine: { nodes: [{ replicationId: 'r1', ip: '127.0.0.9', url: redis.url }] } });
        const c = s.client('/dcs');
        const r = await collect(c, `stdout-${engine}`, { log_type: 'run' });
        const job = await waitJob(s, r.jobId!);
        assert.equal(job.state, 'FAILED');
        assert.match(job.error!, /logs to standard output/);
        const l = await list(c, `stdout-${engine}`);
        assert.equal(l.file_list[0].status, 'failed');
        const e = await opError(c, { method: 'POST', url: URLS.link, pathParams: { instance_id: `stdout-${engine}`, id: l.file_list[0].id } });
        assert.match(e.errorMsg!, /standard output/);
      } finally {
        await redis.stop();
      }
    });

    test('while collecting: status collecting, link → 400 not ready, a second collection → 400; a hung node fails after the timeout', async () => {
      const peer = await startSilentPeer();
      try {
        await s.rt.deps.clusters.register({ id: `hung-${engine}`, projectId: s.projectId, service: 'dcs', name: 'hung', engine: { nodes: [{ replicationId: 'r1', ip: '10.9.9.9', url: peer.url }] } });
        const c = s.client('/dcs');
        const r = await collect(c, `hung-${engine}`, { log_type: 'run' });
        const l = await list(c, `hung-${engine}`);
        assert.equal(l.file_list[0].status, 'collecting');
        const e = await opError(c, { method: 'POST', url: URLS.link, pathParams: { instance_id: `hung-${engine}`, id: l.file_list[0].id } });
        assert.equal(e.httpStatusCode, 400);
        assert.match(e.errorMsg!, /not ready/);
        const again = await opError(c, { method: 'POST', url: URLS.collect, pathParams: { instance_id: `hung-${engine}` }, queryParams: { log_type: 'run' } });
        assert.equal(again.httpStatusCode, 400);
        assert.match(again.errorMsg!, /already in progress/);
        const job = await waitJob(s, r.jobId!);
        assert.equal(job.state, 'FAILED');
        assert.match(job.error!, /did not answer PING/);
        assert.equal((await list(c, `hung-${engine}`)).file_list[0].status, 'failed');
      } finally {
        await peer.close();
      }
    });

    test('collecting a day again replaces its file (same id, new bytes); the old object is deleted', async () => {
      const c = s.client('/dcs');
      const before24 = (await list(c, `sh-${engine}`, { log_type: 'run', limit: 1 })).file_list[0];
      const oldUrl = (await link(c, `sh-${engine}`, before24.id)).link;
      const appended = `\n1:M ${stamp(0)} 02:00:00.000 * appended later\n`;
      appendFileSync(fixture(), appended);
      const r = await collect(c, `sh-${engine}`, { log_type: 'run', query_time: 0 });
      assert.equal((await waitJob(s, r.jobId!)).state, 'SUCCEEDED');
      const l = await list(c, `sh-${engine}`, { log_type: 'run', limit: 100 });
      assert.equal(l.total_num, 7);
      assert.equal(l.file_list[0].id, before24.id);
      const d = await download((await link(c, `sh-${engine}`, before24.id)).link);
      assert.equal(d.body.toString('latin1'), EXPECTED[D(0)] + appended);
      await s.rt.scheduler!.runOnce();
      // deleted by the outbox once the new collection committed
      await eventually(async () => (await download(oldUrl)).status === 404, 10_000, 'the replaced object to be gone');
    });

    test('after 7 days the files expire and the scheduler ticks of two servers delete their objects once', async () => {
      const c = s.client('/dcs');
      const objects = async () => {
        const keys: string[] = [];
        for await (const o of s.rt.store.list(RUNLOG_BUCKET, `${s.projectId}/`)) keys.push(o.key);
        return keys;
      };
      assert.ok((await objects()).length >= 9);
      const saved = clock.t;
      // (API calls are signed with the real time: the clock goes back before each)
      clock.advance(7 * DAY - 60_000);
      await s.rt.scheduler!.runOnce();
      clock.t = saved;
      assert.equal((await list(c, `sh-${engine}`)).total_num, 7, 'not yet');
      // a second logsnap on the same database and object store: both tick at once
      const s2 = await startServer({ engine, clock, dataDir: s.dataDir, databaseUrl: s.databaseUrl });
      try {
        clock.advance(7 * DAY + 60_000);
        await Promise.all([s.rt.scheduler!.runOnce(), s2.rt.scheduler!.runOnce(), s.rt.scheduler!.runOnce()]);
        clock.t = saved;
      } finally {
        clock.t = saved;
        await s2.close({ keep: true });
      }
      for (const inst of [`sh-${engine}`, `utc-${engine}`, `multi-${engine}`, `missing-${engine}`]) {
        assert.equal((await list(c, inst)).httpStatusCode, 204, inst);
      }
      // deleted by the outbox once the expiry committed
      await eventually(async () => (await objects()).length === 0, 10_000, 'every expired object to be deleted');
      const left = await s.rt.db.kysely.selectFrom('dcs_object_trash').selectAll().execute();
      assert.deepEqual(left, []);
    });
  });
}
