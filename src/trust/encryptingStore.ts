import { randomBytes } from 'node:crypto';
import { PassThrough, pipeline, type Readable } from 'node:stream';
import { hashingMeter } from '../storage/meter.js';
import {
  ObjectNotFoundError, RangeNotSatisfiableError,
  type GetResult, type ObjectInfo, type ObjectStore, type PutOptions, type PutResult, type SweepResult,
} from '../storage/objectStore.js';
import { signLink } from '../storage/signedLinks.js';
import { AeadError, cipherRangeFor, decryptStream, DEFAULT_CHUNK_SIZE, encryptStream, HEADER_SIZE, layoutOf } from './aead.js';
import { KeyUnavailableError, type DataKeyRow, type ProjectKeys } from './keys.js';

/** Content type of encrypted objects in the underlying store (their own type is kept in trust_data_keys). */
export const ENCRYPTED_CONTENT_TYPE = 'application/vnd.logsnap.encrypted';

/** An encrypted object whose data key this catalogue does not have. */
export class EncryptedObjectError extends Error {
  readonly code = 'EENCRYPTED';
}

/**
 * Encryption at rest as a layer at the storage boundary: every service writes through it.
 * A put with `project` set, for a project with encryption on, is encrypted with a fresh data
 * key (aead.ts) and its key recorded (keys.ts); every read of such an object is decrypted on
 * the fly, Range included (the covering chunks are fetched and decrypted). Objects of other
 * projects pass through untouched. `head`/`get` describe the content (plaintext size and
 * sha256); `raw` is the store underneath (what verify re-reads).
 *
 * Links: an encrypted object cannot be served by a presigned S3 GET (S3 would hand out the
 * ciphertext), so presignGet answers with a logsnap signed link, served by logsnap's download
 * route through this layer.
 */
export class EncryptingStore implements ObjectStore {
  readonly driver: 'fs' | 's3';

  constructor(
    readonly raw: ObjectStore,
    readonly keys: ProjectKeys,
    private readonly links: { key: Buffer; baseUrl: () => string },
    private readonly chunkSize = DEFAULT_CHUNK_SIZE,
  ) {
    this.driver = raw.driver;
  }

  async put(bucket: string, key: string, body: Readable, opts: PutOptions = {}): Promise<PutResult> {
    const project = opts.project;
    if (!project || !(await this.keys.encrypts(project))) {
      const r = await this.raw.put(bucket, key, body, opts);
      // an encrypted object replaced by a plain one
      await this.keys.forgetDataKey(bucket, key);
      return r;
    }
    await this.keys.activeKey(project); // fail before writing anything when the key cannot be used
    const dek = randomBytes(32);
    const dekId = randomBytes(16).toString('hex');
    const plain = hashingMeter();
    const sealed = pipeline(body, plain.stream, encryptStream(dek, dekId, this.chunkSize), new PassThrough(), () => undefined);
    const stored = await this.raw.put(bucket, key, sealed, { contentType: ENCRYPTED_CONTENT_TYPE, signal: opts.signal });
    await this.keys.recordDataKey({
      bucket, key, projectId: project, dek, dekId, chunkSize: this.chunkSize, plainSize: plain.size(), plainSha256: plain.sha256(),
      storedSize: stored.size, storedSha256: stored.sha256, contentType: opts.contentType,
    });
    dek.fill(0);
    return { size: plain.size(), sha256: plain.sha256() };
  }

  async head(bucket: string, key: string): Promise<ObjectInfo | null> {
    const info = await this.raw.head(bucket, key);
    if (!info) return null;
    const row = await this.keys.dataKeyRow(bucket, key);
    if (!row) return info;
    return { ...info, size: row.plain_size, sha256: row.plain_sha256, contentType: row.content_type ?? undefined, encrypted: true };
  }

  async get(bucket: string, key: string, range?: { start: number; end?: number }): Promise<GetResult> {
    const row = await this.keys.dataKeyRow(bucket, key);
    if (!row) {
      const r = await this.raw.get(bucket, key, range);
      if (r.contentType === ENCRYPTED_CONTENT_TYPE) {
        r.body.destroy();
        throw new EncryptedObjectError(`${bucket}/${key} is stored encrypted but its data key is not in this catalogue; run \`logsnap catalog rebuild\` (or decrypt it offline with the exported project key)`);
      }
      return r;
    }
    return this.#decrypting(row, bucket, key, range);
  }

  async #decrypting(row: DataKeyRow, bucket: string, key: string, range?: { start: number; end?: number }): Promise<GetResult> {
    const label = `${bucket}/${key}`;
    const plainSize = row.plain_size;
    let start = 0;
    let end = plainSize - 1;
    if (range) {
      start = range.start;
      end = Math.min(range.end ?? plainSize - 1, plainSize - 1);
      if (!Number.isSafeInteger(start) || start < 0 || start >= plainSize || end < start) throw new RangeNotSatisfiableError(plainSize);
    }
    const dek = await this.keys.dataKey(row);
    const meta = { size: plainSize, contentType: row.content_type ?? undefined, sha256: row.plain_sha256 };
    if (plainSize === 0) {
      const got = await this.raw.get(bucket, key);
      this.#checkStoredSize(got.size, row, label, got.body);
      return { ...meta, body: pipeline(got.body, decryptStream(dek, { dataKeyId: row.dek_id, label }), () => undefined), range: { start: 0, end: -1 } };
    }
    const c = cipherRangeFor(start, end, row.stored_size, row.chunk_size);
    let header: Buffer | undefined;
    if (c.firstChunk > 0) {
      const h = await this.raw.get(bucket, key, { start: 0, end: HEADER_SIZE - 1 });
      this.#checkStoredSize(h.size, row, label, h.body);
      const parts: Buffer[] = [];
      for await (const p of h.body) parts.push(p as Buffer);
      header = Buffer.concat(parts);
    }
    const got = await this.raw.get(bucket, key, header ? { start: c.start, end: c.end } : range ? { start: 0, end: c.end } : undefined);
    this.#checkStoredSize(got.size, row, label, got.body);
    const body = pipeline(
      got.body,
      decryptStream(dek, { header, firstChunk: c.firstChunk, lastIsFinal: c.lastIsFinal, skip: c.skip, length: c.length, dataKeyId: row.dek_id, label }),
      () => undefined,
    );
    return { ...meta, body, range: { start, end } };
  }

  #checkStoredSize(size: number, row: DataKeyRow, label: string, body: Readable): void {
    if (size !== row.stored_size) {
      body.destroy();
      throw new AeadError(`${label}: the stored object is ${size} bytes, its data key was recorded for ${row.stored_size} (${size < row.stored_size ? 'truncated' : 'altered'})`);
    }
    layoutOf(row.stored_size, row.chunk_size);
  }

  list(bucket: string, prefix?: string): AsyncIterable<ObjectInfo> {
    return this.raw.list(bucket, prefix);
  }

  async delete(bucket: string, key: string): Promise<void> {
    await this.raw.delete(bucket, key);
    await this.keys.forgetDataKey(bucket, key);
  }

  async presignGet(bucket: string, key: string, expiresAt: number): Promise<string> {
    if (await this.keys.dataKeyRow(bucket, key)) return signLink(this.links.key, this.links.baseUrl(), bucket, key, expiresAt);
    return this.raw.presignGet(bucket, key, expiresAt);
  }

  usage(): Promise<{ objects: number; bytes: number }> {
    return this.raw.usage();
  }

  buckets(): AsyncIterable<string> {
    if (!this.raw.buckets) throw new Error(`the ${this.raw.driver} store cannot list its buckets`);
    return this.raw.buckets();
  }

  sweepTemporary(olderThanMs: number, now?: number): Promise<SweepResult> {
    return this.raw.sweepTemporary(olderThanMs, now);
  }
}

export { KeyUnavailableError, ObjectNotFoundError };
