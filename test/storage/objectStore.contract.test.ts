/**
 * The ObjectStore contract, run unchanged against the filesystem store (behind a real logsnap
 * server, which serves its signed links) and the S3 store (against an S3-protocol server,
 * @20minutes/s3rver, started in this process). Neither is ever skipped.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, statSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { PutObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { FakeClock, startServer, type TestServer } from '../helpers/server.js';
import { InvalidObjectNameError, ObjectNotFoundError, RangeNotSatisfiableError, type ObjectStore, type SweepResult } from '../../src/storage/objectStore.js';
import { S3ObjectStore, TMP_PREFIX } from '../../src/storage/s3Store.js';
import { startS3, S3RVER_KEY, S3RVER_SECRET, type TestS3 } from './s3rver.js';

const MiB = 1024 * 1024;
const T = { timeout: 60_000 };

interface Harness {
  store: ObjectStore;
  /** the clock presigned links are judged by */
  now(): number;
  /** move that clock forward (fs: FakeClock of the serving logsnap); absent when it is the wall clock */
  advance?(ms: number): void;
  /** bytes that have left the process towards storage since the harness started */
  durableBytes(): number;
  /** the most bytes a streaming put may hold in memory */
  maxLag: number;
  /** leave a leftover of an interrupted put; returns "does it still exist" */
  plantTemporary(): Promise<() => Promise<boolean>>;
  /** sweep with 1 h as the age limit, the leftovers being 2 h old */
  sweepAged(): Promise<SweepResult>;
  close(): Promise<void>;
}

async function fsHarness(): Promise<Harness> {
  const clock = new FakeClock();
  // the server's periodic sweep must not beat the test's own
  const srv: TestServer = await startServer({ clock, config: { jobs: { tempMaxAgeSeconds: 86400 } } });
  const root = srv.rt.config.storage.root;
  const tmp = join(root, '.tmp');
  return {
    store: srv.rt.store,
    now: () => clock.now(),
    advance: (ms) => clock.advance(ms),
    durableBytes() {
      let n = 0;
      try {
        for (const f of readdirSync(tmp)) n += statSync(join(tmp, f)).size;
      } catch {
        /* no .tmp yet */
      }
      return n;
    },
    maxLag: 4 * MiB,
    async plantTemporary() {
      mkdirSync(tmp, { recursive: true });
      const p = join(tmp, `leftover-${randomBytes(4).toString('hex')}`);
      writeFileSync(p, 'partial upload');
      return async () => existsSync(p);
    },
    async sweepAged() {
      const old = (Date.now() - 2 * 3600_000) / 1000;
      for (const f of readdirSync(tmp)) utimesSync(join(tmp, f), old, old);
      return srv.rt.store.sweepTemporary(3600_000);
    },
    close: () => srv.close(),
  };
}

async function s3Harness(): Promise<Harness> {
  const s3: TestS3 = await startS3();
  let offset = 0;
  const partSize = 5 * MiB;
  const queueSize = 2;
  const store = new S3ObjectStore({
    endpoint: s3.endpoint, region: 'us-east-1', bucket: s3.bucket, forcePathStyle: true,
    credentials: { accessKeyId: S3RVER_KEY, secretAccessKey: S3RVER_SECRET },
    partSize, queueSize, now: () => Date.now() + offset,
  });
  const rx0 = s3.receivedBytes();
  return {
    store,
    now: () => Date.now(),
    durableBytes: () => s3.receivedBytes() - rx0,
    // parts in flight + the part being filled + the first part read by put() + socket buffers
    maxLag: (queueSize + 1) * partSize + 4 * MiB,
    async plantTemporary() {
      const Key = `${TMP_PREFIX}leftover-${randomBytes(4).toString('hex')}`;
      await store.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key, Body: 'partial upload' }));
      return async () =>
        store.client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key })).then(() => true, () => false);
    },
    async sweepAged() {
      offset = 2 * 3600_000; // S3 sets LastModified itself: age the store's clock instead
      try {
        return await store.sweepTemporary(3600_000);
      } finally {
        offset = 0;
      }
    },
    async close() {
      store.destroy();
      await s3.close();
    },
  };
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function readAll(r: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of r) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function getBytes(store: ObjectStore, bucket: string, key: string, range?: { start: number; end?: number }) {
  const g = await store.get(bucket, key, range);
  return { ...g, data: await readAll(g.body) };
}

async function collect(it: AsyncIterable<{ key: string; size: number }>) {
  const out: { key: string; size: number }[] = [];
  for await (const o of it) out.push({ key: o.key, size: o.size });
  return out;
}

/** A source that fails after `failAfter` bytes, like a disk read or a network stream breaking. */
function failingSource(failAfter: number): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= failAfter) {
        this.destroy(new Error('source broke: disk read failed'));
        return;
      }
      const b = randomBytes(256 * 1024);
      sent += b.length;
      this.push(b);
    },
  });
}

/** An endless source that calls onBytes as it goes. */
function endlessSource(onBytes: (sent: number) => void): Readable {
  let sent = 0;
  return new Readable({
    read() {
      const b = randomBytes(256 * 1024);
      sent += b.length;
      this.push(b);
      onBytes(sent);
    },
  });
}

function contract(name: string, make: () => Promise<Harness>) {
  describe(`ObjectStore contract: ${name}`, () => {
    let h: Harness;
    let store: ObjectStore;
    before(async () => {
      h = await make();
      store = h.store;
    });
    after(async () => h?.close());

    test('put/get round trip returns size and sha256; head reports them', T, async () => {
      const data = randomBytes(100_000);
      const r = await store.put('bkt-one', 'alpha/one.bin', Readable.from([data.subarray(0, 30_000), data.subarray(30_000)]), { contentType: 'application/x-test' });
      assert.deepEqual(r, { size: data.length, sha256: sha(data) });
      const info = await store.head('bkt-one', 'alpha/one.bin');
      assert.ok(info);
      assert.equal(info.size, data.length);
      assert.equal(info.sha256, sha(data));
      assert.equal(info.contentType, 'application/x-test');
      assert.equal(info.bucket, 'bkt-one');
      assert.equal(info.key, 'alpha/one.bin');
      const g = await getBytes(store, 'bkt-one', 'alpha/one.bin');
      assert.equal(g.size, data.length);
      assert.deepEqual(g.range, { start: 0, end: data.length - 1 });
      assert.ok(g.data.equals(data));
    });

    test('an empty object round-trips', T, async () => {
      const r = await store.put('bkt-one', 'alpha/empty', Readable.from([]));
      assert.deepEqual(r, { size: 0, sha256: sha(Buffer.alloc(0)) });
      assert.equal((await store.head('bkt-one', 'alpha/empty'))?.size, 0);
      assert.equal((await getBytes(store, 'bkt-one', 'alpha/empty')).data.length, 0);
    });

    test('a put replaces an existing object', T, async () => {
      await store.put('bkt-one', 'alpha/replace', Readable.from([Buffer.from('first version')]));
      const second = Buffer.from('second, longer version');
      await store.put('bkt-one', 'alpha/replace', Readable.from([second]));
      assert.ok((await getBytes(store, 'bkt-one', 'alpha/replace')).data.equals(second));
      assert.equal((await store.head('bkt-one', 'alpha/replace'))?.sha256, sha(second));
    });

    test('a 48 MB put streams with bounded memory and is only visible when complete', T, async () => {
      const total = 48 * MiB;
      const chunk = MiB;
      const block = randomBytes(chunk);
      const hash = createHash('sha256');
      await store.put('bkt-one', 'big/stream.bin', Readable.from([Buffer.from('previous version')]));
      let produced = 0;
      let maxLag = 0;
      const start = h.durableBytes();
      let seenMidway: { size: number } | null | undefined;
      const src = new Readable({
        read() {
          if (produced >= total) {
            this.push(null);
            return;
          }
          maxLag = Math.max(maxLag, produced - (h.durableBytes() - start));
          const b = Buffer.from(block);
          b.writeUInt32BE(produced / chunk, 0); // every MiB differs
          hash.update(b);
          produced += b.length;
          if (produced === 24 * MiB && seenMidway === undefined) {
            // halfway: readers still see the previous version
            store.head('bkt-one', 'big/stream.bin').then((i) => {
              seenMidway = i;
              this.push(b);
            }, (e) => this.destroy(e));
            return;
          }
          this.push(b);
        },
      });
      const r = await store.put('bkt-one', 'big/stream.bin', src);
      const digest = hash.digest('hex');
      assert.deepEqual(r, { size: total, sha256: digest });
      assert.equal(seenMidway?.size, 'previous version'.length, 'the half-written object must not be visible');
      assert.ok(maxLag <= h.maxLag, `put held ${(maxLag / MiB).toFixed(1)} MiB ahead of storage (limit ${h.maxLag / MiB} MiB)`);
      assert.ok(maxLag > 0);
      const info = await store.head('bkt-one', 'big/stream.bin');
      assert.equal(info?.size, total);
      assert.equal(info?.sha256, digest);
      const g = await store.get('bkt-one', 'big/stream.bin');
      const h2 = createHash('sha256');
      let n = 0;
      for await (const c of g.body) {
        h2.update(c as Buffer);
        n += (c as Buffer).length;
      }
      assert.equal(n, total);
      assert.equal(h2.digest('hex'), digest);
    });

    test('Range get: start-end, open end, single byte, clamped end, unsatisfiable', T, async () => {
      const data = randomBytes(1000);
      await store.put('bkt-one', 'range/r.bin', Readable.from([data]));
      let g = await getBytes(store, 'bkt-one', 'range/r.bin', { start: 10, end: 19 });
      assert.deepEqual(g.range, { start: 10, end: 19 });
      assert.equal(g.size, 1000);
      assert.ok(g.data.equals(data.subarray(10, 20)));
      g = await getBytes(store, 'bkt-one', 'range/r.bin', { start: 990 });
      assert.deepEqual(g.range, { start: 990, end: 999 });
      assert.ok(g.data.equals(data.subarray(990)));
      g = await getBytes(store, 'bkt-one', 'range/r.bin', { start: 0, end: 0 });
      assert.deepEqual(g.range, { start: 0, end: 0 });
      assert.ok(g.data.equals(data.subarray(0, 1)));
      g = await getBytes(store, 'bkt-one', 'range/r.bin', { start: 500, end: 5000 });
      assert.deepEqual(g.range, { start: 500, end: 999 });
      assert.ok(g.data.equals(data.subarray(500)));
      for (const bad of [{ start: 1000 }, { start: 5000, end: 6000 }, { start: 20, end: 10 }]) {
        await assert.rejects(store.get('bkt-one', 'range/r.bin', bad), (e) => e instanceof RangeNotSatisfiableError && e.size === 1000, JSON.stringify(bad));
      }
      await assert.rejects(store.get('bkt-one', 'range/missing', { start: 0, end: 1 }), ObjectNotFoundError);
      await assert.rejects(store.get('bkt-one', 'range/missing'), ObjectNotFoundError);
    });

    test('head of a missing object is null', T, async () => {
      assert.equal(await store.head('bkt-one', 'nope/never'), null);
      assert.equal(await store.head('bkt-never-used', 'x'), null);
    });

    test('list by prefix: key order, nested prefixes, a prefix that is not a folder, bucket isolation', T, async () => {
      const keys = ['l/b/4', 'l/a/2', 'l/ab', 'l/a/b/3', 'l/a/1', 'l/a-z'];
      for (const k of keys) await store.put('bkt-list', k, Readable.from([Buffer.from(k)]));
      await store.put('bkt-list2', 'l/a/other', Readable.from([Buffer.from('x')]));
      const ks = async (p?: string) => (await collect(store.list('bkt-list', p))).map((o) => o.key);
      assert.deepEqual(await ks(), [...keys].sort());
      assert.deepEqual(await ks('l/a/'), ['l/a/1', 'l/a/2', 'l/a/b/3']);
      assert.deepEqual(await ks('l/a'), ['l/a-z', 'l/a/1', 'l/a/2', 'l/a/b/3', 'l/ab']);
      assert.deepEqual(await ks('l/a/b'), ['l/a/b/3']);
      assert.deepEqual(await ks('l/c'), []);
      assert.deepEqual(await ks('zzz/'), []);
      const withSizes = await collect(store.list('bkt-list', 'l/b/'));
      assert.deepEqual(withSizes, [{ key: 'l/b/4', size: 5 }]);
      assert.deepEqual((await collect(store.list('bkt-list2'))).map((o) => o.key), ['l/a/other']);
      assert.deepEqual(await collect(store.list('bkt-list-empty')), []);
    });

    test('delete removes the object; deleting again or deleting a missing one is not an error', T, async () => {
      await store.put('bkt-one', 'del/x', Readable.from([Buffer.from('bye')]));
      await store.delete('bkt-one', 'del/x');
      assert.equal(await store.head('bkt-one', 'del/x'), null);
      await store.delete('bkt-one', 'del/x');
      await store.delete('bkt-one', 'del/never/existed');
      await assert.rejects(store.get('bkt-one', 'del/x'), ObjectNotFoundError);
      assert.deepEqual(await collect(store.list('bkt-one', 'del/')), []);
    });

    for (const failAfter of [MiB, 7 * MiB]) {
      test(`a source failing after ${failAfter / MiB} MiB rejects the put and leaves no object (the old version stays)`, T, async () => {
        await assert.rejects(store.put('bkt-fail', `f/${failAfter}`, failingSource(failAfter)), /source broke: disk read failed/);
        assert.equal(await store.head('bkt-fail', `f/${failAfter}`), null);
        assert.deepEqual(await collect(store.list('bkt-fail', `f/${failAfter}`)), []);
        await store.put('bkt-fail', 'f/existing', Readable.from([Buffer.from('good old data')]));
        await assert.rejects(store.put('bkt-fail', 'f/existing', failingSource(failAfter)), /source broke/);
        assert.equal((await getBytes(store, 'bkt-fail', 'f/existing')).data.toString(), 'good old data');
      });
    }

    test('an aborted put (AbortSignal) rejects with AbortError and leaves no object', T, async () => {
      for (const abortAt of [MiB, 7 * MiB]) {
        const ac = new AbortController();
        const src = endlessSource((sent) => {
          if (sent >= abortAt && !ac.signal.aborted) ac.abort();
        });
        await assert.rejects(store.put('bkt-abort', `a/${abortAt}`, src, { signal: ac.signal }), { name: 'AbortError' });
        assert.equal(await store.head('bkt-abort', `a/${abortAt}`), null);
      }
      const pre = new AbortController();
      pre.abort();
      await assert.rejects(store.put('bkt-abort', 'a/pre', Readable.from([Buffer.from('x')]), { signal: pre.signal }), { name: 'AbortError' });
      assert.equal(await store.head('bkt-abort', 'a/pre'), null);
      // an existing object survives an aborted replacement
      await store.put('bkt-abort', 'a/kept', Readable.from([Buffer.from('kept')]));
      const ac = new AbortController();
      await assert.rejects(store.put('bkt-abort', 'a/kept', endlessSource((s) => s >= 6 * MiB && ac.abort()), { signal: ac.signal }), { name: 'AbortError' });
      assert.equal((await getBytes(store, 'bkt-abort', 'a/kept')).data.toString(), 'kept');
    });

    test('invalid bucket and key names are rejected by every operation', T, async () => {
      const badBuckets = ['', 'ab', 'UPPER', '../etc', 'a..b', '-abc', 'has_underscore', '192.168.1.1', 'x'.repeat(64)];
      const badKeys = ['', '../x', 'a/../../x', '/abs', 'a//b', 'a/./b', 'a/', 'a\\b', 'nul\x00byte', 'é'.repeat(600)];
      const isBad = (e: unknown) => e instanceof InvalidObjectNameError;
      for (const b of badBuckets) {
        await assert.rejects(store.put(b, 'k', Readable.from([Buffer.from('x')])), isBad, b);
        await assert.rejects(store.get(b, 'k'), isBad, b);
        await assert.rejects(store.head(b, 'k'), isBad, b);
        await assert.rejects(store.delete(b, 'k'), isBad, b);
        await assert.rejects(store.presignGet(b, 'k', h.now() + 60_000), isBad, b);
        await assert.rejects(collect(store.list(b)), isBad, b);
      }
      for (const k of badKeys) {
        await assert.rejects(store.put('bkt-one', k, Readable.from([Buffer.from('x')])), isBad, k);
        await assert.rejects(store.get('bkt-one', k), isBad, k);
        await assert.rejects(store.head('bkt-one', k), isBad, k);
        await assert.rejects(store.delete('bkt-one', k), isBad, k);
        await assert.rejects(store.presignGet('bkt-one', k, h.now() + 60_000), isBad, k);
      }
      for (const p of ['../x', '/abs', 'a//b', 'a/../']) await assert.rejects(collect(store.list('bkt-one', p)), isBad, p);
    });

    test('presignGet: plain fetch downloads the exact bytes (and a Range); tampered links are refused', T, async () => {
      const data = randomBytes(300_000);
      await store.put('bkt-dl', 'dl/file.bin', Readable.from([data]));
      await store.put('bkt-dl', 'dl/other.bin', Readable.from([Buffer.from('not this one')]));
      const url = await store.presignGet('bkt-dl', 'dl/file.bin', h.now() + 10 * 60_000);
      let r = await fetch(url);
      assert.equal(r.status, 200);
      assert.ok(Buffer.from(await r.arrayBuffer()).equals(data));
      r = await fetch(url, { headers: { Range: 'bytes=100-199' } });
      assert.equal(r.status, 206);
      assert.ok(Buffer.from(await r.arrayBuffer()).equals(data.subarray(100, 200)));

      const sig = /([?&](?:X-Amz-)?Signature=)([0-9a-f]{64})/;
      assert.match(url, sig);
      const tampered = {
        signature: url.replace(sig, (_m, p: string, s: string) => p + s.slice(0, -1) + (s.endsWith('0') ? '1' : '0')),
        key: url.replace('/dl/file.bin', '/dl/other.bin'),
        expiry: url.replace(/([?&](?:X-Amz-)?Expires=)(\d+)/, (_m, p: string, n: string) => p + String(Number(n) + 3600)),
      };
      for (const [what, u] of Object.entries(tampered)) {
        assert.notEqual(u, url, what);
        const t = await fetch(u);
        assert.equal(t.status, 403, `tampered ${what} must be refused`);
        const body = Buffer.from(await t.arrayBuffer());
        assert.ok(!body.includes(data.subarray(0, 64)), `tampered ${what} must not leak the object`);
      }
    });

    test('keys with spaces, reserved characters and unicode round-trip, list and presign', T, async () => {
      // not '&', '<', '>': s3rver double-escapes them in ListObjectsV2 XML (see docs/storage.md)
      const ascii = 'odd/with space, plus+ (1)=x;y@$!~.txt';
      const unicode = 'odd/ü 日本.txt';
      for (const key of [ascii, unicode]) {
        const data = Buffer.from(`content of ${key}`);
        await store.put('bkt-odd', key, Readable.from([data]));
        assert.equal((await store.head('bkt-odd', key))?.sha256, sha(data));
        assert.ok((await getBytes(store, 'bkt-odd', key)).data.equals(data));
      }
      assert.deepEqual((await collect(store.list('bkt-odd', 'odd/'))).map((o) => o.key), [ascii, unicode]);
      // presigned download of the ASCII one (the fs download route cannot yet send non-ASCII
      // file names in Content-Disposition: reported, platform file)
      const r = await fetch(await store.presignGet('bkt-odd', ascii, h.now() + 60_000));
      assert.equal(r.status, 200);
      assert.equal(await r.text(), `content of ${ascii}`);
    });

    test('presignGet: the link stops working at its expiry', T, async () => {
      await store.put('bkt-dl', 'dl/expiring.txt', Readable.from([Buffer.from('soon gone')]));
      const url = await store.presignGet('bkt-dl', 'dl/expiring.txt', h.now() + 60_000);
      assert.equal((await fetch(url)).status, 200);
      let expired: string;
      if (h.advance) {
        h.advance(61_000);
        expired = url;
      } else {
        // the S3 server judges by the wall clock: sign a link whose expiry has already passed
        expired = await store.presignGet('bkt-dl', 'dl/expiring.txt', h.now() - 1000);
      }
      const r = await fetch(expired);
      assert.equal(r.status, 403);
      assert.match(await r.text(), /expired/i);
    });

    test('usage counts objects and bytes', T, async () => {
      const before = await store.usage();
      await store.put('bkt-usage', 'u/1', Readable.from([Buffer.alloc(1000)]));
      await store.put('bkt-usage', 'u/2', Readable.from([Buffer.alloc(234)]));
      const after = await store.usage();
      assert.deepEqual(after, { objects: before.objects + 2, bytes: before.bytes + 1234 });
      await store.delete('bkt-usage', 'u/1');
      assert.deepEqual(await store.usage(), { objects: before.objects + 1, bytes: before.bytes + 234 });
    });

    test('buckets: every bucket written to, in name order, never the staging area', T, async () => {
      await store.put('bkt-zz-buckets', 'a/b.txt', Readable.from([Buffer.from('x')]));
      const names: string[] = [];
      for await (const b of store.buckets!()) names.push(b);
      assert.ok(names.includes('bkt-one') && names.includes('bkt-list') && names.includes('bkt-zz-buckets'), names.join(','));
      assert.deepEqual(names, [...names].sort());
      assert.deepEqual(names.filter((n) => n.startsWith('.')), []);
    });

    test('sweepTemporary removes old leftovers of interrupted puts, keeps recent ones and objects', T, async () => {
      const exists = await h.plantTemporary();
      await store.sweepTemporary(3600_000);
      assert.equal(await exists(), true, 'a fresh leftover may belong to a running put');
      await store.put('bkt-sweep', 's/kept', Readable.from([Buffer.from('kept')]));
      const n = await h.sweepAged();
      assert.ok(n.removed >= 1 && n.bytes >= 'partial upload'.length, `swept ${JSON.stringify(n)}`);
      assert.equal(await exists(), false);
      assert.equal((await getBytes(store, 'bkt-sweep', 's/kept')).data.toString(), 'kept');
    });
  });
}

contract('filesystem', fsHarness);
contract('S3 (s3rver)', s3Harness);
