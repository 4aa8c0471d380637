import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { Db } from '../db/index.js';
import type { Database } from '../db/types.js';
import { hex32 } from '../security/ids.js';
import type { Clock, JobQueue, JobRow } from './queue.js';
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
   * Runs once when the job ends FAILED, in whichever process failed it: the worker that ran
   * it, or another worker's sweep after the lease expired. Clean up partial artifacts and
   * mirror the failure into the service's own records here.
   */
  onFailed?(job: JobRow, message: string): Promise<void>;
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
}

/**
 * The worker loop: claims QUEUED jobs with a lease, heart-beats while they run, and sweeps
 * jobs whose lease expired (their process died). See docs/jobs.md for the guarantees.
 */
export class JobRunner {
  readonly owner = `w-${hex32().slice(0, 12)}`;
  #kinds = new Map<string, JobKind>();
  #active = new Map<string, { controller: AbortController; done: Promise<void> }>();
  #stopping = false;
  #timer?: NodeJS.Timeout;
  #sweepTimer?: NodeJS.Timeout;
  #wake?: () => void;
  #loop?: Promise<void>;
  #unsubscribe?: () => void;

  constructor(
    private readonly db: Db,
    private readonly queue: JobQueue,
    private readonly clock: Clock,
    private readonly log: FastifyBaseLogger,
    private readonly opts: RunnerOptions,
  ) {}

  register(kind: JobKind): void {
    if (this.#kinds.has(kind.kind)) throw new Error(`job kind ${kind.kind} registered twice`);
    this.#kinds.set(kind.kind, kind);
  }

  get kinds(): string[] {
    return [...this.#kinds.keys()];
  }

  start(): void {
    this.#unsubscribe = this.queue.onEnqueue(() => this.#wake?.());
    this.#loop = this.#run();
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

  /** Claim and run jobs until stop(). */
  async #run(): Promise<void> {
    while (!this.#stopping) {
      let claimed: JobRow | undefined;
      if (this.#active.size < this.opts.concurrency) {
        try {
          claimed = await this.claim();
        } catch (err) {
          this.log.error({ err }, 'job claim failed');
        }
      }
      if (claimed) {
        this.#start(claimed);
        continue;
      }
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        this.#timer = setTimeout(resolve, this.opts.pollMs);
      });
      clearTimeout(this.#timer);
      this.#wake = undefined;
    }
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
    const row = await k
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
    return row;
  }

  #start(job: JobRow): void {
    const controller = new AbortController();
    const done = this.#execute(job, controller).finally(() => {
      this.#active.delete(job.id);
      this.#wake?.();
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

  /** Move a job we (or a dead owner) hold to FAILED exactly once, then run the kind's hook. */
  async fail(job: JobRow, kind: JobKind | undefined, message: string, owner: string | null): Promise<boolean> {
    const now = this.clock.now();
    const res = await this.db.kysely
      .updateTable('jobs')
      .set({ state: 'FAILED', error: message, finished_at: now, updated_at: now, active_key: null, lease_owner: null, lease_expires_at: null })
      .where('id', '=', job.id)
      .where('state', '=', 'RUNNING')
      .$if(owner !== null, (qb) => qb.where('lease_owner', '=', owner))
      .$if(owner === null, (qb) => qb.where('lease_owner', '=', job.lease_owner))
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) return false;
    if (kind?.onFailed) {
      try {
        await kind.onFailed(job, message);
      } catch (err) {
        this.log.error({ err, job_id: job.id }, 'job onFailed hook failed');
      }
    }
    return true;
  }

  /** Give a job back: retryable kinds go back to QUEUED (if attempts remain), others FAIL. */
  async release(job: JobRow, kind: JobKind | undefined, why: string, owner: string | null = this.owner): Promise<void> {
    const attempts = job.attempts;
    const max = kind?.retryable ? (kind.maxAttempts ?? 3) : 1;
    if (kind?.retryable && attempts < max) {
      const now = this.clock.now();
      const backoff = Math.min(60_000, 1000 * 2 ** attempts);
      await this.db.kysely
        .updateTable('jobs')
        .set({ state: 'QUEUED', lease_owner: null, lease_expires_at: null, run_at: now + backoff, updated_at: now, error: `retrying: ${why}` })
        .where('id', '=', job.id)
        .where('state', '=', 'RUNNING')
        .where('lease_owner', '=', owner ?? job.lease_owner ?? '')
        .execute();
      this.log.warn({ job_id: job.id, attempts }, `job re-queued: ${why}`);
      return;
    }
    const suffix = kind?.retryable ? ` (gave up after ${attempts} attempts)` : ' (this kind of job is not retried automatically: start it again)';
    await this.fail(job, kind, `${why}${suffix}`, owner ?? job.lease_owner);
  }

  /** Recover jobs whose owner stopped heart-beating. Safe to run in every process at once. */
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
    this.#wake?.();
    await this.#loop;
    const pending = [...this.#active.values()];
    if (pending.length) {
      this.log.info({ running: pending.length }, 'draining running jobs');
      const all = Promise.all(pending.map((p) => p.done));
      const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), this.opts.drainMs).unref());
      if ((await Promise.race([all, timeout])) === 'timeout') {
        for (const p of this.#active.values()) p.controller.abort(new ShutdownSignal());
        await Promise.all([...this.#active.values()].map((p) => p.done));
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
