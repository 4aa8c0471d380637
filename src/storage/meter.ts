import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';

/** A pass-through that counts bytes and hashes them (sha256) on the way: how every store learns size and checksum. */
export function hashingMeter(): { stream: Transform; size(): number; sha256(): string } {
  const hash = createHash('sha256');
  let size = 0;
  let digest: string | undefined;
  const stream = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      size += chunk.length;
      cb(null, chunk);
    },
  });
  return { stream, size: () => size, sha256: () => (digest ??= hash.digest('hex')) };
}
