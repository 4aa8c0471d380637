import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { hashingMeter } from './meter.js';
import { pipeline } from 'node:stream/promises';
import {
  ObjectNotFoundError, RangeNotSatisfiableError, validateBucket, validateKey, validatePrefix,
  type GetResult, type ObjectInfo, type ObjectStore, type PutResult, type SweepResult,
} from './objectStore.js';
import { signLink } from './signedLinks.js';

interface Meta {
  sha256: string;
  size: number;
  contentType?: string;
}

/**
 * Objects as files: <root>/<bucket>/<key>. A put streams into <root>/.tmp/<uuid> and is
 * renamed into place when complete (same file system, so the rename is atomic); sha256
 * and content type live in <root>/.meta/<bucket>/<key>.json.
 */
export class FsObjectStore implements ObjectStore {
  readonly driver = 'fs' as const;
  #usageCache?: { at: number; value: { objects: number; bytes: number } };
  /** temporary names of this process's puts in progress (never swept) */
  readonly #live = new Set<string>();

  constructor(
    private readonly root: string,
    private readonly links: { key: Buffer; baseUrl: () => string },
  ) {}

  #path(bucket: string, key: string): string {
    validateBucket(bucket);
    validateKey(key);
    const p = join(this.root, bucket, ...key.split('/'));
    const rel = relative(join(this.root, bucket), p);
    if (rel.startsWith('..') || rel.includes(`..${sep}`)) throw new Error('object path escapes the bucket');
    return p;
  }

  #metaPath(bucket: string, key: string): string {
    return join(this.root, '.meta', bucket, ...key.split('/')) + '.json';
  }

  async put(bucket: string, key: string, body: Readable, opts: { contentType?: string; signal?: AbortSignal } = {}): Promise<PutResult> {
    const dest = this.#path(bucket, key);
    const tmpDir = join(this.root, '.tmp');
    await mkdir(tmpDir, { recursive: true });
    const name = randomUUID();
    const tmp = join(tmpDir, name);
    const meter = hashingMeter();
    this.#live.add(name);
    try {
      await pipeline(body, meter.stream, createWriteStream(tmp, { flags: 'wx' }), { signal: opts.signal });
      const size = meter.size();
      await mkdir(dirname(dest), { recursive: true });
      const sha256 = meter.sha256();
      const meta: Meta = { sha256, size, contentType: opts.contentType };
      const metaPath = this.#metaPath(bucket, key);
      await mkdir(dirname(metaPath), { recursive: true });
      const metaTmp = `${tmp}.meta`;
      await writeFile(metaTmp, JSON.stringify(meta));
      await rename(tmp, dest);
      await rename(metaTmp, metaPath);
      this.#usageCache = undefined;
      return { size, sha256 };
    } catch (err) {
      await rm(tmp, { force: true });
      await rm(`${tmp}.meta`, { force: true });
      throw err;
    } finally {
      this.#live.delete(name);
    }
  }

  async #meta(bucket: string, key: string, size: number): Promise<Meta | undefined> {
    try {
      const m = JSON.parse(await readFile(this.#metaPath(bucket, key), 'utf8')) as Meta;
      return m.size === size ? m : undefined;
    } catch {
      return undefined;
    }
  }

  async head(bucket: string, key: string): Promise<ObjectInfo | null> {
    const p = this.#path(bucket, key);
    try {
      const st = await stat(p);
      if (!st.isFile()) return null;
      const meta = await this.#meta(bucket, key, st.size);
      return { bucket, key, size: st.size, lastModified: st.mtimeMs, sha256: meta?.sha256, contentType: meta?.contentType };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
      throw e;
    }
  }

  async get(bucket: string, key: string, range?: { start: number; end?: number }): Promise<GetResult> {
    const info = await this.head(bucket, key);
    if (!info) throw new ObjectNotFoundError(bucket, key);
    let start = 0;
    let end = info.size - 1;
    if (range) {
      start = range.start;
      end = Math.min(range.end ?? info.size - 1, info.size - 1);
      if (start >= info.size || start < 0 || end < start) throw new RangeNotSatisfiableError(info.size);
    }
    const body = info.size === 0 ? createReadStream(this.#path(bucket, key)) : createReadStream(this.#path(bucket, key), { start, end });
    return { body, size: info.size, range: { start, end }, contentType: info.contentType, sha256: info.sha256 };
  }

  async *list(bucket: string, prefix = ''): AsyncIterable<ObjectInfo> {
    validateBucket(bucket);
    validatePrefix(prefix);
    const bucketDir = join(this.root, bucket);
    const dirPart = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    const start = dirPart ? join(bucketDir, ...dirPart.split('/')) : bucketDir;
    const keys: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return;
        throw e;
      }
      for (const ent of entries) {
        const full = join(dir, ent.name);
        if (ent.isDirectory()) await walk(full);
        else if (ent.isFile()) {
          const key = relative(bucketDir, full).split(sep).join('/');
          if (key.startsWith(prefix)) keys.push(key);
        }
      }
    };
    await walk(start);
    keys.sort();
    for (const key of keys) {
      const info = await this.head(bucket, key);
      if (info) yield info;
    }
  }

  async *buckets(): AsyncIterable<string> {
    let entries;
    try {
      entries = await readdir(this.root, { withFileTypes: true });
    } catch {
      return;
    }
    const names = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort();
    for (const n of names) yield n;
  }

  async delete(bucket: string, key: string): Promise<void> {
    const p = this.#path(bucket, key);
    await rm(p, { force: true });
    await rm(this.#metaPath(bucket, key), { force: true });
    this.#usageCache = undefined;
    // tidy empty folders up to the bucket
    let dir = dirname(p);
    const stop = join(this.root, bucket);
    while (dir.startsWith(stop) && dir !== stop) {
      try {
        await rmdir(dir);
      } catch {
        break;
      }
      dir = dirname(dir);
    }
  }

  async presignGet(bucket: string, key: string, expiresAt: number): Promise<string> {
    this.#path(bucket, key);
    return signLink(this.links.key, this.links.baseUrl(), bucket, key, expiresAt);
  }

  async usage(): Promise<{ objects: number; bytes: number }> {
    if (this.#usageCache && Date.now() - this.#usageCache.at < 30_000) return this.#usageCache.value;
    let objects = 0;
    let bytes = 0;
    const walk = async (dir: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const ent of entries) {
        if (dir === this.root && ent.name.startsWith('.')) continue;
        const full = join(dir, ent.name);
        if (ent.isDirectory()) await walk(full);
        else if (ent.isFile()) {
          objects++;
          bytes += (await stat(full)).size;
        }
      }
    };
    await walk(this.root);
    const value = { objects, bytes };
    this.#usageCache = { at: Date.now(), value };
    return value;
  }

  async sweepTemporary(olderThanMs: number, now = Date.now()): Promise<SweepResult> {
    const dir = join(this.root, '.tmp');
    let removed = 0;
    let bytes = 0;
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return { removed, bytes };
    }
    for (const n of names) {
      if (this.#live.has(n.replace(/\.meta$/, ''))) continue;
      const p = join(dir, n);
      try {
        const st = await stat(p);
        // mtime: a put in progress (in any process) keeps writing, so its file stays young
        if (now - st.mtimeMs > olderThanMs) {
          await unlink(p);
          removed++;
          bytes += st.size;
        }
      } catch {
        /* raced with another sweeper */
      }
    }
    return { removed, bytes };
  }
}
