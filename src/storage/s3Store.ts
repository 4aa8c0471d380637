import { randomUUID } from 'node:crypto';
import { Readable, Transform, pipeline } from 'node:stream';
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CopyObjectCommand, CreateMultipartUploadCommand,
  DeleteObjectCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand, ListMultipartUploadsCommand,
  ListObjectsV2Command, ListPartsCommand, type MultipartUpload, PutObjectCommand, S3Client, UploadPartCopyCommand, type CompletedPart,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { ConfigError } from '../config/section.js';
import { hashingMeter } from './meter.js';
import {
  ObjectNotFoundError, RangeNotSatisfiableError, validateBucket, validateKey, validatePrefix,
  type GetResult, type ObjectInfo, type SweepResult, type ObjectStore, type PutResult,
} from './objectStore.js';

/** Everything the S3 store needs; built from the `storage.s3` config section by s3OptionsFromConfig. */
export interface S3StoreOptions {
  /** e.g. http://127.0.0.1:9000 (MinIO), https://obs.cn-north-4.myhuaweicloud.com; omitted = AWS */
  endpoint?: string;
  region: string;
  /** the one real bucket holding every logical bucket */
  bucket: string;
  /** omitted = the AWS SDK default provider chain (env, profile, instance role) */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  forcePathStyle: boolean;
  /** multipart part size in bytes (>= 5 MiB) */
  partSize: number;
  /** parts uploaded concurrently per put (memory per put ≈ (queueSize + 1) × partSize) */
  queueSize?: number;
  /** objects larger than this are copied with UploadPartCopy instead of CopyObject (S3 limit: 5 GiB) */
  copyObjectMaxBytes?: number;
  /** part size for UploadPartCopy */
  copyPartBytes?: number;
  /** ListObjectsV2 page size (S3 default 1000) */
  listPageSize?: number;
  /** wall clock for presigning (the S3 server checks expiry against its own clock) */
  now?: () => number;
}

/** Prefix of staging objects inside the real bucket; logical bucket names cannot start with '.'. */
export const TMP_PREFIX = '.tmp/';
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const MAX_PRESIGN_SECONDS = 604_800;

/** Validate the `storage.s3` section and turn it into store options; problems are ConfigErrors (never echo secrets). */
export function s3OptionsFromConfig(s3: {
  endpoint?: string; region: string; bucket: string; accessKeyId?: string; secretAccessKey?: string; forcePathStyle: boolean; partSizeMb: number;
} | undefined): S3StoreOptions {
  const problems: string[] = [];
  if (!s3) throw new ConfigError(['storage.s3: required when storage.driver is s3; set LOGSNAP_S3_BUCKET (and LOGSNAP_S3_ENDPOINT, credentials) or storage.s3 in the config file']);
  if (!s3.bucket) problems.push('storage.s3.bucket: required (LOGSNAP_S3_BUCKET)');
  else {
    try {
      validateBucket(s3.bucket);
    } catch (e) {
      problems.push(`storage.s3.bucket: ${(e as Error).message}`);
    }
  }
  if (s3.endpoint !== undefined) {
    try {
      const u = new URL(s3.endpoint);
      if (u.username || u.password) problems.push('storage.s3.endpoint: must not contain credentials; use storage.s3.accessKeyId/secretAccessKey (LOGSNAP_S3_ACCESS_KEY_ID/LOGSNAP_S3_SECRET_ACCESS_KEY)');
      if (u.search || u.hash) problems.push('storage.s3.endpoint: must be a plain http(s)://host[:port] URL without query or fragment');
    } catch {
      problems.push('storage.s3.endpoint: not a valid URL (expected http(s)://host[:port])');
    }
  }
  if (!!s3.accessKeyId !== !!s3.secretAccessKey) {
    problems.push('storage.s3: accessKeyId and secretAccessKey go together; set both (LOGSNAP_S3_ACCESS_KEY_ID, LOGSNAP_S3_SECRET_ACCESS_KEY) or neither (AWS default credential chain)');
  }
  if (problems.length) throw new ConfigError(problems);
  return {
    endpoint: s3.endpoint,
    region: s3.region,
    bucket: s3.bucket,
    credentials: s3.accessKeyId && s3.secretAccessKey ? { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } : undefined,
    forcePathStyle: s3.forcePathStyle,
    partSize: s3.partSizeMb * MiB,
  };
}

function abortError(): Error {
  return Object.assign(new Error('The operation was aborted'), { name: 'AbortError', code: 'ABORT_ERR' });
}

function httpStatus(e: unknown): number | undefined {
  return (e as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

function errName(e: unknown): string | undefined {
  return (e as { name?: string; Code?: string })?.name ?? (e as { Code?: string })?.Code;
}

/** Never let the S3 SDK's long messages (which may quote request details) be the only context. */
function wrap(op: string, target: string, e: unknown): Error {
  if ((e as Error)?.name === 'AbortError') return e as Error;
  const status = httpStatus(e);
  const err = new Error(`object store (s3) ${op} ${target} failed: ${errName(e) ?? 'error'}${status ? ` (HTTP ${status})` : ''}: ${(e as Error)?.message ?? e}`);
  (err as Error & { cause?: unknown }).cause = e;
  return err;
}

/**
 * S3-compatible object store (AWS S3, Huawei OBS, MinIO, …).
 *
 * Mapping: logsnap's logical (bucket, key) is stored as the S3 key `<bucket>/<key>` inside the one
 * configured real bucket, so any number of logical buckets need a single real bucket and one set
 * of credentials. Staging objects live under `.tmp/` (logical bucket names cannot start with '.').
 *
 * put: the source is streamed through a sha256/size meter. Up to one part is read first; a body
 * that ends within it is sent as one PutObject carrying `x-amz-meta-sha256`. A larger body is
 * uploaded with a multipart upload (lib-storage, `partSize` parts, never the whole object in
 * memory) to a staging key `.tmp/<uuid>`, then server-side copied onto the final key with its
 * sha256 metadata (CopyObject, or UploadPartCopy above 5 GiB) and the staging object deleted.
 * Either way the final key appears in one step, complete and with its metadata; a failed or
 * aborted put aborts its multipart upload and leaves no visible object.
 */
export class S3ObjectStore implements ObjectStore {
  readonly driver = 's3' as const;
  readonly client: S3Client;
  #usageCache?: { at: number; value: { objects: number; bytes: number } };
  readonly #now: () => number;
  /** staging keys (and multipart copy targets) of this process's puts in progress: never swept */
  readonly #live = new Set<string>();

  constructor(private readonly opts: S3StoreOptions) {
    if (opts.partSize < 5 * MiB) throw new Error('S3 part size must be at least 5 MiB');
    this.#now = opts.now ?? Date.now;
    this.client = new S3Client({
      endpoint: opts.endpoint,
      region: opts.region,
      forcePathStyle: opts.forcePathStyle,
      credentials: opts.credentials,
      // servers that predate the 2025 default integrity checksums (OBS, MinIO releases, s3rver)
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    if (opts.forcePathStyle) {
      // Recent SDKs address bucket-level operations (ListObjectsV2, HeadBucket, ListMultipartUploads)
      // as `/<bucket>/`; AWS, OBS and MinIO accept both forms, but some S3-compatible servers
      // (s3rver) compute the signature over `/<bucket>` and refuse the request. Send the older,
      // universally accepted form. Object requests (`/<bucket>/<key>`) are not touched.
      const bucketSlash = `/${opts.bucket}/`;
      this.client.middlewareStack.add(
        (next) => async (args) => {
          const req = args.request as { path?: string };
          if (req?.path === bucketSlash) req.path = bucketSlash.slice(0, -1);
          return next(args);
        },
        { step: 'build', name: 'logsnapBucketPathWithoutSlash' },
      );
    }
  }

  /** Where this store points, for messages (never credentials). */
  describe(): string {
    return `bucket "${this.opts.bucket}" at ${this.opts.endpoint ?? `AWS S3 (${this.opts.region})`}`;
  }

  #key(bucket: string, key: string): string {
    validateBucket(bucket);
    validateKey(key);
    return `${bucket}/${key}`;
  }

  /** Fails with a clear message when the bucket cannot be reached with these credentials. */
  async checkBucket(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.opts.bucket }));
    } catch (e) {
      const status = httpStatus(e);
      const why =
        status === 404 ? 'the bucket does not exist'
        : status === 403 ? 'access denied (check the access key, secret key and bucket policy)'
        : status === 301 ? 'the bucket is in another region (check storage.s3.region)'
        : `${errName(e) ?? 'error'}${status ? ` HTTP ${status}` : ''}: ${(e as Error)?.message ?? e}`;
      throw new ConfigError([`storage.s3: cannot reach ${this.describe()}: ${why}`]);
    }
  }

  async put(bucket: string, key: string, body: Readable, opts: { contentType?: string; signal?: AbortSignal } = {}): Promise<PutResult> {
    const finalKey = this.#key(bucket, key);
    const { signal } = opts;
    if (signal?.aborted) {
      body.destroy();
      throw abortError();
    }
    const metered = hashingMeter();
    const meter = metered.stream;
    // Remember why the source failed: the multipart cleanup may fail too (servers without
    // AbortMultipartUpload) and must not hide the original cause.
    let sourceError: Error | undefined;
    body.once('error', (e) => {
      sourceError ??= e;
    });
    pipeline(body, meter, (err) => {
      if (err) meter.destroy(err);
    });
    const onAbort = () => body.destroy(abortError());
    signal?.addEventListener('abort', onAbort, { once: true });
    const metaFor = () => ({ Metadata: { sha256: metered.sha256() }, ...(opts.contentType ? { ContentType: opts.contentType } : {}) });
    let staged: string | undefined;
    try {
      // Read up to one part: small objects go in a single request with their metadata.
      const it = meter[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
      const head: Buffer[] = [];
      let headBytes = 0;
      let ended = false;
      while (headBytes < this.opts.partSize) {
        const r = await it.next();
        if (r.done) {
          ended = true;
          break;
        }
        head.push(r.value);
        headBytes += r.value.length;
      }
      if (signal?.aborted) throw abortError();
      if (ended) {
        const data = Buffer.concat(head);
        const meta = metaFor();
        await this.client.send(new PutObjectCommand({ Bucket: this.opts.bucket, Key: finalKey, Body: data, ContentLength: data.length, ...meta }), { abortSignal: signal });
        this.#usageCache = undefined;
        return { size: metered.size(), sha256: meta.Metadata.sha256 };
      }
      // Large object: multipart upload to a staging key, then copy into place with metadata.
      staged = `${TMP_PREFIX}${randomUUID()}`;
      this.#live.add(staged);
      async function* rest(): AsyncGenerator<Buffer> {
        for (const b of head.splice(0)) yield b;
        for (;;) {
          const r = await it.next();
          if (r.done) return;
          yield r.value;
        }
      }
      const upload = new Upload({
        client: this.client,
        params: { Bucket: this.opts.bucket, Key: staged, Body: Readable.from(rest(), { objectMode: false }) },
        partSize: this.opts.partSize,
        queueSize: this.opts.queueSize ?? 2,
        leavePartsOnError: false,
      });
      // A source error or abort makes lib-storage abort the multipart upload before done() rejects.
      await upload.done();
      if (signal?.aborted) throw abortError();
      const meta = metaFor();
      // Commit point: once the copy starts the put completes even if aborted.
      await this.#copyInto(staged, finalKey, metered.size(), meta);
      this.#usageCache = undefined;
      return { size: metered.size(), sha256: meta.Metadata.sha256 };
    } catch (e) {
      body.destroy();
      meter.destroy();
      if (signal?.aborted) throw abortError();
      if (sourceError) throw sourceError;
      throw wrap('put', `${bucket}/${key}`, e);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      if (staged) {
        await this.client.send(new DeleteObjectCommand({ Bucket: this.opts.bucket, Key: staged })).catch(() => undefined);
        this.#live.delete(staged);
      }
    }
  }

  async #copyInto(src: string, dest: string, size: number, meta: { Metadata: Record<string, string>; ContentType?: string }): Promise<void> {
    const Bucket = this.opts.bucket;
    const CopySource = `${Bucket}/${src.split('/').map(encodeURIComponent).join('/')}`;
    if (size <= (this.opts.copyObjectMaxBytes ?? 5 * GiB)) {
      await this.client.send(new CopyObjectCommand({ Bucket, Key: dest, CopySource, MetadataDirective: 'REPLACE', ...meta }));
      return;
    }
    const partBytes = Math.max(this.opts.copyPartBytes ?? GiB, 5 * MiB, Math.ceil(size / 10_000));
    this.#live.add(dest);
    const { UploadId } = await this.client.send(new CreateMultipartUploadCommand({ Bucket, Key: dest, ...meta })).catch((e) => {
      this.#live.delete(dest);
      throw e;
    });
    try {
      const parts: CompletedPart[] = [];
      for (let start = 0, n = 1; start < size; start += partBytes, n++) {
        const end = Math.min(start + partBytes, size) - 1;
        const r = await this.client.send(new UploadPartCopyCommand({ Bucket, Key: dest, UploadId, PartNumber: n, CopySource, CopySourceRange: `bytes=${start}-${end}` }));
        parts.push({ PartNumber: n, ETag: r.CopyPartResult?.ETag });
      }
      await this.client.send(new CompleteMultipartUploadCommand({ Bucket, Key: dest, UploadId, MultipartUpload: { Parts: parts } }));
    } catch (e) {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket, Key: dest, UploadId })).catch(() => undefined);
      throw e;
    } finally {
      this.#live.delete(dest);
    }
  }

  async head(bucket: string, key: string): Promise<ObjectInfo | null> {
    const k = this.#key(bucket, key);
    try {
      const r = await this.client.send(new HeadObjectCommand({ Bucket: this.opts.bucket, Key: k }));
      return {
        bucket, key,
        size: r.ContentLength ?? 0,
        lastModified: r.LastModified?.getTime() ?? 0,
        sha256: r.Metadata?.sha256 && /^[0-9a-f]{64}$/.test(r.Metadata.sha256) ? r.Metadata.sha256 : undefined,
        contentType: r.ContentType,
      };
    } catch (e) {
      if (httpStatus(e) === 404) return null;
      throw wrap('head', `${bucket}/${key}`, e);
    }
  }

  async get(bucket: string, key: string, range?: { start: number; end?: number }): Promise<GetResult> {
    const k = this.#key(bucket, key);
    if (range && (range.start < 0 || !Number.isSafeInteger(range.start) || (range.end !== undefined && (range.end < range.start || !Number.isSafeInteger(range.end))))) {
      // S3 ignores syntactically invalid ranges (and returns everything): refuse them here.
      const info = await this.head(bucket, key);
      if (!info) throw new ObjectNotFoundError(bucket, key);
      throw new RangeNotSatisfiableError(info.size);
    }
    let r;
    try {
      r = await this.client.send(new GetObjectCommand({
        Bucket: this.opts.bucket, Key: k,
        Range: range ? `bytes=${range.start}-${range.end ?? ''}` : undefined,
      }));
    } catch (e) {
      const status = httpStatus(e);
      if (status === 404) throw new ObjectNotFoundError(bucket, key);
      if (status === 416) {
        const info = await this.head(bucket, key);
        if (!info) throw new ObjectNotFoundError(bucket, key);
        throw new RangeNotSatisfiableError(info.size);
      }
      throw wrap('get', `${bucket}/${key}`, e);
    }
    const body = r.Body as Readable;
    const cr = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(r.ContentRange ?? '');
    let size: number;
    let start = 0;
    let end: number;
    if (cr) {
      start = Number(cr[1]);
      end = Number(cr[2]);
      size = Number(cr[3]);
    } else {
      size = r.ContentLength ?? 0;
      end = size - 1;
    }
    if (range) {
      if (start !== range.start) {
        body.destroy();
        throw new Error(`object store (s3) get ${bucket}/${key}: the server answered bytes ${start}-${end} to a request for ${range.start}-${range.end ?? ''}`);
      }
      const wanted = Math.min(range.end ?? size - 1, size - 1);
      if (end > wanted) {
        // some S3-compatible servers (s3rver) answer "bytes=0-0" with more than asked: trim
        end = wanted;
        return { body: limit(body, end - start + 1), size, range: { start, end }, contentType: r.ContentType, sha256: r.Metadata?.sha256 };
      }
    }
    return { body, size, range: { start, end }, contentType: r.ContentType, sha256: r.Metadata?.sha256 };
  }

  async *list(bucket: string, prefix = ''): AsyncIterable<ObjectInfo> {
    validateBucket(bucket);
    validatePrefix(prefix);
    const base = `${bucket}/`;
    for await (const o of this.#listRaw(base + prefix)) {
      const key = o.Key!.slice(base.length);
      yield { bucket, key, size: o.Size ?? 0, lastModified: o.LastModified?.getTime() ?? 0 };
    }
  }

  /** Logical buckets: the first segment of every key of the real bucket (staging objects left out). */
  async *buckets(): AsyncIterable<string> {
    let last: string | undefined;
    for await (const o of this.#listRaw('')) {
      const slash = o.Key!.indexOf('/');
      if (slash <= 0) continue;
      const bucket = o.Key!.slice(0, slash);
      if (bucket.startsWith('.') || bucket === last) continue;
      last = bucket;
      yield bucket;
    }
  }

  /**
   * Every object under `prefix`, in key order. Pages are chained with StartAfter (the last key
   * seen) rather than continuation tokens: equivalent on S3, and it works with servers whose
   * tokens are broken (s3rver's are DES-encrypted, which OpenSSL 3 no longer provides).
   */
  async *#listRaw(prefix: string) {
    let last: string | undefined;
    for (;;) {
      let r;
      try {
        r = await this.client.send(new ListObjectsV2Command({ Bucket: this.opts.bucket, Prefix: prefix, StartAfter: last, MaxKeys: this.opts.listPageSize }));
      } catch (e) {
        throw wrap('list', prefix || '(all)', e);
      }
      // S3 returns each page in UTF-8 binary key order; some S3-compatible servers (s3rver) return
      // directory-walk order. Sorting a page is free on conforming servers and fixes those.
      const page = (r.Contents ?? []).filter((o) => o.Key).sort((a, b) => Buffer.compare(Buffer.from(a.Key!), Buffer.from(b.Key!)));
      if (page.length && last !== undefined && Buffer.compare(Buffer.from(page[0].Key!), Buffer.from(last)) <= 0) {
        throw new Error(`object store (s3) list ${prefix || '(all)'}: the server returned keys out of order across pages; it does not implement ListObjectsV2 ordering`);
      }
      for (const o of page) yield o;
      if (!r.IsTruncated || page.length === 0) return;
      last = page[page.length - 1].Key!;
    }
  }

  async delete(bucket: string, key: string): Promise<void> {
    const k = this.#key(bucket, key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.opts.bucket, Key: k }));
    } catch (e) {
      if (httpStatus(e) !== 404) throw wrap('delete', `${bucket}/${key}`, e);
    }
    this.#usageCache = undefined;
  }

  /**
   * A presigned GET (SigV4 query signature) that the S3 server refuses after `expiresAt`.
   * SigV4 expresses expiry as signing time + X-Amz-Expires (1 s … 7 days), so the signing time is
   * chosen to make the two add up to `expiresAt` (to the second); an expiry in the past gives a URL
   * signed in the past that is already refused. Longer than 7 days is capped at 7 days from now.
   */
  async presignGet(bucket: string, key: string, expiresAt: number): Promise<string> {
    const k = this.#key(bucket, key);
    const now = this.#now();
    const signingMs = Math.floor(Math.min(now, expiresAt - 1000) / 1000) * 1000;
    const expiresIn = Math.min(MAX_PRESIGN_SECONDS, Math.max(1, Math.ceil((expiresAt - signingMs) / 1000)));
    // a conservative file name: some S3-compatible servers mis-canonicalise !'()* in signed query values
    const fileName = key.split('/').pop()!.replace(/[^A-Za-z0-9._-]/g, '_');
    const disposition = `attachment; filename="${fileName}"`;
    return getSignedUrl(
      this.client,
      new GetObjectCommand({ Bucket: this.opts.bucket, Key: k, ResponseContentDisposition: disposition }),
      { expiresIn, signingDate: new Date(signingMs) },
    );
  }

  async usage(): Promise<{ objects: number; bytes: number }> {
    const now = this.#now();
    if (this.#usageCache && now - this.#usageCache.at < 30_000) return this.#usageCache.value;
    let objects = 0;
    let bytes = 0;
    for await (const o of this.#listRaw('')) {
      if (o.Key!.startsWith(TMP_PREFIX)) continue;
      objects++;
      bytes += o.Size ?? 0;
    }
    const value = { objects, bytes };
    this.#usageCache = { at: now, value };
    return value;
  }

  /**
   * Deletes staging objects (`.tmp/…`) and aborts incomplete multipart uploads untouched for more
   * than `olderThanMs` (an upload's last activity: its newest part, else its start), except this
   * process's puts in progress. The bucket is meant to be dedicated to logsnap. Servers without
   * ListMultipartUploads (NotImplemented) only get the staging objects swept; without ListParts,
   * an upload's age is its start and its bytes are not counted.
   */
  async sweepTemporary(olderThanMs: number, now = this.#now()): Promise<SweepResult> {
    const cutoff = now - olderThanMs;
    const Bucket = this.opts.bucket;
    let removed = 0;
    let bytes = 0;
    for await (const o of this.#listRaw(TMP_PREFIX)) {
      if (this.#live.has(o.Key!)) continue;
      if ((o.LastModified?.getTime() ?? 0) < cutoff) {
        try {
          await this.client.send(new DeleteObjectCommand({ Bucket, Key: o.Key! }));
          removed++;
          bytes += o.Size ?? 0;
        } catch {
          /* the next sweep tries again */
        }
      }
    }
    let KeyMarker: string | undefined;
    let UploadIdMarker: string | undefined;
    for (;;) {
      let r;
      try {
        r = await this.client.send(new ListMultipartUploadsCommand({ Bucket, KeyMarker, UploadIdMarker }));
      } catch (e) {
        if (httpStatus(e) === 501 || errName(e) === 'NotImplemented') break;
        throw wrap('list multipart uploads in', Bucket, e);
      }
      for (const u of r.Uploads ?? []) {
        if (!u.Key || !u.UploadId || this.#live.has(u.Key)) continue;
        const activity = await this.#uploadActivity(u);
        if (activity.last >= cutoff) continue;
        try {
          await this.client.send(new AbortMultipartUploadCommand({ Bucket, Key: u.Key, UploadId: u.UploadId }));
          removed++;
          bytes += activity.bytes;
        } catch {
          /* the next sweep tries again */
        }
      }
      if (!r.IsTruncated) break;
      KeyMarker = r.NextKeyMarker;
      UploadIdMarker = r.NextUploadIdMarker;
    }
    return { removed, bytes };
  }

  /** When an incomplete multipart upload last received a part, and the bytes its parts hold. */
  async #uploadActivity(u: MultipartUpload): Promise<{ last: number; bytes: number }> {
    let last = u.Initiated?.getTime() ?? Infinity;
    let bytes = 0;
    let PartNumberMarker: string | undefined;
    try {
      for (;;) {
        const r = await this.client.send(new ListPartsCommand({ Bucket: this.opts.bucket, Key: u.Key, UploadId: u.UploadId, PartNumberMarker }));
        for (const p of r.Parts ?? []) {
          bytes += p.Size ?? 0;
          if (p.LastModified) last = Math.max(last === Infinity ? 0 : last, p.LastModified.getTime());
        }
        if (!r.IsTruncated) break;
        PartNumberMarker = r.NextPartNumberMarker;
      }
    } catch {
      /* no ListParts: judge by the start */
    }
    return { last, bytes };
  }

  destroy(): void {
    this.client.destroy();
  }
}

/** Pass through the first `n` bytes, then end (and release the source). */
function limit(src: Readable, n: number): Readable {
  let left = n;
  const out = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      if (left <= 0) return cb();
      const take = chunk.length <= left ? chunk : chunk.subarray(0, left);
      left -= take.length;
      this.push(take);
      if (left <= 0) {
        this.push(null);
        src.unpipe(this);
        src.destroy();
      }
      cb();
    },
  });
  src.on('error', (e) => out.destroy(e));
  src.pipe(out);
  return out;
}

