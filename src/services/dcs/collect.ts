import { once } from 'node:events';
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { PassThrough, Readable } from 'node:stream';
import type { ObjectStore, PutResult } from '../../storage/objectStore.js';
import { NodeProblem } from './redisNode.js';
import { DaySlicer, LineSplitter, type Assigned } from './slicer.js';

export interface SliceToStoreInput {
  path: string;
  /** the days to store, one object each (days without lines give an empty object) */
  days: string[];
  /** today in the Redis host's zone (year of year-less lines) */
  today: string;
  store: ObjectStore;
  bucket: string;
  /** the instance's project: the store encrypts the files when the project has encryption at rest on */
  project?: string;
  keyOf(day: string): string;
  signal: AbortSignal;
  progress(pct: number): void;
}

export interface SliceToStoreResult {
  /** bytes of the log read: its size when the collection started (later appends are left out) */
  sourceBytes: number;
  files: { day: string; key: string; size: number; sha256: string }[];
  /** bytes of lines stamped with days outside the window */
  otherDaysBytes: number;
  /** bytes before the first timestamp that could not be given a day */
  unassignedBytes: number;
}

const errno = (e: unknown) => (e as NodeJS.ErrnoException)?.code ?? (e as Error)?.message ?? String(e);

/**
 * Read a Redis log once, streaming, and write one object per day of `days` at the same time
 * (one concurrent put per day; back-pressure from each). The log is read up to the size it
 * had when opened, so a log growing meanwhile gives a consistent cut at a line boundary or
 * the end of what was written.
 */
export async function sliceLogToStore(o: SliceToStoreInput): Promise<SliceToStoreResult> {
  let fh;
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever
    fh = await open(o.path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw new NodeProblem(
      `logsnap cannot read the Redis log file ${o.path} (${errno(e)}); make it readable by the user logsnap runs as, on the host logsnap runs on (or register the node with "logFile" pointing to a readable copy)`,
    );
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new NodeProblem(`the Redis log ${o.path} is not a regular file; register the node with "logFile" pointing to the file its output is written to`);
    const size = st.size;

    const ac = new AbortController();
    let failure: Error | undefined;
    let rejectFailed!: (e: Error) => void;
    const failed = new Promise<never>((_, rej) => (rejectFailed = rej));
    failed.catch(() => undefined);
    const fail = (e: Error) => {
      if (failure) return;
      failure = e;
      ac.abort(e);
      rejectFailed(e);
    };
    const onOuterAbort = () => fail(o.signal.reason instanceof Error ? o.signal.reason : new Error('aborted'));
    if (o.signal.aborted) onOuterAbort();
    o.signal.addEventListener('abort', onOuterAbort, { once: true });

    const sinks = new Map<string, { pt: PassThrough; put: Promise<PutResult>; key: string }>();
    for (const day of o.days) {
      const pt = new PassThrough({ highWaterMark: 256 * 1024 });
      const key = o.keyOf(day);
      const put = o.store.put(o.bucket, key, pt, { contentType: 'text/plain', signal: ac.signal, project: o.project });
      put.catch((e) => fail(e as Error));
      sinks.set(day, { pt, put, key });
    }

    let otherDaysBytes = 0;
    let unassignedBytes = 0;
    let batchDay: string | null | undefined;
    let batch: Buffer[] = [];
    const flush = async () => {
      if (!batch.length) return;
      const bytes = batch.length === 1 ? batch[0] : Buffer.concat(batch);
      batch = [];
      const sink = batchDay ? sinks.get(batchDay) : undefined;
      if (!sink) {
        if (batchDay === null) unassignedBytes += bytes.length;
        else otherDaysBytes += bytes.length;
        return;
      }
      if (!sink.pt.write(bytes)) await Promise.race([once(sink.pt, 'drain'), failed]);
    };
    const take = async (assigned: Assigned[]) => {
      for (const a of assigned) {
        if (a.day !== batchDay) {
          await flush();
          batchDay = a.day;
        }
        batch.push(a.bytes);
      }
    };

    try {
      const splitter = new LineSplitter();
      const slicer = new DaySlicer(o.today);
      const source = size > 0 ? fh.createReadStream({ start: 0, end: size - 1, autoClose: false, highWaterMark: 256 * 1024 }) : Readable.from([]);
      let read = 0;
      const stop = () => source.destroy(failure);
      ac.signal.addEventListener('abort', stop, { once: true });
      for await (const chunk of source as AsyncIterable<Buffer>) {
        if (failure) throw failure;
        read += chunk.length;
        for (const piece of splitter.push(chunk)) await take(slicer.push(piece));
        await flush();
        o.progress(size ? Math.floor((read / size) * 95) : 95);
      }
      ac.signal.removeEventListener('abort', stop);
      for (const piece of splitter.end()) await take(slicer.push(piece));
      await take(slicer.end());
      await flush();
      if (failure) throw failure;
      for (const s of sinks.values()) s.pt.end();
      const puts = await Promise.race([Promise.all([...sinks.values()].map((s) => s.put)), failed]);
      const files = [...sinks.entries()].map(([day, s], i) => ({ day, key: s.key, size: puts[i].size, sha256: puts[i].sha256 }));
      return { sourceBytes: read, files, otherDaysBytes, unassignedBytes };
    } catch (e) {
      fail(e as Error);
      for (const s of sinks.values()) s.pt.destroy(failure);
      await Promise.allSettled([...sinks.values()].map((s) => s.put));
      if ((e as NodeJS.ErrnoException)?.code && !(e instanceof NodeProblem) && (e as NodeJS.ErrnoException).syscall === 'read') {
        throw new NodeProblem(`reading the Redis log file ${o.path} failed (${errno(e)})`);
      }
      throw e;
    } finally {
      o.signal.removeEventListener('abort', onOuterAbort);
    }
  } finally {
    await fh.close();
  }
}
