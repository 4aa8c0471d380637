import type { Readable } from 'node:stream';

export interface ObjectInfo {
  bucket: string;
  key: string;
  size: number;
  /** sha256 hex when the store knows it (recorded at put) */
  sha256?: string;
  lastModified: number;
  contentType?: string;
  /** true when the object is stored encrypted (encryption layer, src/trust/encryptingStore.ts); size and sha256 then describe the content */
  encrypted?: boolean;
}

export interface PutOptions {
  contentType?: string;
  signal?: AbortSignal;
  /**
   * The project the object belongs to. The encryption layer encrypts the object when that project
   * has encryption at rest on; the fs and S3 stores ignore it.
   */
  project?: string;
}

export interface PutResult {
  size: number;
  sha256: string;
}

export interface GetResult {
  body: Readable;
  /** full object size */
  size: number;
  /** inclusive byte range actually returned */
  range: { start: number; end: number };
  contentType?: string;
  sha256?: string;
}

export interface SweepResult {
  removed: number;
  /** bytes freed (as far as the store reports them) */
  bytes: number;
}

export interface ObjectStore {
  readonly driver: 'fs' | 's3';
  /**
   * Stream `body` into bucket/key, computing size and sha256 on the way. The object becomes
   * visible only when the whole stream has been written: a failed or aborted put leaves nothing.
   */
  put(bucket: string, key: string, body: Readable, opts?: PutOptions): Promise<PutResult>;
  /** Stream an object, optionally a byte range (inclusive end, like HTTP Range). */
  get(bucket: string, key: string, range?: { start: number; end?: number }): Promise<GetResult>;
  head(bucket: string, key: string): Promise<ObjectInfo | null>;
  /** Objects whose key starts with prefix, in key order. */
  list(bucket: string, prefix?: string): AsyncIterable<ObjectInfo>;
  /** Every bucket written to (one emptied since may still be listed), in name order: test reset and state export walk the whole store. */
  buckets?(): AsyncIterable<string>;
  /** Delete; deleting a missing object is not an error. */
  delete(bucket: string, key: string): Promise<void>;
  /** A URL that downloads the object without other credentials until `expiresAt` (epoch ms). */
  presignGet(bucket: string, key: string, expiresAt: number): Promise<string>;
  /** Total objects and bytes (may be cached; for metrics). */
  usage(): Promise<{ objects: number; bytes: number }>;
  /**
   * Remove leftovers of interrupted puts (temporary files, staging objects, incomplete multipart
   * uploads) untouched for more than `olderThanMs` before `now` (default: the wall clock). Puts in
   * progress in this process are never touched. Returns how many were removed and their bytes.
   */
  sweepTemporary(olderThanMs: number, now?: number): Promise<SweepResult>;
}

export class ObjectNotFoundError extends Error {
  readonly code = 'ENOOBJECT';
  constructor(bucket: string, key: string) {
    super(`object ${bucket}/${key} does not exist`);
  }
}

export class InvalidObjectNameError extends Error {
  readonly code = 'EBADOBJECTNAME';
}

export class RangeNotSatisfiableError extends Error {
  readonly code = 'ERANGE';
  constructor(readonly size: number) {
    super(`range not satisfiable for an object of ${size} bytes`);
  }
}

const BUCKET_RE = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Bucket names follow OBS/S3 rules: 3–63 chars, lower-case letters, digits, dots, hyphens. */
export function validateBucket(bucket: string): void {
  if (!BUCKET_RE.test(bucket) || bucket.includes('..') || /^\d+\.\d+\.\d+\.\d+$/.test(bucket)) {
    throw new InvalidObjectNameError(`invalid bucket name ${JSON.stringify(bucket)}: use 3–63 lower-case letters, digits, dots or hyphens`);
  }
}

/** Keys: 1–1024 bytes, relative, no empty, `.` or `..` segments, no backslash or control characters. */
export function validateKey(key: string): void {
  const bad =
    key.length === 0 ||
    Buffer.byteLength(key) > 1024 ||
    key.startsWith('/') ||
    key.includes('\\') ||
    /[\x00-\x1f\x7f]/.test(key) ||
    key.split('/').some((s) => s === '' || s === '.' || s === '..');
  if (bad) throw new InvalidObjectNameError(`invalid object key ${JSON.stringify(key)}: use a relative path without empty, "." or ".." segments`);
}

/** Prefixes may end with `/` (a folder) but otherwise follow key rules. */
export function validatePrefix(prefix: string): void {
  if (prefix === '') return;
  validateKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
}
