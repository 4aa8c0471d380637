import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FsObjectStore } from '../../storage/fsStore.js';
import type { ObjectStore } from '../../storage/objectStore.js';
import { runBackup } from './backup.js';
import { isLogFileName, planIncremental, reuseAfterHash, type ManifestEntry } from './logFiles.js';
import { logText } from './sampleLogs.js';

const root = mkdtempSync(join(tmpdir(), 'css-backup-unit-'));
after(() => rmSync(root, { recursive: true, force: true }));
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** The real fs store; `onFirstChunk(key)` runs once when the first bytes of an object arrive (file being read). */
function storeWithHook(dir: string, onFirstChunk: (key: string) => void): ObjectStore {
  const fs = new FsObjectStore(dir, { key: randomBytes(32), baseUrl: () => 'http://x' });
  const delegate = {
    driver: fs.driver, get: fs.get.bind(fs), head: fs.head.bind(fs), list: fs.list.bind(fs), delete: fs.delete.bind(fs),
    presignGet: fs.presignGet.bind(fs), usage: fs.usage.bind(fs), sweepTemporary: fs.sweepTemporary.bind(fs),
  };
  return Object.assign(delegate, {
    put: (bucket: string, key: string, body: Readable, opts?: { contentType?: string; signal?: AbortSignal }) => {
      let first = true;
      const tap = new Transform({
        transform(c, _e, cb) {
          if (first) {
            first = false;
            onFirstChunk(key);
          }
          cb(null, c);
        },
      });
      body.on('error', (e) => tap.destroy(e));
      tap.on('error', () => undefined); // fs.put reports it
      return fs.put(bucket, key, body.pipe(tap), opts);
    },
  });
}

async function content(store: ObjectStore, e: ManifestEntry): Promise<Buffer> {
  const got = await store.get(e.bucket, e.key);
  const chunks: Buffer[] = [];
  const sink = new Transform({ transform(c, _e, cb) { chunks.push(c); cb(); } });
  if (e.encoding === 'gzip') await pipeline(got.body, createGunzip(), sink);
  else await pipeline(got.body, sink);
  return Buffer.concat(chunks);
}

test('log file names', () => {
  for (const n of ['es.log', 'es.log.1', 'gc.log.00', 'es-2024-01-01-1.log.gz', 'es.log.3.gz']) assert.ok(isLogFileName(n), n);
  for (const n of ['es.json', 'es.log.tmp', 'es.log.gz.1', '.hidden.log', 'es.logx', 'README']) assert.ok(!isLogFileName(n), n);
});

test('incremental decision: size+mtime select a candidate, sha256 decides', () => {
  const prev = { size: 10, mtime: 5, sha256: 'aa', bucket: 'b' } as ManifestEntry;
  assert.equal(planIncremental(undefined, { size: 10, mtime: 5 }, 'b').action, 'upload');
  assert.equal(planIncremental(prev, { size: 11, mtime: 5 }, 'b').action, 'upload');
  assert.equal(planIncremental(prev, { size: 10, mtime: 6 }, 'b').action, 'upload');
  assert.equal(planIncremental(prev, { size: 10, mtime: 5 }, 'other').action, 'upload');
  const plan = planIncremental(prev, { size: 10, mtime: 5 }, 'b');
  assert.equal(plan.action, 'verify');
  assert.equal(reuseAfterHash(plan, 'aa'), prev);
  assert.equal(reuseAfterHash(plan, 'bb'), null);
});

test('rename rotation while a file is read: the backup holds the old file, complete and consistent', async () => {
  const dir = join(root, 'rename', 'n');
  const original = Buffer.from(logText('n', 4_000_000, 3));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'es.log'), original, { flag: 'w' });
  const store = storeWithHook(join(root, 'rename-store'), (key) => {
    if (key.endsWith('/es.log.gz')) {
      renameSync(join(dir, 'es.log'), join(dir, 'es.log.1'));
      writeFileSync(join(dir, 'es.log'), 'a brand new log\n');
    }
  });
  const m = await runBackup({ store, clusterId: 'c', jobId: 'j', jobType: 'Manual', nodes: [{ name: 'n', logDir: dir }], bucket: 'bkt', prefix: 'p/c/j', now: Date.now });
  assert.equal(m.files.length, 1);
  const e = m.files[0];
  assert.equal(e.size, original.length);
  assert.equal(e.sha256, sha(original));
  assert.equal(sha(await content(store, e)), sha(original));
});

test('copytruncate rotation while a file is read: detected and read again; the stored bytes match the manifest', async () => {
  const dir = join(root, 'trunc', 'n');
  const original = Buffer.from(logText('n', 6_000_000, 4));
  const fresh = '[2024-05-11T00:00:00,000][INFO ][o.e.n.Node] [n] after rotation\n'.repeat(20);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'app.log'), original);
  let rotated = 0;
  const store = storeWithHook(join(root, 'trunc-store'), (key) => {
    if (key.endsWith('/app.log.gz') && rotated++ === 0) {
      truncateSync(join(dir, 'app.log'), 0);
      appendFileSync(join(dir, 'app.log'), fresh);
    }
  });
  const m = await runBackup({ store, clusterId: 'c', jobId: 'j', jobType: 'Manual', nodes: [{ name: 'n', logDir: dir }], bucket: 'bkt', prefix: 'p/c/j', now: Date.now });
  assert.ok(rotated >= 2, 'the file was read a second time');
  const e = m.files[0];
  assert.equal(e.size, Buffer.byteLength(fresh));
  assert.equal(e.sha256, sha(fresh));
  assert.equal((await content(store, e)).toString(), fresh);
});

test('a file growing while it is read: the snapshot is the size at open, flagged', async () => {
  const dir = join(root, 'grow', 'n');
  const original = Buffer.from(logText('n', 3_000_000, 5));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'es.log'), original);
  const store = storeWithHook(join(root, 'grow-store'), () => appendFileSync(join(dir, 'es.log'), 'one more line\n'.repeat(1000)));
  const m = await runBackup({ store, clusterId: 'c', jobId: 'j', jobType: 'Manual', nodes: [{ name: 'n', logDir: dir }], bucket: 'bkt', prefix: 'p/c/j', now: Date.now });
  const e = m.files[0];
  assert.equal(e.size, original.length);
  assert.equal(e.sha256, sha(original));
  assert.equal(e.changedDuringBackup, true);
  assert.ok(readFileSync(join(dir, 'es.log')).length > original.length);
  assert.equal(sha(await content(store, e)), sha(original));
});
