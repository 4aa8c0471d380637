import type { Selectable } from 'kysely';
import type { Db } from '../db/index.js';
import { isUniqueViolation } from '../db/index.js';
import type { JobTable } from '../db/types.js';
import { uuid } from '../security/ids.js';
import { currentRequest } from '../http/requestContext.js';

export type JobRow = Selectable<JobTable>;
export type JobState = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED';
export const ACTIVE_STATES: JobState[] = ['QUEUED', 'RUNNING'];

export interface EnqueueInput {
  kind: string;
  projectId?: string | null;
  clusterId?: string | null;
  payload?: unknown;
  /** at most one QUEUED/RUNNING job per activeKey, across every process (e.g. `css-log-backup:<cluster>`) */
  activeKey?: string;
  /** a job is ever enqueued once per uniqueKey (periodic slots: `css-auto:<cluster>:<slot>`) */
  uniqueKey?: string;
  runAt?: number;
  maxAttempts?: number;
  id?: string;
  /** who starts it; defaults to the current request's caller (see http/requestContext.ts), else `system` */
  createdBy?: string;
}

/** Another job holds the same activeKey. */
export class JobConflictError extends Error {
  readonly code = 'EJOBCONFLICT';
  constructor(readonly activeKey: string) {
    super(`another job is already running for ${activeKey}`);
  }
}

export interface Clock {
  now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };

/** Enqueueing and reading jobs; usable by API-only processes (no worker loop here). */
export class JobQueue {
  #listeners = new Set<() => void>();
  constructor(private readonly db: Db, private readonly clock: Clock) {}

  /** Called after every enqueue in this process (the local worker wakes up at once). */
  onEnqueue(fn: () => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /**
   * Insert a QUEUED job. Throws JobConflictError when `activeKey` is held by an active job;
   * returns null when `uniqueKey` was already used. Pass `trx` to enqueue inside a transaction.
   */
  async enqueue(input: EnqueueInput, trx: Db['kysely'] = this.db.kysely): Promise<JobRow | null> {
    const now = this.clock.now();
    const origin = currentRequest();
    const row: JobRow = {
      id: input.id ?? uuid(),
      kind: input.kind,
      project_id: input.projectId ?? null,
      cluster_id: input.clusterId ?? null,
      state: 'QUEUED',
      payload: JSON.stringify(input.payload ?? {}),
      result: null,
      error: null,
      progress: 0,
      attempts: 0,
      max_attempts: input.maxAttempts ?? 1,
      active_key: input.activeKey ?? null,
      unique_key: input.uniqueKey ?? null,
      lease_owner: null,
      lease_expires_at: null,
      heartbeat_at: null,
      run_at: input.runAt ?? now,
      created_at: now,
      started_at: null,
      finished_at: null,
      updated_at: now,
      request_id: origin?.requestId ?? null,
      created_by: input.createdBy ?? origin?.caller ?? 'system',
    };
    try {
      await trx.insertInto('jobs').values(row).execute();
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      if (input.uniqueKey) {
        const existing = await trx.selectFrom('jobs').select('id').where('unique_key', '=', input.uniqueKey).executeTakeFirst();
        if (existing) return null;
      }
      if (input.activeKey) throw new JobConflictError(input.activeKey);
      throw err;
    }
    for (const fn of this.#listeners) fn();
    return row;
  }

  async get(id: string): Promise<JobRow | undefined> {
    return this.db.kysely.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** The active job holding `activeKey`, if any. */
  async active(activeKey: string): Promise<JobRow | undefined> {
    return this.db.kysely.selectFrom('jobs').selectAll().where('active_key', '=', activeKey).executeTakeFirst();
  }

  async countsByKindAndState(): Promise<{ kind: string; state: string; n: number }[]> {
    const rows = await this.db.kysely
      .selectFrom('jobs')
      .select(['kind', 'state', (eb) => eb.fn.countAll<number | string>().as('n')])
      .groupBy(['kind', 'state'])
      .execute();
    return rows.map((r) => ({ kind: r.kind, state: r.state, n: Number(r.n) }));
  }
}
