/**
 * Leftovers of interrupted uploads disappear while logsnap runs (no restart), on the fs store and
 * the S3 store (s3rver: staging objects; s3rver has no ListMultipartUploads, see docs/storage.md),
 * counted in /metrics; a put in progress in the process is never touched.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { engines, eventually, FakeClock, startServer, type TestServer } from '../helpers/server.js';
import { S3ObjectStore, TMP_PREFIX } from '../../src/storage/s3Store.js';
import { startS3, S3RVER_KEY, S3RVER_SECRET } from '../storage/s3rver.js';

const metric = async (s: TestServer, name: string) => {
  const text = await (await fetch(`${s.url}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
};

for (const { engine, skip } of await engines()) {
  describe(`periodic temporary-upload sweep on ${engine}`, { skip }, () => {
    test('fs: a stale temporary file goes without a restart; a put in progress stays and completes', async () => {
      const clock = new FakeClock();
      const logLines: string[] = [];
      const s = await startServer({ engine, clock, logLines, config: { jobs: { tempMaxAgeSeconds: 60 } } });
      try {
        const tmp = join(s.rt.config.storage.root, '.tmp');
        mkdirSync(tmp, { recursive: true });
        const stale = join(tmp, 'interrupted-upload');
        writeFileSync(stale, Buffer.alloc(12_345, 1));
        // a put in progress in this process, its body still open
        const body = new PassThrough();
        const put = s.rt.store.put('sweep-test', 'live/object.bin', body);
        body.write(Buffer.alloc(1000, 2));
        await eventually(async () => readdirSync(tmp).length >= 2, 5000, 'the live put to write its temporary file');
        await s.rt.scheduler!.runOnce();
        assert.ok(existsSync(stale), 'young leftovers may belong to a put in progress elsewhere: kept');
        clock.advance(120_000);
        await eventually(async () => !existsSync(stale), 10_000, 'the stale leftover to be swept by the scheduler');
        assert.equal(readdirSync(tmp).length, 1, 'the live put\'s temporary file is never swept');
        body.end(Buffer.alloc(24, 3));
        assert.equal((await put).size, 1024);
        assert.equal((await s.rt.store.head('sweep-test', 'live/object.bin'))?.size, 1024);
        assert.equal(await metric(s, 'logsnap_storage_temporary_reclaimed_bytes_total'), 12_345);
        assert.equal(await metric(s, 'logsnap_storage_temporary_reclaimed_total'), 1);
        const line = logLines.map((l) => JSON.parse(l)).find((l) => l.msg?.startsWith('removed 1 temporary leftover'));
        assert.equal(line?.bytes, 12_345);
      } finally {
        await s.close();
      }
    });

    test('S3 (s3rver): a stale staging object goes without a restart', async () => {
      const s3 = await startS3();
      const clock = new FakeClock();
      const s = await startServer({
        engine, clock,
        config: {
          jobs: { tempMaxAgeSeconds: 60 },
          storage: { driver: 's3', s3: { endpoint: s3.endpoint, region: 'us-east-1', bucket: s3.bucket, accessKeyId: S3RVER_KEY, secretAccessKey: S3RVER_SECRET, forcePathStyle: true, partSizeMb: 5 } },
        },
      });
      try {
        const client = (s.rt.store as S3ObjectStore).client;
        const Key = `${TMP_PREFIX}interrupted-upload`;
        await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key, Body: Buffer.alloc(4321, 1) }));
        const exists = () => client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key })).then(() => true, () => false);
        await s.rt.scheduler!.runOnce();
        assert.equal(await exists(), true, 'young: kept');
        clock.advance(120_000);
        await eventually(async () => !(await exists()), 10_000, 'the stale staging object to be swept by the scheduler');
        assert.equal(await metric(s, 'logsnap_storage_temporary_reclaimed_bytes_total'), 4321);
      } finally {
        await s.close();
        await s3.close();
      }
    });
  });
}
