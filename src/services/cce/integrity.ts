import { createHash, timingSafeEqual } from 'node:crypto';
import { Transform } from 'node:stream';

/**
 * etcd's Snapshot RPC streams the backend database and then appends sha256(database) — 32 bytes —
 * as its last message (server/etcdserver/api/v3rpc/maintenance.go). `etcdctl snapshot save` keeps
 * the hash in the file and `snapshot restore` checks it, recognising it by size: a bolt database is
 * a whole number of pages, so (file size % 512) == 32 when the hash is there.
 *
 * SnapshotIntegrity checks it while streaming: everything but a rolling 32-byte tail is hashed, and
 * at the end the tail must equal the digest. Memory use is constant.
 */
export const ETCD_SNAPSHOT_HASH_SIZE = 32;

export class SnapshotIntegrityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SnapshotIntegrityError';
  }
}

export interface IntegrityResult {
  /** bytes of database (without the hash) */
  dataBytes: number;
  /** sha256 hex of the database, as computed here */
  sha256: string;
}

export class SnapshotIntegrity {
  #hash = createHash('sha256');
  #tail = Buffer.alloc(0);
  #bytes = 0;

  get bytes(): number {
    return this.#bytes;
  }

  update(chunk: Buffer): void {
    this.#bytes += chunk.length;
    if (chunk.length >= ETCD_SNAPSHOT_HASH_SIZE) {
      if (this.#tail.length) this.#hash.update(this.#tail);
      this.#hash.update(chunk.subarray(0, chunk.length - ETCD_SNAPSHOT_HASH_SIZE));
      this.#tail = Buffer.from(chunk.subarray(chunk.length - ETCD_SNAPSHOT_HASH_SIZE));
      return;
    }
    const joined = Buffer.concat([this.#tail, chunk]);
    const spill = joined.length - ETCD_SNAPSHOT_HASH_SIZE;
    if (spill > 0) {
      this.#hash.update(joined.subarray(0, spill));
      this.#tail = joined.subarray(spill);
    } else this.#tail = joined;
  }

  /** Throws SnapshotIntegrityError unless the stream ended with sha256 of what came before. */
  verify(): IntegrityResult {
    const dataBytes = this.#bytes - ETCD_SNAPSHOT_HASH_SIZE;
    if (dataBytes <= 0) throw new SnapshotIntegrityError(`the snapshot stream is too short (${this.#bytes} bytes) to hold a database and its sha256`);
    if (dataBytes % 512 !== 0) {
      throw new SnapshotIntegrityError(`the snapshot stream (${this.#bytes} bytes) does not end with the 32-byte sha256 etcd appends (database size ${dataBytes} is not a multiple of 512)`);
    }
    const digest = this.#hash.digest();
    if (!timingSafeEqual(digest, this.#tail)) {
      throw new SnapshotIntegrityError(`the snapshot is corrupt: sha256 of the ${dataBytes} database bytes is ${digest.toString('hex')}, etcd sent ${this.#tail.toString('hex')}`);
    }
    return { dataBytes, sha256: digest.toString('hex') };
  }
}

/** A pass-through stream that fails at its end when the snapshot's appended sha256 does not match. */
export function integrityCheck(onVerified?: (r: IntegrityResult) => void): Transform {
  const check = new SnapshotIntegrity();
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      check.update(chunk);
      cb(null, chunk);
    },
    flush(cb) {
      try {
        const r = check.verify();
        onVerified?.(r);
        cb();
      } catch (err) {
        cb(err as Error);
      }
    },
  });
}
