/**
 * DCS download links with the S3 store: the link is a presigned GET to the S3 server (here an
 * s3rver started in the test process), downloads the exact bytes, and a changed URL is refused.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type TestServer } from '../helpers/server.js';
import { startS3, S3RVER_KEY, S3RVER_SECRET, type TestS3 } from '../storage/s3rver.js';
import { collect, link, list, redisSkip, REDIS_URL, waitJob } from './helpers.js';

const redisSkipReason = await redisSkip();
const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

describe('DCS run-log links on the S3 store', { skip: redisSkipReason }, () => {
  let s3: TestS3;
  let s: TestServer;
  let dir: string;
  let expected: string;
  before(async () => {
    s3 = await startS3('logsnap-dcs');
    s = await startServer({
      config: {
        storage: {
          driver: 's3',
          s3: { endpoint: s3.endpoint, region: 'us-east-1', bucket: s3.bucket, accessKeyId: S3RVER_KEY, secretAccessKey: S3RVER_SECRET, forcePathStyle: true },
        },
      },
    });
    dir = mkdtempSync(join(tmpdir(), 'logsnap-dcs-s3-'));
    const now = new Date();
    const stamp = `${String(now.getUTCDate()).padStart(2, '0')} ${MON[now.getUTCMonth()]} ${now.getUTCFullYear()}`;
    expected = [0, 1, 2].map((i) => `4242:M ${stamp} 00:00:0${i}.123 * Ready to accept connections ${i}\n`).join('');
    writeFileSync(join(dir, 'redis.log'), expected);
    await s.rt.deps.clusters.register({
      id: 'dcs-on-s3', projectId: s.projectId, service: 'dcs', name: 'redis on s3',
      engine: { timeZone: 'UTC', nodes: [{ replicationId: 'r0', ip: '10.1.2.3', url: REDIS_URL, logFile: join(dir, 'redis.log') }] },
    });
  });
  after(async () => {
    await s?.close();
    await s3?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('collect, list, presigned link with the exact bytes; a changed link is refused by S3', async () => {
    const c = s.client('/dcs');
    const started = await collect(c, 'dcs-on-s3', { log_type: 'run', query_time: 0 });
    const job = await waitJob(s, started.jobId!);
    assert.equal(job.state, 'SUCCEEDED', job.error ?? '');
    const files = await list(c, 'dcs-on-s3');
    assert.equal(files.total_num, 1);
    const file = files.file_list[0];
    assert.equal(file.status, 'succeed');
    assert.match(file.file_name, /^redis_10\.1\.2\.3_\d{4}-\d{2}-\d{2}\.log$/);
    const l = await link(c, 'dcs-on-s3', file.id);
    assert.equal(l.id, file.id);
    const u = new URL(l.link);
    assert.equal(u.origin, s3.endpoint, 'the link goes to the S3 store, not to logsnap');
    assert.ok(u.searchParams.get('X-Amz-Signature'), 'a SigV4 presigned GET');
    assert.ok(Number(u.searchParams.get('X-Amz-Expires')) > 86_000 && Number(u.searchParams.get('X-Amz-Expires')) <= 86_401, 'valid 24 h (signing time rounded down to the second)');
    const res = await fetch(l.link);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), expected);
    const sig = u.searchParams.get('X-Amz-Signature')!;
    u.searchParams.set('X-Amz-Signature', (sig[0] === 'a' ? 'b' : 'a') + sig.slice(1));
    const tampered = await fetch(u);
    assert.equal(tampered.status, 403);
    assert.equal((await tampered.text()).includes('Ready to accept'), false, 'no content');
  });
});
