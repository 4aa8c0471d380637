/**
 * A 1 GiB artifact of an encrypted project goes through the encryption layer and back with flat
 * memory: the source is generated as it is read (never held, never on disk), the encrypted
 * object lives on disk only for the test, and the process's resident memory is sampled
 * throughout. Memory, not time, is asserted.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { engines, startServer, type TestServer } from '../helpers/server.js';
import { storedSizeOf, DEFAULT_CHUNK_SIZE } from '../../src/trust/aead.js';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

/** `size` bytes, 1 MiB at a time: a random block with the block number stamped in (every MiB differs). */
function source(size: number): { stream: Readable; sha256: () => string } {
  const block = randomBytes(MiB);
  const hash = createHash('sha256');
  let sent = 0;
  let n = 0;
  const stream = new Readable({
    read() {
      if (sent >= size) return void this.push(null);
      const len = Math.min(MiB, size - sent);
      const b = Buffer.allocUnsafe(len);
      block.copy(b, 0, 0, len);
      b.writeUInt32BE(n++, 0);
      hash.update(b);
      sent += len;
      this.push(b);
    },
  });
  return { stream, sha256: () => hash.digest('hex') };
}

/** Peak resident memory above the level when sampling started. */
function rssWatch(): { stop(): number } {
  const base = process.memoryUsage.rss();
  let peak = base;
  const t = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 10);
  return {
    stop() {
      clearInterval(t);
      peak = Math.max(peak, process.memoryUsage.rss());
      return peak - base;
    },
  };
}

for (const { engine, skip } of await engines()) {
  describe(`a 1 GiB encrypted artifact on ${engine}`, { skip }, () => {
    let s: TestServer;
    after(async () => s?.close());

    test('encrypts and decrypts through the store with flat memory, byte for byte', { timeout: 600_000 }, async (t) => {
      s = await startServer({ engine });
      await s.rt.trust.keys.setEncryption(s.projectId, true);
      const store = s.rt.store;
      const src = source(GiB);
      const w1 = rssWatch();
      const put = await store.put('trust-large', 'one.bin', src.stream, { project: s.projectId });
      const putGrowth = w1.stop();
      assert.equal(put.size, GiB);
      assert.equal(put.sha256, src.sha256());
      const onDisk = join(s.dataDir, 'objects', 'trust-large', 'one.bin');
      assert.equal(statSync(onDisk).size, storedSizeOf(GiB, DEFAULT_CHUNK_SIZE), 'stored encrypted: header + a tag per 64 KiB chunk');

      const w2 = rssWatch();
      const got = await store.get('trust-large', 'one.bin');
      const h = createHash('sha256');
      let n = 0;
      for await (const c of got.body) {
        h.update(c as Buffer);
        n += (c as Buffer).length;
      }
      const getGrowth = w2.stop();
      assert.equal(n, GiB);
      assert.equal(h.digest('hex'), put.sha256);
      // the last bytes through a Range read: only the last chunk is fetched and decrypted
      const tail = await store.get('trust-large', 'one.bin', { start: GiB - 100 });
      assert.equal(Buffer.concat(await tail.body.toArray()).length, 100);

      await store.delete('trust-large', 'one.bin');
      assert.equal(await store.head('trust-large', 'one.bin'), null);
      const limit = 100 * MiB;
      t.diagnostic(`resident memory growth: ${(putGrowth / MiB).toFixed(1)} MiB encrypting, ${(getGrowth / MiB).toFixed(1)} MiB decrypting (limit ${limit / MiB} MiB)`);
      assert.ok(putGrowth < limit, `resident memory grew by ${(putGrowth / MiB).toFixed(0)} MiB while encrypting 1 GiB`);
      assert.ok(getGrowth < limit, `resident memory grew by ${(getGrowth / MiB).toFixed(0)} MiB while decrypting 1 GiB`);
    });
  });
}
