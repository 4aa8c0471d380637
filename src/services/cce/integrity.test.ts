import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { integrityCheck, SnapshotIntegrity, SnapshotIntegrityError } from './integrity.js';

/** What etcd streams: a database of whole pages, then sha256 of it. */
function snapshotBytes(pages = 3): Buffer {
  const db = randomBytes(4096 * pages);
  return Buffer.concat([db, createHash('sha256').update(db).digest()]);
}

function feed(bytes: Buffer, sizes: number[]): SnapshotIntegrity {
  const c = new SnapshotIntegrity();
  let at = 0;
  let i = 0;
  while (at < bytes.length) {
    const n = sizes[i++ % sizes.length];
    c.update(bytes.subarray(at, at + n));
    at += n;
  }
  return c;
}

test('accepts an intact snapshot whatever the chunking (tail split across chunks, tiny chunks)', () => {
  const bytes = snapshotBytes();
  for (const sizes of [[bytes.length], [32 * 1024], [1], [7, 31, 33], [4096], [bytes.length - 10, 10], [bytes.length - 40, 8, 32]]) {
    const r = feed(bytes, sizes).verify();
    assert.equal(r.dataBytes, 4096 * 3);
    assert.equal(r.sha256, createHash('sha256').update(bytes.subarray(0, 4096 * 3)).digest('hex'));
  }
});

test('a corrupted tail, a corrupted database byte, a missing hash or a short stream are detected', () => {
  const bytes = snapshotBytes();
  const tail = Buffer.from(bytes);
  tail[tail.length - 1] ^= 0xff;
  assert.throws(() => feed(tail, [1000]).verify(), (e: Error) => e instanceof SnapshotIntegrityError && /corrupt/.test(e.message));
  const body = Buffer.from(bytes);
  body[100] ^= 0x01;
  assert.throws(() => feed(body, [4096]).verify(), /corrupt/);
  assert.throws(() => feed(bytes.subarray(0, 4096 * 3), [4096]).verify(), /does not end with the 32-byte sha256/);
  assert.throws(() => feed(bytes.subarray(0, 20), [20]).verify(), /too short/);
});

test('integrityCheck() passes bytes through and fails the pipeline at the end on a bad hash', async () => {
  const bytes = snapshotBytes(2);
  const out: Buffer[] = [];
  const sink = () => new Writable({ write(c, _e, cb) { out.push(c); cb(); } });
  await pipeline(Readable.from([bytes.subarray(0, 5000), bytes.subarray(5000)]), integrityCheck(), sink());
  assert.deepEqual(Buffer.concat(out), bytes);
  const bad = Buffer.from(bytes);
  bad[bad.length - 32] ^= 0x80;
  await assert.rejects(pipeline(Readable.from([bad]), integrityCheck(), sink()), SnapshotIntegrityError);
});
