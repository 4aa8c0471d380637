/** A full logsnap server configured with storage.driver s3, pointing at s3rver started in this process. */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { startServer, type TestServer } from '../helpers/server.js';
import { ConfigError } from '../../src/config/section.js';
import { startS3, S3RVER_KEY, S3RVER_SECRET, type TestS3 } from './s3rver.js';

const T = { timeout: 60_000 };

describe('logsnap with storage.driver s3 (s3rver)', () => {
  let s3: TestS3;
  let srv: TestServer;
  const logLines: string[] = [];
  const s3config = () => ({ endpoint: s3.endpoint, region: 'us-east-1', bucket: s3.bucket, accessKeyId: S3RVER_KEY, secretAccessKey: S3RVER_SECRET, forcePathStyle: true, partSizeMb: 5 });
  before(async () => {
    s3 = await startS3();
    srv = await startServer({ config: { storage: { driver: 's3', s3: s3config() } }, logLines });
  });
  after(async () => {
    await srv?.close();
    await s3?.close();
  });

  test('serves /readyz and uses the S3 store', T, async () => {
    const r = await fetch(`${srv.url}/readyz`);
    assert.equal(r.status, 200);
    assert.deepEqual(await r.json(), { status: 'ready' });
    assert.equal(srv.rt.store.driver, 's3');
    assert.equal(srv.rt.deps.store, srv.rt.store);
  });

  test('an object put through deps.store downloads through its signed link, byte for byte', T, async () => {
    const data = randomBytes(7 * 1024 * 1024); // two parts
    const put = await srv.rt.deps.store.put('dcs-logs', 'project/cluster/redis.log.gz', Readable.from([data.subarray(0, 3e6), data.subarray(3e6)]));
    assert.equal(put.sha256, createHash('sha256').update(data).digest('hex'));
    const url = await srv.rt.deps.store.presignGet('dcs-logs', 'project/cluster/redis.log.gz', srv.rt.deps.clock.now() + 3600_000);
    assert.ok(url.startsWith(`${s3.endpoint}/${s3.bucket}/dcs-logs/project/cluster/redis.log.gz?`), 'a presigned S3 URL for <bucket>/<logical bucket>/<key>');
    const r = await fetch(url);
    assert.equal(r.status, 200);
    assert.ok(Buffer.from(await r.arrayBuffer()).equals(data));
    const bad = url.replace(/(X-Amz-Signature=[0-9a-f]{63})([0-9a-f])/, (_m, p: string, c: string) => p + (c === '0' ? '1' : '0'));
    assert.notEqual(bad, url);
    assert.equal((await fetch(bad)).status, 403);
  });

  test('metrics report the S3 usage; no credentials or link signatures in the logs', T, async () => {
    const m = await (await fetch(`${srv.url}/metrics`)).text();
    assert.match(m, /\nlogsnap_storage_objects [1-9]/);
    const bytes = Number(/\nlogsnap_storage_bytes (\d+)/.exec(m)?.[1]);
    assert.ok(bytes >= 7 * 1024 * 1024, `bytes ${bytes}`);
    const all = logLines.join('\n');
    assert.ok(logLines.length > 0);
    assert.ok(!all.includes('secretAccessKey') && !all.includes('X-Amz-Signature'), 'no credentials or link signatures in logs');
  });

  test('start fails with a clear message when the bucket is missing (endpoint and bucket named, no secret)', T, async () => {
    const secret = 'integration-secret-do-not-print';
    await assert.rejects(
      startServer({ config: { storage: { driver: 's3', s3: { ...s3config(), bucket: 'missing-bucket', secretAccessKey: S3RVER_SECRET } } } }),
      (e: unknown) => e instanceof ConfigError && /missing-bucket/.test(e.message) && e.message.includes(s3.endpoint) && /does not exist/.test(e.message),
    );
    await assert.rejects(
      startServer({ config: { storage: { driver: 's3', s3: { ...s3config(), secretAccessKey: secret } } } }),
      (e: unknown) => e instanceof ConfigError && /access denied/.test(e.message) && !e.message.includes(secret),
    );
  });

  test('invalid S3 configuration is refused at start with the field named', T, async () => {
    await assert.rejects(
      startServer({ config: { storage: { driver: 's3', s3: { ...s3config(), accessKeyId: undefined } } } }),
      (e: unknown) => e instanceof ConfigError && /accessKeyId and secretAccessKey go together/.test(e.message),
    );
  });
});
