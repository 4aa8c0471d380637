import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { Db } from '../db/index.js';
import type { Database } from '../db/types.js';
import { hex32 } from '../security/ids.js';
import type { Clock, JobQueue, JobRow } from './queue.js';
import { ClaimLoop } from './claimLoop.js';
import { runInJob } from './jobContext.js';

export interface JobContext<P = unknown> {
  job: JobRow;
  payload: P;
  /** aborted when the lease is lost or the process shuts down: stop and throw */
  signal: AbortSignal;
  /** record progress (0–100); throttled, also renews the lease */
  progress(pct: number): void;
  /**
   * Register a step that runs inside the transaction that marks the job SUCCEEDED (and releases its
   * activeKey), only while this worker still holds the lease. Services mark their own record done
   * here, so a client that sees the record done can start the next job for the same key at once,
   * and a record never says done for a job that did not end SUCCEEDED. Use only `trx` inside.
   * Throwing (e.g. a JobFailure) rolls the whole commit back and fails the job.
   */
  onCommit(step: (trx: Kysely<Database>) => Promise<void>): void;
  log: FastifyBaseLogger;
}

export interface JobKind<P = any> {
  kind: string;
  /**
   * Safe to start again from the beginning when the process running it died (its lease
   * expired) or was shut down before the job finished. Failures the handler throws are never retried.
   */
  retryable: boolean;
  /** attempts in all when retryable (default 3) */
  maxAttempts?: number;
  run(ctx: JobContext<P>): Promise<unknown>;
  /**
   * The service's failure step, the mirror of `ctx.onCommit` for success: runs INSIDE the
   * transaction that moves the job to FAILED (and releases its activeKey), whichever way the job
   * fails — its handler threw, the lease sweep found its process dead, or a shutdown drain gave
   * up on it. Mark the service's record failed here with `trx` only, and schedule clean-up of
   * stored objects with `deps.outbox.add(trx, …)` (never delete objects here: the transaction
   * may still roll back). If it throws, nothing commits: the job stays RUNNING and the lease
   * sweep runs the failure again (within a sweep interval), until it succeeds.
   */
  onFail?(trx: Kysely<Database>, job: JobRow, message: string): Promise<void>;
}

export type JobTransition = 'RUNNING' | 'SUCCEEDED' | 'FAILED';

/** Observes every job transition inside the transaction that makes it (webhooks, audit). */
export interface JobEvents {
  /**
   * Called inside the transaction of the claim (RUNNING), the success commit (SUCCEEDED, with
   * the result) and the failure commit (FAILED, with the message). Throwing rolls the
   * transition back (a claim is retried by the poll, a success fails the job, a failure is
   * retried by the sweep). Write with `trx` only.
   */
  transition(trx: Kysely<Database>, job: JobRow, to: JobTransition, info: { message?: string; result?: unknown }): Promise<void>;
}

/** An error whose message is safe and useful to show to the API user. */
export class JobFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JobFailure';
  }
}

export interface RunnerOptions {
  concurrency: number;
  leaseMs: number;
  pollMs: number;
  drainMs: number;
  events?: JobEvents;
}

/** `error` of a job whose failure step threw: it stays RUNNING until the sweep fails it again. */
const FAILING = 'failing: ';

/**
 * The worker loop: claims QUEUED jobs with a lease, heart-beats while they run, and sweeps
 * jobs whose lease expired (their process died). See docs/jobs.md for the guarantees.
 */
export class JobRunner {
  readonly owner = `w-${hex32().slice(0, 12)}`;
  #kinds = new Map<string, JobKind>();
  #active = new Map<string, { controller: AbortController; done: Promise<void> }>();
  #stopping = false;
  #sweepTimer?: NodeJS.Timeout;
  readonly #loop: ClaimLoop<JobRow>;
  #unsubscribe?: () => void;

  constructor(
    private readonly db: Db,
    private readonly queue: JobQueue,
    private readonly clock: Clock,
    private readonly log: FastifyBaseLogger,
    private readonly opts: RunnerOptions,
  ) {
    this.#loop = new ClaimLoop<JobRow>({
      what: 'job',
      pollMs: opts.pollMs,
      log,
      hasRoom: () => this.#active.size < this.opts.concurrency,
      claim: () => this.claim(),
      start: (job) => this.#start(job),
    });
  }

  register(kind: JobKind): void {
    if (this.#kinds.has(kind.kind)) throw new Error(`job kind ${kind.kind} registered twice`);
    this.#kinds.set(kind.kind, kind);
  }

  get kinds(): string[] {
    return [...this.#kinds.keys()];
  }

  start(): void {
    this.#unsubscribe = this.queue.onEnqueue(() => this.#loop.wake());
    this.#loop.start();
    const sweepEvery = Math.max(1000, Math.floor(this.opts.leaseMs / 3));
    const sweep = () => {
      this.sweep()
        .catch((err) => this.log.error({ err }, 'job sweep failed'))
        .finally(() => {
          if (!this.#stopping) this.#sweepTimer = setTimeout(sweep, sweepEvery);
        });
    };
    sweep();
  }

  /** Atomically move one due QUEUED job of a known kind to RUNNING under our lease. */
  async claim(): Promise<JobRow | undefined> {
    const kinds = this.kinds;
    if (kinds.length === 0) return undefined;
    const now = this.clock.now();
    const k = this.db.kysely;
    const pick = k
      .selectFrom('jobs')
      .select('id')
      .where('state', '=', 'QUEUED')
      .where('run_at', '<=', now)
      .where('kind', 'in', kinds)
      .orderBy('run_at')
      .orderBy('created_at')
      .limit(1)
      .$if(this.db.dialect === 'postgres', (qb) => qb.forUpdate().skipLocked());
    // the claim and its transition event commit together
    return k.transaction().execute(async (trx) => {
      const row = await trx
        .updateTable('jobs')
        .set((eb) => ({
          state: 'RUNNING',
          lease_owner: this.owner,
          lease_expires_at: now + this.opts.leaseMs,
          heartbeat_at: now,
          attempts: eb('attempts', '+', 1),
          started_at: eb.fn.coalesce('started_at', eb.val(now)),
          updated_at: now,
        }))
        .where('id', '=', (eb) => eb.selectFrom(pick.as('p')).select('p.id'))
        .where('state', '=', 'QUEUED')
        .returningAll()
        .executeTakeFirst();
      if (row) await this.opts.events?.transition(trx, row, 'RUNNING', {});
      return row;
    });
  }

  #start(job: JobRow): void {
    const controller = new AbortController();
    const done = this.#execute(job, controller).finally(() => {
      this.#active.delete(job.id);
      this.#loop.wake();
    });
    this.#active.set(job.id, { controller, done });
  }

  async #execute(job: JobRow, controller: AbortController): Promise<void> {
    const kind = this.#kinds.get(job.kind)!;
    const log = this.log.child({ job_id: job.id, job_kind: job.kind });
    let progress = job.progress;
    const beat = async () => {
      const now = this.clock.now();
      const res = await this.db.kysely
        .updateTable('jobs')
        .set({ lease_expires_at: now + this.opts.leaseMs, heartbeat_at: now, progress, updated_at: now })
        .where('id', '=', job.id)
        .where('lease_owner', '=', this.owner)
        .where('state', '=', 'RUNNING')
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0 && !controller.signal.aborted) {
        log.warn('job lease lost; stopping it');
        controller.abort(new JobFailure('the job lease was lost (the worker was too slow to heart-beat)'));
      }
    };
    const heartbeat = setInterval(() => {
      beat().catch((err) => log.error({ err }, 'job heartbeat failed'));
    }, Math.max(200, Math.floor(this.opts.leaseMs / 3)));
    let lastProgressWrite = 0;
    const commitSteps: ((trx: Kysely<Database>) => Promise<void>)[] = [];
    const ctx: JobContext = {
      job,
      onCommit: (step) => void commitSteps.push(step),
      payload: JSON.parse(job.payload),
      signal: controller.signal,
      log,
      progress: (pct: number) => {
        const p = Math.max(0, Math.min(100, pct));
        if (p === progress) return;
        progress = p;
        if (Date.now() - lastProgressWrite > 1000) {
          lastProgressWrite = Date.now();
          beat().catch((err) => log.error({ err }, 'job progress write failed'));
        }
      },
    };
    try {
      // the job scope (jobContext.ts): lets adapter wrappers know which job they serve
      const result = await runInJob(job, ctx, (c) => kind.run(c));
      clearInterval(heartbeat);
      if (controller.signal.aborted) throw controller.signal.reason ?? new Error('aborted');
      const now = this.clock.now();
      const committed = await this.db.kysely.transaction().execute(async (trx) => {
        const res = await trx
          .updateTable('jobs')
          .set({ state: 'SUCCEEDED', result: JSON.stringify(result ?? null), progress: 100, finished_at: now, updated_at: now, active_key: null, lease_owner: null, lease_expires_at: null })
          .where('id', '=', job.id)
          .where('lease_owner', '=', this.owner)
          .where('state', '=', 'RUNNING')
          .executeTakeFirst();
        if (Number(res.numUpdatedRows) !== 1) return false;
        for (const step of commitSteps) await step(trx);
        await this.opts.events?.transition(trx, job, 'SUCCEEDED', { result: result ?? null });
        return true;
      });
      if (committed) log.info({ duration_ms: now - (job.started_at ?? now) }, 'job succeeded');
      else log.warn('job finished after its lease was lost; its result was discarded');
    } catch (err) {
      clearInterval(heartbeat);
      const reason = controller.signal.aborted ? controller.signal.reason : err;
      if (reason instanceof ShutdownSignal) {
        await this.release(job, kind, 'logsnap was shut down while this job was running');
        return;
      }
      const message = reason instanceof JobFailure ? reason.message : `internal error: ${(reason as Error)?.message ?? String(reason)}`;
      if (!(reason instanceof JobFailure)) log.error({ err: reason }, 'job crashed');
      else log.warn({ reason: message }, 'job failed');
      await this.fail(job, kind, message, this.owner);
    } finally {
      clearInterval(heartbeat);
    }
  }

  /**
   * Move a job we (or a dead owner) hold to FAILED exactly once, together with its kind's failure
   * step and the transition event. When that transaction throws, nothing commits: the job stays
   * RUNNING, its lease is expired at once and its message kept (`failing: …`), so the next sweep
   * (in any process) fails it again with the same message.
   */
  async fail(job: JobRow, kind: JobKind | undefined, message: string, owner: string | null): Promise<boolean> {
    const now = this.clock.now();
    const holder = owner ?? job.lease_owner;
    let failed: boolean;
    try {
      failed = await this.db.kysely.transaction().execute(async (trx) => {
        const res = await trx
          .updateTable('jobs')
          .set({ state: 'FAILED', error: message, finished_at: now, updated_at: now, active_key: null, lease_owner: null, lease_expires_at: null })
          .where('id', '=', job.id)
          .where('state', '=', 'RUNNING')
          .$if(holder !== null, (qb) => qb.where('lease_owner', '=', holder))
          .$if(holder === null, (qb) => qb.where('lease_owner', 'is', null))
          .executeTakeFirst();
        if (Number(res.numUpdatedRows) !== 1) return false;
        await kind?.onFail?.(trx, job, message);
        await this.opts.events?.transition(trx, job, 'FAILED', { message });
        return true;
      });
    } catch (err) {
      this.log.error({ err, job_id: job.id, job_kind: job.kind }, `job failure step failed; the job stays RUNNING and the sweep fails it again: ${message}`);
      await this.db.kysely
        .updateTable('jobs')
        .set({ error: FAILING + message, lease_expires_at: now, updated_at: now })
        .where('id', '=', job.id)
        .where('state', '=', 'RUNNING')
        .$if(holder !== null, (qb) => qb.where('lease_owner', '=', holder))
        .execute()
        .catch((e) => this.log.error({ err: e, job_id: job.id }, 'could not mark the job for the sweep; it is failed when its lease expires'));
      return false;
    }
    return failed;
  }

  /** Give a job back: retryable kinds go back to QUEUED (if attempts remain), others FAIL. */
  async release(job: JobRow, kind: JobKind | undefined, why: string, owner: string | null = this.owner): Promise<void> {
    const attempts = job.attempts;
    const max = kind?.retryable ? (kind.maxAttempts ?? 3) : 1;
    if (kind?.retryable && attempts < max) {
      const now = this.clock.now();
      const backoff = Math.min(60_000, 1000 * 2 ** attempts);
      const res = await this.db.kysely
        .updateTable('jobs')
        .set({ state: 'QUEUED', lease_owner: null, lease_expires_at: null, run_at: now + backoff, updated_at: now, error: `retrying: ${why}` })
        .where('id', '=', job.id)
        .where('state', '=', 'RUNNING')
        .where('lease_owner', '=', owner ?? job.lease_owner ?? '')
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 1) this.log.warn({ job_id: job.id, job_kind: job.kind, attempts, lease_owner: job.lease_owner }, `job re-queued: ${why}`);
      return;
    }
    const suffix = kind?.retryable ? ` (gave up after ${attempts} attempts)` : ' (this kind of job is not retried automatically: start it again)';
    const message = `${why}${suffix}`;
    if (await this.fail(job, kind, message, owner ?? job.lease_owner)) {
      this.log.warn({ job_id: job.id, job_kind: job.kind, attempts, lease_owner: job.lease_owner }, `job failed: ${message}`);
    }
  }

  /**
   * Recover jobs whose owner stopped heart-beating, and jobs whose failure step threw earlier
   * (`failing: …`, lease expired at once). Safe to run in every process at once.
   */
  async sweep(): Promise<number> {
    const now = this.clock.now();
    const expired = await this.db.kysely
      .selectFrom('jobs')
      .selectAll()
      .where('state', '=', 'RUNNING')
      .where('lease_expires_at', '<', now)
      .limit(100)
      .execute();
    for (const job of expired) {
      const kind = this.#kinds.get(job.kind);
      if (job.error?.startsWith(FAILING)) {
        // the job had already failed (a handler failure is never retried): finish its failure
        const message = job.error.slice(FAILING.length);
        if (await this.fail(job, kind, message, job.lease_owner)) {
          this.log.warn({ job_id: job.id, job_kind: job.kind, lease_owner: job.lease_owner }, `job failed (its failure step was retried by the sweep): ${message}`);
        }
        continue;
      }
      const at = new Date(job.lease_expires_at ?? now).toISOString();
      await this.release(job, kind, `the worker running this job (${job.lease_owner}) stopped responding; its lease expired at ${at}`, job.lease_owner);
    }
    return expired.length;
  }

  /** Stop claiming, let running jobs finish for up to drainMs, then release what is left. */
  async stop(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#unsubscribe?.();
    clearTimeout(this.#sweepTimer);
    await this.#loop.stop();
    const pending = [...this.#active.values()];
    if (pending.length) {
      this.log.info({ running: pending.length }, 'draining running jobs');
      const all = Promise.all(pending.map((p) => p.done));
      const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), this.opts.drainMs).unref());
      if ((await Promise.race([all, timeout])) === 'timeout') {
        for (const p of this.#active.values()) p.controller.abort(new ShutdownSignal());
        // a handler that ignores its signal must not hold the process forever: its lease expires
        // and the sweep of another (or the next) process recovers the job
        const left = [...this.#active.entries()];
        const grace = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), Math.max(1000, this.opts.drainMs)).unref());
        if ((await Promise.race([Promise.all(left.map(([, p]) => p.done)), grace])) === 'timeout') {
          this.log.error({ jobs: [...this.#active.keys()] }, 'jobs still running after shutdown was signalled; leaving them to the lease sweep');
        }
      }
    }
  }

  get running(): number {
    return this.#active.size;
  }
}

class ShutdownSignal extends Error {
  constructor() {
    super('shutdown');
  }
}
