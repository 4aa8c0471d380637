import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { engines, startServer, type TestServer } from '../helpers/server.js';
import { opError } from '../helpers/sdk.js';
import { sliceBuffer, todayIn } from '../../src/services/dcs/slicer.js';
import { SERVICES } from '../../src/services/index.js';
import { collect, link, list, redisSkip, REDIS_URL, URLS, waitJob } from './helpers.js';

const redisSkipReason = await redisSkip();
const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

for (const { engine, skip } of await engines()) {
  describe(`DCS run logs of the real Redis (${REDIS_URL}) on ${engine}`, { skip: skip || redisSkipReason }, () => {
    let s: TestServer;
    const logLines: string[] = [];
    // Redis runs on this host and stamps its log in this host's zone
    const hostZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

    before(async () => {
      s = await startServer({ engine, logLines });
      await s.rt.deps.clusters.register({
        id: `real-${engine}`, projectId: s.projectId, service: 'dcs', name: 'local redis',
        engine: { timeZone: hostZone, nodes: [{ replicationId: 'local-0', ip: '127.0.0.1', url: REDIS_URL }] },
      });
    });
    after(async () => s?.close());

    test('PING, find the log through CONFIG GET logfile/dir, collect today, download the exact bytes', async () => {
      const r = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0 });
      await r.connect();
      let logfile: string;
      let dir: string;
      try {
        assert.equal(await r.ping(), 'PONG');
        logfile = ((await r.call('CONFIG', 'GET', 'logfile')) as string[])[1];
        dir = ((await r.call('CONFIG', 'GET', 'dir')) as string[])[1];
      } finally {
        r.disconnect();
      }
      const c = s.client('/dcs');
      const started = await collect(c, `real-${engine}`, { log_type: 'run', query_time: 0 });
      assert.equal(started.httpStatusCode, 204);
      const job = await waitJob(s, started.jobId!);
      if (logfile === '') {
        // this Redis logs to stdout: the collection must say so (CI runs Redis with --logfile)
        assert.equal(process.env.CI === 'true', false, 'CI must run Redis with --logfile');
        assert.equal(job.state, 'FAILED');
        assert.match(job.error!, /standard output/);
        return;
      }
      assert.equal(job.state, 'SUCCEEDED', job.error ?? '');
      const path = isAbsolute(logfile) ? logfile : resolve(dir, logfile);
      assert.equal(job.result.logFile, path);
      assert.equal(job.result.logFileSource, 'redis');

      const today = todayIn(hostZone, Date.now());
      const source = readFileSync(path).subarray(0, job.result.sourceBytes);
      assert.equal(source.length, job.result.sourceBytes);
      const expected = sliceBuffer(source, today).days.get(today) ?? Buffer.alloc(0);
      // independent of the slicer: a line stamped today in the log means a non-empty file
      const [y, m, d] = today.split('-');
      const stampedToday = source.toString('latin1').includes(` ${d} ${MON[Number(m) - 1]} ${y} `);
      assert.equal(expected.length > 0, stampedToday);

      const l = await list(c, `real-${engine}`);
      assert.equal(l.total_num, 1);
      const f = l.file_list[0];
      assert.equal(f.file_name, `redis_127.0.0.1_${today}.log`);
      assert.equal(f.status, 'succeed');
      assert.equal(f.time, today);
      const lk = await link(c, `real-${engine}`, f.id);
      const res = await fetch(lk.link);
      assert.equal(res.status, 200);
      const body = Buffer.from(await res.arrayBuffer());
      assert.deepEqual(body, expected);
      assert.equal(res.headers.get('x-checksum-sha256'), createHash('sha256').update(expected).digest('hex'));
      assert.match(res.headers.get('content-disposition')!, new RegExp(`filename="redis_127\\.0\\.0\\.1_${today}\\.log"`));
    });

    test('a node password never shows in job errors, responses or logs', async () => {
      const secret = 'Sup3r-Secret-Pa55';
      await s.rt.deps.clusters.register({
        id: `pw-${engine}`, projectId: s.projectId, service: 'dcs', name: 'with password',
        engine: { nodes: [{ replicationId: 'r1', ip: '127.0.0.1', url: `redis://:${secret}@127.0.0.1:1` }] },
      });
      const c = s.client('/dcs');
      const started = await collect(c, `pw-${engine}`, { log_type: 'run' });
      const job = await waitJob(s, started.jobId!);
      assert.equal(job.state, 'FAILED');
      assert.match(job.error!, /did not answer PING/);
      const l = await list(c, `pw-${engine}`);
      const e = await opError(c, { method: 'POST', url: URLS.link, pathParams: { instance_id: `pw-${engine}`, id: l.file_list[0].id } });
      assert.match(e.errorMsg!, /did not answer PING/);
      for (const text of [job.error!, JSON.stringify(l), e.errorMsg!, logLines.join('\n')]) assert.equal(text.includes(secret), false);
    });

    test('demo: the embedded default registers the local Redis as an instance whose logs can be collected', async () => {
      const dcs = s.rt.services[SERVICES.findIndex((m) => m.name === 'dcs')];
      const lines = await dcs.demo!(s.projectId);
      const r = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0 });
      await r.connect();
      const logfile = ((await r.call('CONFIG', 'GET', 'logfile')) as string[])[1];
      r.disconnect();
      if (logfile === '') return assert.deepEqual(lines, []);
      assert.equal(lines.length, 1);
      const id = /instance (\S+)/.exec(lines[0])![1];
      const started = await collect(s.client('/dcs'), id, { log_type: 'run' });
      assert.equal((await waitJob(s, started.jobId!)).state, 'SUCCEEDED');
      assert.equal((await list(s.client('/dcs'), id)).file_list[0].status, 'succeed');
    });
  });
}
