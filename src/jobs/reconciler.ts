import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import { sql, type Db } from '../db/index.js';
import type { Database } from '../db/types.js';
import type { ObjectStore, SweepResult } from '../storage/objectStore.js';
import type { Clock } from './queue.js';
import type { Schedule } from './scheduler.js';

/**
 * The reconciler: one repair pass for every service, on the scheduler.
 *
 * - Records still in progress whose job has ended (or does not exist) are failed with the job's
 *   message, by the same step the job's failure runs (`RecordOwner.repair`, the kind's onFail).
 *   With onFail committing together with FAILED this finds nothing in normal operation; it
 *   repairs what older versions, manual database edits or a lost enqueue left behind.
 * - Stored objects under a job prefix that no live or successful record claims are deleted once
 *   older than `orphanGraceMs` (left by a crash between a put and its record's commit, or by a
 *   clean-up that was lost).
 * - Temporary leftovers of interrupted puts are swept (in every process, every tick).
 *
 * Records and objects run exactly once per slot across processes: the process whose insert of
 * the slot's row wins (`reconcile_slots`) runs it. Every fix is logged with the job id and why.
 */

export interface ReconcileSlotTable {
  /** `records:<n>` or `objects:<n>`: the n-th slot of that length since the epoch */
  slot: string;
  owner: string;
  started_at: number;
  finished_at: number | null;
  /** JSON ReconcileReport part */
  summary: string | null;
}

declare module '../db/types.js' {
  interface Database {
    reconcile_slots: ReconcileSlotTable;
  }
}

export interface StuckRecord {
  /** names the record in log lines, e.g. `CSS log backup record <id>` */
  record: string;
  /** the job that was to finish it; null when none exists */
  jobId: string | null;
  jobState: string | null;
  jobError: string | null;
  /** records without a job are left alone for a while (their job may be enqueued just after) */
  createdAt: number;
  /** service-specific key for repair() */
  key: string;
}

export interface OrphanObject {
  key: string;
  jobId?: string;
  why: string;
}

/** What a service tells the reconciler about one kind of record it keeps. */
export interface RecordOwner {
  name: string;
  /** records still in progress whose job has ended or does not exist (at most `limit`) */
  stuck(limit: number): Promise<StuckRecord[]>;
  /** fail the record like the job's failure step does (record + clean-up), with `trx` only; false: nothing to do */
  repair(trx: Kysely<Database>, rec: StuckRecord, message: string): Promise<boolean>;
  objects?: {
    /** where this kind's jobs write: a bucket and a key prefix ('' for the whole logical bucket) */
    locations(): Promise<{ bucket: string; prefix: string }[]>;
    /** of these keys (one bucket), those under a job prefix that no live or successful record claims */
    unclaimed(bucket: string, keys: string[]): Promise<OrphanObject[]>;
  };
}

export interface ReconcilerOptions {
  /** records are reconciled once per slot of this length (the scheduler tick) */
  slotMs: number;
  /** objects are reconciled once per slot of this length */
  objectsEveryMs: number;
  orphanGraceMs: number;
  tempMaxAgeMs: number;
  /** a record without any job is repaired only once this old (the job lease) */
  jobGraceMs: number;
}

export interface ReconcileReport {
  records: { record: string; jobId: string | null; why: string }[];
  objects: { bucket: string; key: string; jobId?: string; why: string }[];
}

const DAY = 24 * 3600_000;

export class Reconciler {
  constructor(
    private readonly d: {
      db: Db;
      store: ObjectStore;
      clock: Clock;
      log: FastifyBaseLogger;
      owners: RecordOwner[];
      /** who runs a slot (the worker id) */
      owner: string;
      onTempReclaimed?(r: SweepResult): void;
    },
    private readonly o: ReconcilerOptions,
  ) {}

  schedule(): Schedule {
    return { name: 'reconciler', tick: (now) => this.tick(now) };
  }

  async tick(now: number): Promise<void> {
    await this.sweepTemporary(now).catch((err) => this.d.log.error({ err }, 'temporary upload sweep failed'));
    if (await this.#claimSlot(`records:${Math.floor(now / this.o.slotMs)}`, now)) {
      await this.#finishSlot(`records:${Math.floor(now / this.o.slotMs)}`, { records: await this.reconcileRecords(now) });
      await this.d.db.kysely.deleteFrom('reconcile_slots').where('started_at', '<', now - DAY).execute();
    }
    if (await this.#claimSlot(`objects:${Math.floor(now / this.o.objectsEveryMs)}`, now)) {
      await this.#finishSlot(`objects:${Math.floor(now / this.o.objectsEveryMs)}`, { objects: await this.reconcileObjects(now) });
    }
  }

  /** Remove temporary leftovers of interrupted puts (every process: each knows its own live puts). */
  async sweepTemporary(now: number): Promise<SweepResult> {
    const r = await this.d.store.sweepTemporary(this.o.tempMaxAgeMs, now);
    if (r.removed > 0) {
      this.d.onTempReclaimed?.(r);
      this.d.log.info({ removed: r.removed, bytes: r.bytes, older_than_s: this.o.tempMaxAgeMs / 1000 }, `removed ${r.removed} temporary leftover(s) of interrupted uploads (${r.bytes} bytes)`);
    }
    return r;
  }

  /** The slot's row: inserted by exactly one process, which then runs the slot. */
  async #claimSlot(slot: string, now: number): Promise<boolean> {
    const r = await this.d.db.kysely.insertInto('reconcile_slots')
      .values({ slot, owner: this.d.owner, started_at: now, finished_at: null, summary: null })
      .onConflict((oc) => oc.column('slot').doNothing())
      .returning('slot')
      .executeTakeFirst();
    return r !== undefined;
  }

  async #finishSlot(slot: string, summary: Partial<ReconcileReport>): Promise<void> {
    await this.d.db.kysely.updateTable('reconcile_slots')
      .set({ finished_at: this.d.clock.now(), summary: JSON.stringify(summary) })
      .where('slot', '=', slot).execute();
  }

  /** Fail records in progress whose job has ended or vanished. */
  async reconcileRecords(now: number): Promise<ReconcileReport['records']> {
    const fixed: ReconcileReport['records'] = [];
    for (const owner of this.d.owners) {
      let rows: StuckRecord[];
      try {
        rows = await owner.stuck(200);
      } catch (err) {
        this.d.log.error({ err, records: owner.name }, 'reconciler: listing stuck records failed');
        continue;
      }
      for (const rec of rows) {
        if (rec.jobState === null && now - rec.createdAt < this.o.jobGraceMs) continue;
        const message =
          rec.jobState === 'FAILED' ? (rec.jobError ?? `job ${rec.jobId} failed`)
          : rec.jobState === null ? `no job exists to finish this ${owner.name.replace(/s$/, '')} (repaired by logsnap's reconciler)`
          : `job ${rec.jobId} ended ${rec.jobState} without finishing this ${owner.name.replace(/s$/, '')} (repaired by logsnap's reconciler)`;
        try {
          const changed = await this.d.db.kysely.transaction().execute((trx) => owner.repair(trx, rec, message));
          if (!changed) continue;
          fixed.push({ record: rec.record, jobId: rec.jobId, why: message });
          this.d.log.warn(
            { job_id: rec.jobId, job_state: rec.jobState, record: rec.record, reason: message },
            `reconciler: ${rec.record} was still in progress although its job ${rec.jobState === null ? 'does not exist' : `ended ${rec.jobState}`}; marked failed`,
          );
        } catch (err) {
          this.d.log.error({ err, job_id: rec.jobId, record: rec.record }, 'reconciler: repairing a record failed; the next slot tries again');
        }
      }
    }
    return fixed;
  }

  /** Delete objects under job prefixes that no live or successful record claims (past the grace). */
  async reconcileObjects(now: number): Promise<ReconcileReport['objects']> {
    const removed: ReconcileReport['objects'] = [];
    const cutoff = now - this.o.orphanGraceMs;
    for (const owner of this.d.owners) {
      if (!owner.objects) continue;
      try {
        for (const { bucket, prefix } of await owner.objects.locations()) {
          let batch: string[] = [];
          const flush = async () => {
            const keys = batch;
            batch = [];
            for (const o of await owner.objects!.unclaimed(bucket, keys)) {
              await this.d.store.delete(bucket, o.key);
              removed.push({ bucket, ...o });
              this.d.log.warn({ job_id: o.jobId, bucket, key: o.key, reason: o.why }, `reconciler: removed an orphaned object: ${o.why}`);
            }
          };
          for await (const obj of this.d.store.list(bucket, prefix)) {
            if (obj.lastModified > cutoff) continue;
            batch.push(obj.key);
            if (batch.length >= 500) await flush();
          }
          await flush();
        }
      } catch (err) {
        this.d.log.error({ err, records: owner.name }, 'reconciler: the orphaned-object pass failed; the next slot tries again');
      }
    }
    return removed;
  }
}

/**
 * The usual `stuck()`: rows of `table` whose `stateColumn` is `inProgress` and whose job (`jobColumn`
 * = jobs.id) has ended or does not exist.
 */
export async function stuckRecords(
  db: Db,
  spec: { table: string; idColumn: string; jobColumn: string; stateColumn: string; inProgress: string; createdColumn: string; label: string; limit: number },
): Promise<StuckRecord[]> {
  const rows = await sql<{ id: string; job_id: string | null; job_state: string | null; job_error: string | null; created_at: number | string }>`
    select r.${sql.ref(spec.idColumn)} as id, r.${sql.ref(spec.jobColumn)} as job_id, j.state as job_state, j.error as job_error,
           r.${sql.ref(spec.createdColumn)} as created_at
    from ${sql.table(spec.table)} r left join jobs j on j.id = r.${sql.ref(spec.jobColumn)}
    where r.${sql.ref(spec.stateColumn)} = ${spec.inProgress} and (j.id is null or j.state in ('SUCCEEDED', 'FAILED'))
    limit ${spec.limit}`.execute(db.kysely);
  return rows.rows.map((r) => ({
    record: `${spec.label} ${r.id}`, key: r.id, jobId: r.job_id, jobState: r.job_state === null ? null : r.job_state,
    jobError: r.job_error, createdAt: Number(r.created_at),
  }));
}
