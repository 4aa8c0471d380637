import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import {
  AeadError, cipherRangeFor, decryptStream, encryptStream, HEADER_SIZE, layoutOf, parseHeader, storedSizeOf, TAG_SIZE,
} from './aead.js';

const C = 64; // small chunks: many chunk boundaries in little data
const key = randomBytes(32);
const dekId = randomBytes(16).toString('hex');

async function collect(src: Readable, t: NodeJS.ReadWriteStream): Promise<Buffer> {
  const out: Buffer[] = [];
  await pipeline(src, t, new Writable({ write(c, _e, cb) { out.push(c); cb(); } }));
  return Buffer.concat(out);
}
/** feed in uneven pieces to exercise the chunk assembly */
function pieces(b: Buffer): Readable {
  const parts: Buffer[] = [];
  for (let i = 0, n = 1; i < b.length; i += n, n = (n * 7) % 23 + 1) parts.push(b.subarray(i, i + n));
  return Readable.from(parts);
}
const seal = (plain: Buffer) => collect(pieces(plain), encryptStream(key, dekId, C));
const open = (sealed: Buffer, k = key, opts = {}) => collect(pieces(sealed), decryptStream(k, { dataKeyId: dekId, ...opts }));

test('round trip at every size around chunk boundaries; the stored size is predictable and invertible', async () => {
  for (const n of [0, 1, C - 1, C, C + 1, 2 * C, 3 * C + 5, 1000]) {
    const plain = randomBytes(n);
    const sealed = await seal(plain);
    assert.equal(sealed.length, storedSizeOf(n, C), `stored size of ${n}`);
    assert.deepEqual(layoutOf(sealed.length, C), { plainSize: n, chunks: Math.max(1, Math.ceil(n / C)) });
    assert.ok((await open(sealed)).equals(plain), `round trip of ${n} bytes`);
    assert.equal(parseHeader(sealed).dataKeyId, dekId);
    assert.equal(parseHeader(sealed).chunkSize, C);
  }
});

test('no plaintext in the sealed bytes', async () => {
  const plain = Buffer.from('the same line of log text\n'.repeat(50));
  const sealed = await seal(plain);
  assert.equal(sealed.indexOf('the same line'), -1);
});

test('one flipped byte anywhere (header, ciphertext, tag) fails authentication', async () => {
  const plain = randomBytes(3 * C + 10);
  const sealed = await seal(plain);
  for (const at of [9, 20, HEADER_SIZE, HEADER_SIZE + C, HEADER_SIZE + C + TAG_SIZE + 3, sealed.length - 1]) {
    const bad = Buffer.from(sealed);
    bad[at] ^= 0x01;
    await assert.rejects(open(bad), (e: unknown) => e instanceof AeadError, `flip at ${at}`);
  }
});

test('truncation (inside a chunk, at a chunk boundary, the header only), reordering, appending and a wrong key are detected', async () => {
  const sealed = await seal(randomBytes(4 * C));
  const full = C + TAG_SIZE;
  const chunk = (i: number) => sealed.subarray(HEADER_SIZE + i * full, HEADER_SIZE + (i + 1) * full);
  const header = sealed.subarray(0, HEADER_SIZE);
  await assert.rejects(open(sealed.subarray(0, sealed.length - 5)), /failed authentication/);
  await assert.rejects(open(Buffer.concat([header, chunk(0), chunk(1)])), /failed authentication/, 'cut at a chunk boundary: the last chunk is not final');
  await assert.rejects(open(header), /without its final chunk|truncated/);
  await assert.rejects(open(Buffer.concat([header, chunk(1), chunk(0), chunk(2), chunk(3)])), /chunk 0 failed authentication/);
  await assert.rejects(open(Buffer.concat([sealed, chunk(0)])), /failed authentication/);
  await assert.rejects(open(sealed, randomBytes(32)), /failed authentication/);
  await assert.rejects(open(sealed, key, { dataKeyId: 'ff'.repeat(16) }), /not ffff/);
  await assert.rejects(open(Buffer.from('not encrypted at all, just text that is long enough')), /not a logsnap encrypted object/);
});

test('ranges decrypt only the covering chunks and trim exactly', async () => {
  const plain = randomBytes(5 * C + 17);
  const sealed = await seal(plain);
  const header = sealed.subarray(0, HEADER_SIZE);
  for (const [s, e] of [[0, 0], [0, plain.length - 1], [C - 1, C], [C, 2 * C - 1], [2 * C + 3, 4 * C + 9], [plain.length - 1, plain.length - 1], [70, 300]]) {
    const r = cipherRangeFor(s, e, sealed.length, C);
    const part = sealed.subarray(r.start, r.end + 1);
    const got = await collect(Readable.from([part]), decryptStream(key, {
      header, firstChunk: r.firstChunk, lastIsFinal: r.lastIsFinal, skip: r.skip, length: r.length,
    }));
    assert.ok(got.equals(plain.subarray(s, e + 1)), `range ${s}-${e}`);
  }
});
