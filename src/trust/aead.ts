import { createCipheriv, createDecipheriv } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/**
 * The encrypted-object format of logsnap's encryption at rest (`logsnap.aead-chunked/1`), in the
 * spirit of age's STREAM construction: one random 256-bit data key per object, the plaintext cut
 * into chunks of `chunkSize` bytes, each sealed with AES-256-GCM.
 *
 *   header (32 bytes): "LSNAPENC" | version 0x01 | cipher 0x01 (AES-256-GCM) | 0x0000 |
 *                      chunkSize (uint32 BE) | data key id (16 bytes)
 *   chunk i:           AES-256-GCM(dataKey, nonce_i, aad = header, plaintext_i) | tag (16 bytes)
 *   nonce_i (12 bytes): i as an 11-byte big-endian counter | 0x01 for the last chunk, else 0x00
 *
 * Every chunk but the last holds exactly `chunkSize` plaintext bytes; the last holds 1…chunkSize
 * (0 only when the whole plaintext is empty). The counter in the nonce detects reordered or
 * dropped chunks, the final flag detects truncation at a chunk boundary and appended chunks, and
 * the header as associated data detects a changed header. The data key is never stored next to
 * the object (it is wrapped by the project key, see keys.ts), so the format needs no key material.
 * Encrypting and decrypting hold one chunk in memory, whatever the object size.
 */
export const AEAD_SCHEME = 'logsnap.aead-chunked/1';
export const HEADER_SIZE = 32;
export const TAG_SIZE = 16;
export const DEFAULT_CHUNK_SIZE = 64 * 1024;
const MAGIC = Buffer.from('LSNAPENC', 'ascii');
const VERSION = 1;
const CIPHER_AES_256_GCM = 1;
const MIN_CHUNK = 16;
const MAX_CHUNK = 16 * 1024 * 1024;

export class AeadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AeadError';
  }
}

export interface AeadHeader {
  chunkSize: number;
  /** 32 hex chars */
  dataKeyId: string;
  raw: Buffer;
}

export function encodeHeader(chunkSize: number, dataKeyId: string): Buffer {
  if (!Number.isInteger(chunkSize) || chunkSize < MIN_CHUNK || chunkSize > MAX_CHUNK) throw new Error(`chunk size must be ${MIN_CHUNK}…${MAX_CHUNK} bytes`);
  const id = Buffer.from(dataKeyId, 'hex');
  if (id.length !== 16) throw new Error('data key id must be 16 bytes (32 hex characters)');
  const h = Buffer.alloc(HEADER_SIZE);
  MAGIC.copy(h, 0);
  h[8] = VERSION;
  h[9] = CIPHER_AES_256_GCM;
  h.writeUInt32BE(chunkSize, 12);
  id.copy(h, 16);
  return h;
}

export function parseHeader(h: Buffer): AeadHeader {
  if (h.length < HEADER_SIZE) throw new AeadError(`not a logsnap encrypted object: ${h.length} bytes is shorter than the ${HEADER_SIZE}-byte header`);
  if (!h.subarray(0, 8).equals(MAGIC)) throw new AeadError('not a logsnap encrypted object (the header does not start with "LSNAPENC")');
  if (h[8] !== VERSION) throw new AeadError(`unsupported encrypted-object version ${h[8]} (this logsnap reads version ${VERSION})`);
  if (h[9] !== CIPHER_AES_256_GCM || h[10] !== 0 || h[11] !== 0) throw new AeadError(`unsupported cipher ${h[9]} in the encrypted-object header`);
  const chunkSize = h.readUInt32BE(12);
  if (chunkSize < MIN_CHUNK || chunkSize > MAX_CHUNK) throw new AeadError(`invalid chunk size ${chunkSize} in the encrypted-object header`);
  return { chunkSize, dataKeyId: h.subarray(16, 32).toString('hex'), raw: Buffer.from(h.subarray(0, HEADER_SIZE)) };
}

export function nonce(index: number, final: boolean): Buffer {
  const n = Buffer.alloc(12);
  n.writeUInt32BE(Math.floor(index / 0x1_0000_0000), 3);
  n.writeUInt32BE(index % 0x1_0000_0000, 7);
  n[11] = final ? 1 : 0;
  return n;
}

/** Stored size of a plaintext of `plainSize` bytes. */
export function storedSizeOf(plainSize: number, chunkSize: number): number {
  const chunks = Math.max(1, Math.ceil(plainSize / chunkSize));
  return HEADER_SIZE + plainSize + chunks * TAG_SIZE;
}

/** Plaintext size and chunk count of a stored object; throws when no plaintext has that stored size. */
export function layoutOf(storedSize: number, chunkSize: number): { plainSize: number; chunks: number } {
  const body = storedSize - HEADER_SIZE;
  const full = chunkSize + TAG_SIZE;
  if (body < TAG_SIZE) throw new AeadError(`the encrypted object is ${storedSize} bytes: too short to hold a header and a chunk (truncated)`);
  const k = Math.floor(body / full);
  const r = body % full;
  if (r === 0) return { plainSize: k * chunkSize, chunks: k };
  if (r < TAG_SIZE) throw new AeadError(`the encrypted object is ${storedSize} bytes: its last chunk is shorter than an authentication tag (truncated or altered)`);
  return { plainSize: k * chunkSize + (r - TAG_SIZE), chunks: k + 1 };
}

/**
 * Which stored bytes hold the plaintext range [start, end] (inclusive): the covering chunks.
 * `skip` is how many decrypted bytes to drop before `start`.
 */
export function cipherRangeFor(start: number, end: number, storedSize: number, chunkSize: number) {
  const { chunks } = layoutOf(storedSize, chunkSize);
  const firstChunk = Math.floor(start / chunkSize);
  const lastChunk = Math.min(chunks - 1, Math.floor(end / chunkSize));
  const full = chunkSize + TAG_SIZE;
  return {
    firstChunk,
    lastIsFinal: lastChunk === chunks - 1,
    start: HEADER_SIZE + firstChunk * full,
    end: Math.min(storedSize, HEADER_SIZE + (lastChunk + 1) * full) - 1,
    skip: start - firstChunk * chunkSize,
    length: end - start + 1,
  };
}

/** Collects pieces and hands out exact-size slices (one chunk at a time). */
class Pieces {
  #list: Buffer[] = [];
  length = 0;
  push(b: Buffer): void {
    if (b.length) {
      this.#list.push(b);
      this.length += b.length;
    }
  }
  take(n: number): Buffer {
    if (n > this.length) throw new Error('not enough bytes');
    let out: Buffer;
    const first = this.#list[0];
    if (first && first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.#list.shift();
      else this.#list[0] = first.subarray(n);
    } else {
      out = Buffer.allocUnsafe(n);
      let o = 0;
      while (o < n) {
        const p = this.#list[0];
        const t = Math.min(p.length, n - o);
        p.copy(out, o, 0, t);
        o += t;
        if (t === p.length) this.#list.shift();
        else this.#list[0] = p.subarray(t);
      }
    }
    this.length -= n;
    return out;
  }
}

/** Plaintext in, `logsnap.aead-chunked/1` out. */
export function encryptStream(dataKey: Buffer, dataKeyId: string, chunkSize = DEFAULT_CHUNK_SIZE): Transform {
  if (dataKey.length !== 32) throw new Error('data key must be 32 bytes');
  const header = encodeHeader(chunkSize, dataKeyId);
  const pending = new Pieces();
  let index = 0;
  const seal = (t: Transform, plain: Buffer, final: boolean) => {
    const c = createCipheriv('aes-256-gcm', dataKey, nonce(index++, final));
    c.setAAD(header);
    const ct = c.update(plain);
    c.final();
    t.push(ct);
    t.push(c.getAuthTag());
  };
  return new Transform({
    construct(cb) {
      this.push(header);
      cb();
    },
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      pending.push(chunk);
      // a full chunk is sealed only once a byte beyond it exists: the last chunk must carry the final flag
      while (pending.length > chunkSize) seal(this, pending.take(chunkSize), false);
      cb();
    },
    flush(cb) {
      try {
        seal(this, pending.take(pending.length), true);
        cb();
      } catch (e) {
        cb(e as Error);
      }
    },
  });
}

export interface DecryptOptions {
  /** the stored header, when the stream does not start with it (a ranged read from a later chunk) */
  header?: Buffer;
  /** index of the first chunk in the stream */
  firstChunk?: number;
  /** whether the stream's last chunk is the object's last (false for a range ending earlier) */
  lastIsFinal?: boolean;
  /** decrypted bytes to drop at the start, and how many to pass on (range trimming) */
  skip?: number;
  length?: number;
  /** refuse an object whose header names another data key */
  dataKeyId?: string;
  /** for messages: which object this is */
  label?: string;
}

/** `logsnap.aead-chunked/1` in, plaintext out; fails (AeadError) on any altered, missing or reordered byte. */
export function decryptStream(dataKey: Buffer, opts: DecryptOptions = {}): Transform {
  if (dataKey.length !== 32) throw new Error('data key must be 32 bytes');
  const label = opts.label ? `${opts.label}: ` : '';
  let header: AeadHeader | undefined;
  const pending = new Pieces();
  let index = opts.firstChunk ?? 0;
  let skip = opts.skip ?? 0;
  let left = opts.length ?? Infinity;
  const useHeader = (raw: Buffer) => {
    header = parseHeader(raw);
    if (opts.dataKeyId && header.dataKeyId !== opts.dataKeyId) {
      throw new AeadError(`${label}the object was encrypted with data key ${header.dataKeyId}, not ${opts.dataKeyId} (replaced or altered)`);
    }
  };
  if (opts.header) useHeader(opts.header);
  const open = (t: Transform, sealed: Buffer, final: boolean) => {
    const h = header!;
    const d = createDecipheriv('aes-256-gcm', dataKey, nonce(index, final));
    d.setAAD(h.raw);
    d.setAuthTag(sealed.subarray(sealed.length - TAG_SIZE));
    let plain: Buffer;
    try {
      plain = Buffer.concat([d.update(sealed.subarray(0, sealed.length - TAG_SIZE)), d.final()]);
    } catch {
      throw new AeadError(
        `${label}chunk ${index}${final ? ' (the last)' : ''} failed authentication: the object was altered, truncated or reordered, or the data key is wrong`,
      );
    }
    index++;
    if (skip) {
      const s = Math.min(skip, plain.length);
      plain = plain.subarray(s);
      skip -= s;
    }
    if (left < plain.length) plain = plain.subarray(0, left);
    left -= plain.length;
    if (plain.length) t.push(plain);
  };
  return new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      try {
        pending.push(chunk);
        if (!header) {
          if (pending.length < HEADER_SIZE) return cb();
          useHeader(pending.take(HEADER_SIZE));
        }
        const full = header!.chunkSize + TAG_SIZE;
        while (pending.length > full) open(this, pending.take(full), false);
        cb();
      } catch (e) {
        cb(e as Error);
      }
    },
    flush(cb) {
      try {
        if (!header) {
          if (pending.length === 0 && opts.header === undefined) throw new AeadError(`${label}the encrypted object is empty (no header)`);
          useHeader(pending.take(pending.length));
        }
        const full = header!.chunkSize + TAG_SIZE;
        const final = opts.lastIsFinal ?? true;
        if (pending.length === 0) {
          // the stream ended on a chunk boundary: a complete object always ends with a final chunk
          if (final) throw new AeadError(`${label}the encrypted object ends after chunk ${index - 1} without its final chunk (truncated)`);
          return cb();
        }
        if (pending.length < TAG_SIZE) throw new AeadError(`${label}chunk ${index} is shorter than its authentication tag (truncated)`);
        if (!final && pending.length !== full) throw new AeadError(`${label}chunk ${index} is incomplete (truncated)`);
        open(this, pending.take(pending.length), final);
        cb();
      } catch (e) {
        cb(e as Error);
      }
    },
  });
}
