/** S3-specific behaviour of S3ObjectStore, against @20minutes/s3rver started in this process. */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { ConfigError } from '../../src/config/section.js';
import { S3ObjectStore, s3OptionsFromConfig, TMP_PREFIX, type S3StoreOptions } from '../../src/storage/s3Store.js';
import { startS3, S3RVER_KEY, S3RVER_SECRET, type TestS3 } from './s3rver.js';

const MiB = 1024 * 1024;
const T = { timeout: 60_000 };

describe('S3ObjectStore specifics (s3rver)', () => {
  let s3: TestS3;
  const stores: S3ObjectStore[] = [];
  const make = (extra: Partial<S3StoreOptions> = {}) => {
    const st = new S3ObjectStore({
      endpoint: s3.endpoint, region: 'us-east-1', bucket: s3.bucket, forcePathStyle: true,
      credentials: { accessKeyId: S3RVER_KEY, secretAccessKey: S3RVER_SECRET }, partSize: 5 * MiB, ...extra,
    });
    stores.push(st);
    return st;
  };
  before(async () => {
    s3 = await startS3();
  });
  after(async () => {
    for (const st of stores) st.destroy();
    await s3?.close();
  });

  test('logical (bucket, key) is stored as <bucket>/<key> in the configured bucket; staging objects are removed', T, async () => {
    const store = make();
    await store.put('logs-a', 'x/y.txt', Readable.from([Buffer.from('a')]));
    await store.put('logs-a', 'big.bin', Readable.from([randomBytes(6 * MiB)]));
    const r = await store.client.send(new ListObjectsV2Command({ Bucket: s3.bucket }));
    const keys = (r.Contents ?? []).map((o) => o.Key).sort();
    assert.deepEqual(keys, ['logs-a/big.bin', 'logs-a/x/y.txt']);
    assert.ok(!keys.some((k) => k!.startsWith(TMP_PREFIX)));
  });

  test('objects above the CopyObject limit are committed with UploadPartCopy and keep sha256', T, async () => {
    const store = make({ copyObjectMaxBytes: 6 * MiB, copyPartBytes: 5 * MiB });
    const data = randomBytes(13 * MiB);
    const digest = createHash('sha256').update(data).digest('hex');
    const r = await store.put('logs-a', 'multicopy.bin', Readable.from([data.subarray(0, 7 * MiB), data.subarray(7 * MiB)]), { contentType: 'application/gzip' });
    assert.deepEqual(r, { size: data.length, sha256: digest });
    const info = await store.head('logs-a', 'multicopy.bin');
    assert.equal(info?.sha256, digest);
    assert.equal(info?.size, data.length);
    assert.equal(info?.contentType, 'application/gzip');
    const g = await store.get('logs-a', 'multicopy.bin');
    const chunks: Buffer[] = [];
    for await (const c of g.body) chunks.push(c as Buffer);
    assert.ok(Buffer.concat(chunks).equals(data));
  });

  test('list follows ListObjectsV2 pagination (s3rver in a child process with the OpenSSL legacy provider)', T, async () => {
    // s3rver encrypts continuation tokens with DES, which OpenSSL 3 only offers through its
    // legacy provider: every truncated ListObjectsV2 page is a 500 in a default Node 20 process.
    const r = spawnSync(process.execPath, ['--openssl-legacy-provider', '--import', 'tsx', join(import.meta.dirname, 'paginate.child.ts')], { encoding: 'utf8', timeout: 50_000 });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    assert.deepEqual(out.keys, out.expected);
    assert.ok(out.pages >= 3, `pages: ${out.pages}`);
  });

  test('checkBucket names the endpoint and bucket, never the secret', T, async () => {
    await make().checkBucket();
    const missing = make({ bucket: 'no-such-bucket' });
    await assert.rejects(missing.checkBucket(), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /no-such-bucket/);
      assert.match(e.message, new RegExp(s3.endpoint.replace(/[.]/g, '\\.')));
      assert.match(e.message, /does not exist/);
      return true;
    });
    const secret = 'very-secret-key-0123456789';
    const wrong = make({ credentials: { accessKeyId: S3RVER_KEY, secretAccessKey: secret } });
    await assert.rejects(wrong.checkBucket(), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /access denied/);
      assert.ok(!e.message.includes(secret));
      return true;
    });
  });

  test('sweepTemporary works although s3rver lacks ListMultipartUploads', T, async () => {
    // s3rver answers ListMultipartUploads with 501 NotImplemented: the store sweeps staging objects only
    assert.equal(typeof (await make().sweepTemporary(3600_000)).removed, 'number');
  });
});

describe('s3OptionsFromConfig', () => {
  const base = { region: 'us-east-1', bucket: 'logsnap', forcePathStyle: true, partSizeMb: 8 };
  test('maps the config section', () => {
    const o = s3OptionsFromConfig({ ...base, endpoint: 'http://127.0.0.1:9000', accessKeyId: 'AK', secretAccessKey: 'SK' });
    assert.equal(o.partSize, 8 * MiB);
    assert.deepEqual(o.credentials, { accessKeyId: 'AK', secretAccessKey: 'SK' });
    assert.equal(s3OptionsFromConfig(base).credentials, undefined);
  });
  test('rejects missing section, bad bucket, half credentials, credentials in the endpoint; never echoes secrets', () => {
    assert.throws(() => s3OptionsFromConfig(undefined), /LOGSNAP_S3_BUCKET/);
    assert.throws(() => s3OptionsFromConfig({ ...base, bucket: 'Bad_Bucket' }), /storage\.s3\.bucket/);
    assert.throws(() => s3OptionsFromConfig({ ...base, accessKeyId: 'AK' }), /accessKeyId and secretAccessKey go together/);
    assert.throws(() => s3OptionsFromConfig({ ...base, secretAccessKey: 'topsecret' }), (e: Error) => !e.message.includes('topsecret'));
    assert.throws(() => s3OptionsFromConfig({ ...base, endpoint: 'http://ak:topsecret@host:9000' }), (e: Error) => /must not contain credentials/.test(e.message) && !e.message.includes('topsecret'));
  });
});
