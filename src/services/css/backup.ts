import { createHash } from 'node:crypto';
import { lstat, open, stat, type FileHandle } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { PassThrough, Readable, type Writable } from 'node:stream';
import { createGzip, constants as zc } from 'node:zlib';
import type { ObjectStore } from '../../storage/objectStore.js';
import {
  entryKey, errnoText, isGzipName, keyRel, listLogFiles, LogReadError, nodeFolder, planIncremental, reuseAfterHash,
  type LogFile, type ManifestEntry, type Skipped,
} from './logFiles.js';

/**
 * The copy at the heart of a CSS log backup: every node's log files into the object store,
 * one gzip object per file (level 1, several files at once) plus a manifest. Streams end to
 * end (memory does not grow with file size). Used by the job kind and by the benchmark.
 *
 * Consistency of a file that changes while it is read: the file is opened once and read
 * through that descriptor up to the size it had when opened. A rename-rotation therefore
 * does not matter (the descriptor keeps the old inode); appended bytes are left for the next
 * backup; a truncation (copytruncate rotation) is detected (fewer bytes than expected, or a
 * smaller size afterwards) and the file is read again from a fresh open, up to 3 times.
 * The manifest's size and sha256 always describe exactly the bytes stored.
 */

export interface BackupNode {
  name: string;
  logDir: string;
}

export interface Manifest {
  format: 'logsnap.css.log-backup/1';
  clusterId: string;
  jobId: string;
  jobType: string;
  bucket: string;
  prefix: string;
  startedAt: number;
  finishedAt: number;
  nodes: { name: string; logDir: string }[];
  files: ManifestEntry[];
  skipped: (Skipped & { node: string })[];
  totals: { files: number; bytes: number; uploadedFiles: number; uploadedBytes: number; reusedFiles: number; storedBytes: number };
}

export interface BackupOptions {
  store: ObjectStore;
  clusterId: string;
  jobId: string;
  jobType: string;
  nodes: BackupNode[];
  bucket: string;
  /** every object of this backup goes under `<prefix>/`; the manifest is `<prefix>/manifest.json` */
  prefix: string;
  /** the cluster's project: the store encrypts its objects when the project has encryption at rest on */
  project?: string;
  /** entries of the last successful backup by entryKey(node, path) (incremental) */
  previous?: Map<string, ManifestEntry>;
  concurrency?: number;
  signal?: AbortSignal;
  now(): number;
  onProgress?(doneBytes: number, totalBytes: number): void;
}

/** A failure worded for the user (shown as the record's failedMsg). */
export class BackupError extends Error {}

export const DEFAULT_CONCURRENCY = Math.min(4, Math.max(2, availableParallelism() + 1));
/**
 * Files are read in 256 KiB pieces into two buffers per file that are reused (see feedFile): the
 * read-side memory is 3 × 2 × 256 KiB whatever the file size, and does not wait for the garbage
 * collector (fresh 1 MiB read-stream chunks used to pile up to ~30 MB between collections).
 */
const READ_CHUNK = 256 * 1024;
const MAX_ATTEMPTS = 3;

export function manifestKey(prefix: string): string {
  return `${prefix}/manifest.json`;
}

export async function runBackup(o: BackupOptions): Promise<Manifest> {
  const startedAt = o.now();
  const internal = new AbortController();
  const onOuterAbort = () => internal.abort(o.signal!.reason);
  if (o.signal?.aborted) throw o.signal.reason;
  o.signal?.addEventListener('abort', onOuterAbort, { once: true });
  try {
    // 1. list every node first: a node whose folder cannot be read fails the backup before any upload
    const work: { node: string; file: LogFile; size: number; key: string }[] = [];
    const skipped: Manifest['skipped'] = [];
    for (const n of o.nodes) {
      const listed = await listLogFiles(n.name, n.logDir).catch((e) => {
        throw e instanceof LogReadError ? new BackupError(e.message) : e;
      });
      for (const s of listed.skipped) skipped.push({ node: n.name, ...s });
      const used = new Set<string>();
      const identity = new Set(listed.files.filter((f) => isGzipName(f.rel)).map((f) => keyRel(f.rel)));
      for (const f of listed.files) {
        const base = `${o.prefix}/nodes/${nodeFolder(n.name)}/`;
        let rel = keyRel(f.rel);
        if (!isGzipName(f.rel)) rel = identity.has(`${rel}.gz`) ? `${rel}.logsnap.gz` : `${rel}.gz`;
        let key = base + rel;
        for (let i = 2; used.has(key); i++) key = `${base}${rel}~${i}`;
        used.add(key);
        work.push({ node: n.name, file: f, size: 0, key });
      }
    }
    // sizes for progress and scheduling (largest first keeps the parallel lanes balanced)
    for (const w of work) w.size = (await stat(w.file.path).catch(() => ({ size: 0 }))).size;
    work.sort((a, b) => b.size - a.size);
    const totalBytes = work.reduce((s, w) => s + w.size, 0);
    let doneBytes = 0;
    const files: ManifestEntry[] = [];
    let firstError: unknown;
    let next = 0;
    const lane = async () => {
      while (!firstError && !internal.signal.aborted && next < work.length) {
        const w = work[next++];
        try {
          const entry = await copyOne(o, w.node, w.file, w.key, internal.signal, (n) => {
            doneBytes += n;
            o.onProgress?.(Math.min(doneBytes, totalBytes), totalBytes);
          });
          if (entry) files.push(entry);
        } catch (e) {
          if (!firstError) {
            firstError = e;
            internal.abort(e);
          }
        }
      }
    };
    const lanes = Math.max(1, Math.min(o.concurrency ?? DEFAULT_CONCURRENCY, work.length || 1));
    await Promise.all(Array.from({ length: lanes }, lane)); // every in-flight put has settled here
    if (o.signal?.aborted) throw o.signal.reason;
    if (firstError) throw firstError;

    files.sort((a, b) => (a.node === b.node ? (a.path < b.path ? -1 : 1) : a.node < b.node ? -1 : 1));
    const uploaded = files.filter((f) => !f.reused);
    const manifest: Manifest = {
      format: 'logsnap.css.log-backup/1',
      clusterId: o.clusterId, jobId: o.jobId, jobType: o.jobType, bucket: o.bucket, prefix: o.prefix,
      startedAt, finishedAt: o.now(),
      nodes: o.nodes.map((n) => ({ name: n.name, logDir: n.logDir })),
      files, skipped,
      totals: {
        files: files.length,
        bytes: files.reduce((s, f) => s + f.size, 0),
        uploadedFiles: uploaded.length,
        uploadedBytes: uploaded.reduce((s, f) => s + f.size, 0),
        reusedFiles: files.length - uploaded.length,
        storedBytes: uploaded.reduce((s, f) => s + f.objectSize, 0),
      },
    };
    // the manifest goes last: a backup without a manifest is never complete
    await o.store.put(o.bucket, manifestKey(o.prefix), Readable.from([Buffer.from(JSON.stringify(manifest, null, 1))]), {
      contentType: 'application/json', signal: internal.signal, project: o.project,
    }).catch((e) => {
      throw storageError(o.bucket, manifestKey(o.prefix), e);
    });
    return manifest;
  } finally {
    o.signal?.removeEventListener('abort', onOuterAbort);
  }
}

function storageError(bucket: string, key: string, e: unknown): Error {
  if ((e as Error)?.name === 'AbortError') return e as Error;
  return new BackupError(`object store: writing ${bucket}/${key} failed: ${errnoText(e)}`);
}

/** Hash the first `size` bytes of an open file (no compression), through one reused buffer. */
async function hashFd(fh: FileHandle, size: number, signal: AbortSignal): Promise<{ sha256: string; bytes: number }> {
  const h = createHash('sha256');
  const buf = Buffer.allocUnsafe(Math.min(READ_CHUNK, Math.max(1, size)));
  let bytes = 0;
  while (bytes < size) {
    signal.throwIfAborted();
    const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, size - bytes), bytes);
    if (bytesRead === 0) break;
    h.update(buf.subarray(0, bytesRead));
    bytes += bytesRead;
  }
  return { sha256: h.digest('hex'), bytes };
}

/** Resolves once `w` has consumed `chunk` (its write callback), rejects if it errs or closes first. */
const written = (w: Writable, chunk: Buffer) =>
  new Promise<void>((resolve, reject) => {
    const closed = () => reject(new Error('the stream closed before the chunk was written'));
    w.once('close', closed);
    w.write(chunk, (err) => {
      w.off('close', closed);
      if (err) reject(err);
      else resolve();
    });
  });

/**
 * Write bytes [0, size) of an open file into `sink` and end it; `onChunk` sees every piece first
 * (sha256, progress). With `reuse`, two buffers alternate: one is read into while the other is being
 * compressed, and a buffer is read into again only after the sink's write callback (zlib has then
 * consumed it; it keeps no reference). Without `reuse` (a sink that passes chunks on by reference,
 * like a PassThrough), every piece is a fresh buffer. A read error destroys the sink with it and is
 * returned; a sink that fails (the store) just stops the feeding — the put reports that.
 */
async function feedFile(fh: FileHandle, size: number, sink: Writable, o: { reuse: boolean; signal: AbortSignal; onChunk(piece: Buffer): void }): Promise<{ readError?: unknown }> {
  const pair = o.reuse ? [Buffer.allocUnsafe(READ_CHUNK), Buffer.allocUnsafe(READ_CHUNK)] : [];
  let pos = 0;
  let turn = 0;
  let previous: Promise<void> = Promise.resolve();
  try {
    while (pos < size && !sink.destroyed) {
      o.signal.throwIfAborted();
      const buf = o.reuse ? pair[turn++ & 1] : Buffer.allocUnsafe(Math.min(READ_CHUNK, size - pos));
      let bytesRead: number;
      try {
        ({ bytesRead } = await fh.read(buf, 0, Math.min(READ_CHUNK, size - pos), pos));
      } catch (e) {
        sink.destroy(e as Error);
        return { readError: e };
      }
      if (bytesRead === 0) break; // the file shrank while it was read (copytruncate): the caller reads again
      const piece = buf.subarray(0, bytesRead);
      o.onChunk(piece);
      await previous; // the other buffer is free again
      previous = written(sink, piece);
      previous.catch(() => undefined); // observed by the next await, or moot once the feeding stops
      pos += bytesRead;
    }
    await previous;
    sink.end();
    return {};
  } catch (e) {
    if (o.signal.aborted) {
      sink.destroy(o.signal.reason as Error);
      return { readError: o.signal.reason };
    }
    return {}; // the sink failed: the store's put rejects with the reason
  }
}

/** Back one file up (or reuse the previous object); null when the file vanished (rotated away). */
async function copyOne(o: BackupOptions, node: string, file: LogFile, key: string, signal: AbortSignal, progress: (n: number) => void): Promise<ManifestEntry | null> {
  const identity = isGzipName(file.rel);
  const fail = (e: unknown): never => {
    if ((e as Error)?.name === 'AbortError' || signal.aborted) throw e;
    throw new BackupError(`node ${node}: ${file.path}: ${errnoText(e)}`);
  };
  for (let attempt = 1; ; attempt++) {
    let fh: FileHandle;
    try {
      fh = await open(file.path, 'r');
    } catch (e) {
      // listed a moment ago and gone now: removed by log rotation/retention, nothing to back up
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' && attempt === 1) {
        const still = await lstat(file.path).then(() => true, () => false);
        if (!still) return null;
        throw new BackupError(`node ${node}: ${file.path}: broken symbolic link (its target does not exist)`);
      }
      return fail(e);
    }
    try {
      const st0 = await fh.stat().catch(fail);
      if (!st0.isFile()) return fail(new Error('not a regular file'));
      const size0 = st0.size;
      const mtime0 = Math.trunc(st0.mtimeMs);
      const plan = planIncremental(o.previous?.get(entryKey(node, file.path)), { size: size0, mtime: mtime0 }, o.bucket);
      if (plan.action === 'verify') {
        const { sha256, bytes } = await hashFd(fh, size0, signal).catch(fail);
        const prev = bytes === size0 ? reuseAfterHash(plan, sha256) : null;
        if (prev && (await o.store.head(prev.bucket, prev.key))?.size === prev.objectSize) {
          progress(size0);
          return { ...prev, node, path: file.path, rel: file.rel, reused: true, changedDuringBackup: undefined };
        }
      }
      // file → (count + sha256) → gzip level 1 → object store
      const hash = createHash('sha256');
      let bytes = 0;
      const body = identity ? new PassThrough({ highWaterMark: READ_CHUNK }) : createGzip({ level: 1, chunkSize: 64 * 1024, memLevel: 8, strategy: zc.Z_DEFAULT_STRATEGY });
      // the feeding may fail the body before the store has attached to it: its error reaches us through the put and feedFile
      body.on('error', () => undefined);
      const feeding = feedFile(fh, size0, body, {
        reuse: !identity, signal,
        onChunk: (piece) => {
          hash.update(piece);
          bytes += piece.length;
          progress(piece.length);
        },
      });
      let put;
      try {
        put = await o.store.put(o.bucket, key, body, { contentType: 'application/gzip', signal, project: o.project });
      } catch (e) {
        body.destroy();
        const { readError } = await feeding;
        if (readError && (readError as Error).name !== 'AbortError') fail(readError);
        throw storageError(o.bucket, key, e);
      }
      const { readError } = await feeding;
      if (readError) fail(readError);
      const st1 = await fh.stat().catch(fail);
      const truncated = bytes < size0 || st1.size < size0;
      if (truncated && attempt < MAX_ATTEMPTS) {
        progress(-bytes);
        continue; // copytruncate rotation while reading: read the file again from a fresh open
      }
      const changed = truncated || st1.size !== size0 || Math.trunc(st1.mtimeMs) !== mtime0;
      return {
        node, path: file.path, rel: file.rel, size: bytes, mtime: mtime0, sha256: hash.digest('hex'),
        bucket: o.bucket, key, encoding: identity ? 'identity' : 'gzip', objectSize: put.size, objectSha256: put.sha256,
        reused: false, ...(changed ? { changedDuringBackup: true } : {}),
      };
    } finally {
      await fh.close().catch(() => undefined);
    }
  }
}
