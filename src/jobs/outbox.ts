import type { FastifyBaseLogger } from 'fastify';
import type { Kysely, Selectable } from 'kysely';
import type { Db } from '../db/index.js';
import type { Database } from '../db/types.js';
import { hex32, uuid } from '../security/ids.js';
import type { Clock } from './queue.js';
import { ClaimLoop } from './claimLoop.js';

/**
 * The outbox: durable after-commit tasks. A caller writes an item with `add(trx, …)` inside the
 * transaction that makes the task necessary (a job's failure, a record's deletion), so the task
 * exists exactly when that transaction commits — no process has to live a few milliseconds longer
 * for it to happen. Worker processes dispatch due items to the handler registered for their
 * topic: one process at a time per item (a lease), a timeout per attempt (AbortSignal),
 * exponential back-off with jitter after a failure, DEAD (logged) after `giveUpAfterMs`.
 * Handlers must be idempotent: an attempt can run again after a crash. See docs/jobs.md.
 */
export interface OutboxTable {
  id: string;
  topic: string;
  /** JSON */
  payload: string;
  /** PENDING | DONE | DEAD */
  state: string;
  /** attempts started so far */
  attempts: number;
  /** not before this instant (epoch ms): back-off, or a delay asked for at add; 0: at once */
  run_at: number;
  /** the dispatcher working on it (while lease_expires_at is in the future) */
  lease_owner: string | null;
  lease_expires_at: number | null;
  /** the last attempt's failure (kept after success, for the record) */
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

declare module '../db/types.js' {
  interface Database {
    outbox: OutboxTable;
  }
}

export type OutboxRow = Selectable<OutboxTable>;
export type OutboxState = 'PENDING' | 'DONE' | 'DEAD';

export interface OutboxRetry {
  /** first back-off; doubled per attempt (with jitter: 50–100 % of the value) */
  baseMs: number;
  /** back-off ceiling */
  maxMs: number;
  /** counted from the item's creation: a retry that would start later makes the item DEAD */
  giveUpAfterMs: number;
  /** one attempt's limit: its signal aborts then, and the attempt counts as failed */
  timeoutMs: number;
}

export const DEFAULT_RETRY: OutboxRetry = { baseMs: 1000, maxMs: 5 * 60_000, giveUpAfterMs: 7 * 24 * 3600_000, timeoutMs: 60_000 };

export interface OutboxContext {
  id: string;
  /** 1 for the first attempt */
  attempt: number;
  /** aborted at the attempt's timeout or when the process shuts down: stop and throw */
  signal: AbortSignal;
  log: FastifyBaseLogger;
}

export interface OutboxHandler<P = any> {
  topic: string;
  /** Do the task; throw to have it retried. Must be idempotent and must stop when `signal` aborts. */
  run(payload: P, ctx: OutboxContext): Promise<void>;
  retry?: Partial<OutboxRetry>;
}

export interface OutboxOptions {
  /** items worked at once by this process */
  concurrency: number;
  /** idle poll for due items */
  pollMs: number;
  /** DONE items are deleted after this long */
  keepDoneMs: number;
  /** DEAD items are deleted after this long */
  keepDeadMs: number;
  /**
   * A claim's lease, renewed every third of it while the attempt runs: the item of a process
   * that died mid-attempt is taken over this long after its last renewal.
   */
  leaseMs: number;
}

export const DEFAULT_OUTBOX_OPTIONS: OutboxOptions = {
  concurrency: 4, pollMs: 500, keepDoneMs: 24 * 3600_000, keepDeadMs: 30 * 24 * 3600_000, leaseMs: 30_000,
};

/** The back-off before attempt `attempt + 1`, `random` in [0, 1). */
export function backoffMs(retry: OutboxRetry, attempt: number, random = Math.random()): number {
  const full = Math.min(retry.maxMs, retry.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(full / 2 + (full / 2) * random);
}

class Shutdown extends Error {
  constructor() {
    super('logsnap was shut down during the attempt');
  }
}
class AttemptTimeout extends Error {
  constructor(ms: number) {
    super(`the attempt took longer than ${ms} ms`);
  }
}

export class Outbox {
  readonly owner = `o-${hex32().slice(0, 12)}`;
  readonly #handlers = new Map<string, OutboxHandler>();
  readonly #opts: OutboxOptions;
  readonly #active = new Map<string, { controller: AbortController; done: Promise<void> }>();
  #started = false;
  readonly #loop: ClaimLoop<OutboxRow>;
  #lastPrune = 0;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly log: FastifyBaseLogger,
    opts: Partial<OutboxOptions> = {},
  ) {
    this.#opts = { ...DEFAULT_OUTBOX_OPTIONS, ...opts };
    this.#loop = new ClaimLoop<OutboxRow>({
      what: 'outbox',
      pollMs: this.#opts.pollMs,
      log,
      hasRoom: () => this.#active.size < this.#opts.concurrency,
      claim: () => this.claim(),
      start: (row) => this.#start(row),
      idle: async () => {
        if (Date.now() - this.#lastPrune < 60_000) return;
        this.#lastPrune = Date.now();
        await this.prune();
      },
    });
  }

  register(handler: OutboxHandler): void {
    if (this.#handlers.has(handler.topic)) throw new Error(`outbox topic ${handler.topic} registered twice`);
    this.#handlers.set(handler.topic, handler);
  }

  get topics(): string[] {
    return [...this.#handlers.keys()];
  }

  /**
   * Write an item in the caller's transaction (`trx`; the plain `db.kysely` for a task on its
   * own). With `id`, adding the same id twice keeps the first (idempotent). Returns the id.
   */
  async add(trx: Kysely<Database>, topic: string, payload: unknown, opts: { runAt?: number; id?: string } = {}): Promise<string> {
    const now = this.clock.now();
    const id = opts.id ?? uuid();
    await trx.insertInto('outbox')
      .values({
        // without runAt: due at once, whatever the clock says later (0, not now: a test clock may go back)
        id, topic, payload: JSON.stringify(payload ?? null), state: 'PENDING', attempts: 0, run_at: opts.runAt ?? 0,
        lease_owner: null, lease_expires_at: null, last_error: null, created_at: now, updated_at: now,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    this.#wakeSoon();
    return id;
  }

  /**
   * The item is visible once the caller's transaction commits, which `add` cannot see: wake the
   * dispatcher now (SQLite: it queues behind the transaction) and once more a little later
   * (PostgreSQL: another connection). The poll is the backstop.
   */
  #wakeSoon(): void {
    if (!this.#started) return;
    setImmediate(() => this.#loop.wake());
    setTimeout(() => this.#loop.wake(), 100).unref();
  }

  /** Start dispatching (worker processes). */
  start(): void {
    this.#started = true;
    this.#loop.start();
  }

  /** Take one due PENDING item of a topic this process handles, under our lease. */
  async claim(): Promise<OutboxRow | undefined> {
    const topics = this.topics;
    if (topics.length === 0) return undefined;
    const now = this.clock.now();
    const k = this.db.kysely;
    const pick = k
      .selectFrom('outbox')
      .select('id')
      .where('state', '=', 'PENDING')
      .where('run_at', '<=', now)
      .where('topic', 'in', topics)
      .where((eb) => eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<', now)]))
      .orderBy('run_at')
      .orderBy('created_at')
      .limit(1)
      .$if(this.db.dialect === 'postgres', (qb) => qb.forUpdate().skipLocked());
    return k
      .updateTable('outbox')
      .set((eb) => ({ lease_owner: this.owner, lease_expires_at: now + this.#opts.leaseMs, attempts: eb('attempts', '+', 1), updated_at: now }))
      .where('id', '=', (eb) => eb.selectFrom(pick.as('p')).select('p.id'))
      .where('state', '=', 'PENDING')
      .returningAll()
      .executeTakeFirst();
  }

  #retry(topic: string): OutboxRetry {
    return { ...DEFAULT_RETRY, ...this.#handlers.get(topic)?.retry };
  }

  #start(row: OutboxRow): void {
    const controller = new AbortController();
    const done = this.#work(row, controller)
      .catch((err) => this.log.error({ err, outbox_id: row.id, topic: row.topic }, 'outbox item bookkeeping failed'))
      .finally(() => {
        this.#active.delete(row.id);
        this.#loop.wake();
      });
    this.#active.set(row.id, { controller, done });
  }

  /** One attempt of a claimed item, then its bookkeeping (DONE, back-off, DEAD). */
  async #work(row: OutboxRow, controller: AbortController): Promise<void> {
    const handler = this.#handlers.get(row.topic)!;
    const retry = this.#retry(row.topic);
    const log = this.log.child({ outbox_id: row.id, topic: row.topic, attempt: row.attempts });
    const timer = setTimeout(() => controller.abort(new AttemptTimeout(retry.timeoutMs)), retry.timeoutMs);
    // renew the lease while the attempt runs (only ours, only this attempt)
    const renew = () =>
      this.db.kysely.updateTable('outbox').set({ lease_expires_at: this.clock.now() + this.#opts.leaseMs })
        .where('id', '=', row.id).where('lease_owner', '=', this.owner).where('attempts', '=', row.attempts).where('state', '=', 'PENDING')
        .execute()
        .catch((err) => log.error({ err }, 'outbox lease renewal failed'));
    const heartbeat = setInterval(renew, Math.max(100, Math.floor(this.#opts.leaseMs / 3)));
    let settled = true;
    let error: unknown;
    try {
      const attempt = handler.run(JSON.parse(row.payload), { id: row.id, attempt: row.attempts, signal: controller.signal, log });
      const aborted = new Promise<never>((_, reject) => {
        const onAbort = () => reject(controller.signal.reason);
        if (controller.signal.aborted) onAbort();
        else controller.signal.addEventListener('abort', onAbort, { once: true });
      });
      aborted.catch(() => undefined);
      settled = false;
      attempt.then(() => (settled = true), () => (settled = true));
      await Promise.race([attempt, aborted]);
      if (controller.signal.aborted) throw controller.signal.reason;
    } catch (e) {
      error = e;
    } finally {
      clearTimeout(timer);
      clearInterval(heartbeat);
    }
    const now = this.clock.now();
    // every write below holds only while this attempt still owns the item
    const finish = (set: Partial<OutboxTable>) =>
      this.db.kysely.updateTable('outbox').set({ ...set, updated_at: now })
        .where('id', '=', row.id).where('lease_owner', '=', this.owner).where('attempts', '=', row.attempts).where('state', '=', 'PENDING')
        .executeTakeFirst();
    if (error === undefined) {
      const res = await finish({ state: 'DONE', lease_owner: null, lease_expires_at: null });
      if (Number(res.numUpdatedRows) === 1) log.debug('outbox item done');
      else log.warn('outbox item finished after its lease was taken over');
      return;
    }
    const message = (error as Error)?.message ?? String(error);
    // a handler still running after its signal aborted keeps the item for one more lease
    const holdUntil = settled ? null : now + this.#opts.leaseMs;
    if (error instanceof Shutdown) {
      // due as it was: a shutdown is not the item's failure and must not push it later
      await finish({ lease_owner: null, lease_expires_at: holdUntil, run_at: row.run_at, last_error: message });
      log.info('outbox item released at shutdown');
      return;
    }
    const delay = backoffMs(retry, row.attempts);
    if (now + delay > Number(row.created_at) + retry.giveUpAfterMs) {
      await finish({ state: 'DEAD', lease_owner: null, lease_expires_at: null, last_error: message });
      // (not the payload: it may carry what a topic must keep out of logs; the row keeps it)
      log.error({ err: error, attempts: row.attempts }, `outbox item gave up after ${row.attempts} attempts: ${message}`);
      return;
    }
    await finish({ lease_owner: null, lease_expires_at: holdUntil, run_at: now + delay, last_error: message });
    log.warn({ err: error, retry_in_ms: delay }, `outbox item failed; retrying: ${message}`);
  }

  /** Delete DONE and DEAD items past their keep time. */
  async prune(now = this.clock.now()): Promise<number> {
    const k = this.db.kysely;
    const done = await k.deleteFrom('outbox').where('state', '=', 'DONE').where('updated_at', '<', now - this.#opts.keepDoneMs).executeTakeFirst();
    const dead = await k.deleteFrom('outbox').where('state', '=', 'DEAD').where('updated_at', '<', now - this.#opts.keepDeadMs).executeTakeFirst();
    return Number(done.numDeletedRows) + Number(dead.numDeletedRows);
  }

  async get(id: string): Promise<OutboxRow | undefined> {
    return this.db.kysely.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** For metrics: items by topic and state, and when the oldest PENDING item was added. */
  async stats(): Promise<{ items: { topic: string; state: string; n: number }[]; oldestPendingAt: number | null }> {
    const k = this.db.kysely;
    const rows = await k.selectFrom('outbox')
      .select(['topic', 'state', (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('state', '!=', 'DONE')
      .groupBy(['topic', 'state'])
      .execute();
    const oldest = await k.selectFrom('outbox').select((eb) => eb.fn.min('created_at').as('t')).where('state', '=', 'PENDING').executeTakeFirst();
    return { items: rows.map((r) => ({ topic: r.topic, state: r.state, n: Number(r.n) })), oldestPendingAt: oldest?.t == null ? null : Number(oldest.t) };
  }

  /** Stop claiming; abort attempts in flight (they are released for another process at once). */
  async stop(): Promise<void> {
    if (this.#loop.stopping) return;
    await this.#loop.stop();
    for (const a of this.#active.values()) a.controller.abort(new Shutdown());
    await Promise.all([...this.#active.values()].map((a) => a.done));
  }

  get running(): number {
    return this.#active.size;
  }
}
