import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { parallelGzip } from './parallelGzip.js';

async function run(input: Buffer, chunk: number, opts: Parameters<typeof parallelGzip>[0]): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for (let i = 0; i < input.length; i += chunk) pieces.push(input.subarray(i, i + chunk));
  const out: Buffer[] = [];
  await pipeline(Readable.from(pieces), parallelGzip(opts), async function* (src) {
    for await (const c of src) out.push(c as Buffer);
  });
  return Buffer.concat(out);
}

test('any input, any chunking, any block size and concurrency: gunzip gives the input back, in order', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 0, max: 300_000 }), fc.integer({ min: 1, max: 70_000 }), fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 1, max: 4 }), fc.boolean(),
      async (size, chunk, blockSize, concurrency, compressible) => {
        const input = compressible ? Buffer.from('log line 0123456789 '.repeat(Math.ceil(size / 20) + 1)).subarray(0, size) : randomBytes(size);
        const gz = await run(input, chunk, { blockSize, concurrency });
        assert.ok(gunzipSync(gz).equals(input));
      },
    ),
    { numRuns: 60 },
  );
});

test('many members through a streaming gunzip (how verify and restore read it); empty input is a valid gzip stream', async () => {
  const input = Buffer.from(Array.from({ length: 40_000 }, (_, i) => `row ${i} ${i % 97}\n`).join(''));
  const gz = await run(input, 4096, { blockSize: 16 * 1024, concurrency: 3 });
  const h = createHash('sha256');
  await pipeline(Readable.from([gz]), createGunzip(), async function* (src) {
    for await (const c of src) h.update(c as Buffer);
  });
  assert.equal(h.digest('hex'), createHash('sha256').update(input).digest('hex'));
  assert.equal(gunzipSync(await run(Buffer.alloc(0), 1, {})).length, 0);
});
