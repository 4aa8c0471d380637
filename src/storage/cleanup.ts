import type { Kysely } from 'kysely';
import type { Database } from '../db/types.js';
import type { Outbox, OutboxHandler } from '../jobs/outbox.js';
import { validateBucket, validateKey, validatePrefix, type ObjectStore } from './objectStore.js';

/**
 * Deleting stored objects after a commit, durably: `deleteObjectsLater(outbox, trx, …)` inside the
 * transaction that makes the objects garbage (a job's failure, a record's deletion); the outbox
 * deletes them once it commits, retrying until the store answers (deleting a missing object is
 * not an error, so an attempt repeated after a crash is harmless).
 */
export const DELETE_OBJECTS_TOPIC = 'store.delete';

export interface DeleteObjects {
  bucket: string;
  /** these keys */
  keys?: string[];
  /** every object whose key starts with this (must end with `/`: a job's folder, never a whole bucket) */
  prefix?: string;
  /** for the log line: why they go */
  reason: string;
  jobId?: string;
}

export async function deleteObjectsLater(outbox: Outbox, trx: Kysely<Database>, what: DeleteObjects): Promise<string> {
  validateBucket(what.bucket);
  for (const k of what.keys ?? []) validateKey(k);
  if (what.prefix !== undefined) {
    validatePrefix(what.prefix);
    if (!what.prefix.endsWith('/') || what.prefix === '/') throw new Error(`refusing to delete by prefix ${JSON.stringify(what.prefix)}: give a folder (ending in "/")`);
  }
  return outbox.add(trx, DELETE_OBJECTS_TOPIC, what);
}

export function deleteObjectsHandler(store: ObjectStore): OutboxHandler<DeleteObjects> {
  return {
    topic: DELETE_OBJECTS_TOPIC,
    // a folder of thousands of objects may take a while; the store answering again is what counts
    retry: { baseMs: 1000, maxMs: 5 * 60_000, giveUpAfterMs: 7 * 24 * 3600_000, timeoutMs: 10 * 60_000 },
    run: async (p, ctx) => {
      const keys = [...(p.keys ?? [])];
      if (p.prefix) for await (const o of store.list(p.bucket, p.prefix)) keys.push(o.key);
      for (const k of keys) {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        await store.delete(p.bucket, k);
      }
      ctx.log.info({ job_id: p.jobId, bucket: p.bucket, prefix: p.prefix, deleted: keys.length, reason: p.reason }, `deleted ${keys.length} stored object(s): ${p.reason}`);
    },
  };
}
