/**
 * Live job events for the console (GET /logsnap/v1/events, server-sent events).
 *
 * One poller per process, whatever the number of subscribers: while at least one subscriber is
 * connected, one query every `intervalMs` reads the jobs whose `updated_at` moved (an indexed range,
 * migration 0060) and fans each change out to the subscribers allowed to see it. Heartbeats and
 * progress writes move `updated_at`, so progress and "last heartbeat" arrive live. Jobs written by
 * other processes arrive the same way (the database is the only thing processes share).
 *
 * Times in `updated_at` come from each writer's clock; a window of `overlapMs` is read again on
 * every poll (deduplicated by version) so a writer slightly behind does not slip through.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../db/index.js';
import type { Clock, JobRow } from '../jobs/queue.js';
import type { JobEventT } from '../http/routes/console/schemas.js';

export interface LiveSubscriber {
  /** null: every project (admin) */
  projectId: string | null;
  send(event: JobEventT): void;
  /** ends the subscriber's stream (process shutdown) */
  end(): void;
}

type EventRow = Pick<JobRow, 'id' | 'kind' | 'state' | 'progress' | 'project_id' | 'cluster_id' | 'error' | 'attempts' | 'created_at' | 'started_at' | 'finished_at' | 'heartbeat_at' | 'lease_owner' | 'lease_expires_at' | 'updated_at'>;
const PAGE = 500;
const COLUMNS = ['id', 'kind', 'state', 'progress', 'project_id', 'cluster_id', 'error', 'attempts', 'created_at', 'started_at', 'finished_at', 'heartbeat_at', 'lease_owner', 'lease_expires_at', 'updated_at'] as const;
const n = (v: number | null) => (v === null ? null : Number(v));

function toEvent(r: EventRow): JobEventT {
  return {
    id: r.id, kind: r.kind, state: r.state, progress: Number(r.progress), project_id: r.project_id, cluster_id: r.cluster_id,
    error: r.error, attempts: Number(r.attempts), created_at: Number(r.created_at), started_at: n(r.started_at),
    finished_at: n(r.finished_at), heartbeat_at: n(r.heartbeat_at), lease_owner: r.lease_owner,
    lease_expires_at: n(r.lease_expires_at), updated_at: Number(r.updated_at),
  };
}

const version = (e: JobEventT) => `${e.state}|${e.progress}|${e.updated_at}|${e.heartbeat_at}|${e.attempts}`;

export class LiveJobs {
  #subs = new Set<LiveSubscriber>();
  /** the latest event of every job seen in the window (active ones are kept until they end) */
  #seen = new Map<string, JobEventT>();
  #cursor = 0;
  #timer?: NodeJS.Timeout;
  #polling?: Promise<void>;
  #started?: Promise<void>;
  /** the poll loop is alive (a timer pending or a poll running): exactly one loop at a time */
  #running = false;
  #closed = false;
  /** polls run so far (tests: one query loop, however many subscribers) */
  polls = 0;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly log: FastifyBaseLogger,
    private readonly opts: { intervalMs: number; overlapMs?: number; recentMs?: number },
  ) {}

  get subscribers(): number {
    return this.#subs.size;
  }

  /**
   * Subscribe; the current state (jobs queued or running, and those that ended in the last
   * minute) is sent first. Returns the unsubscribe function.
   */
  async subscribe(sub: LiveSubscriber): Promise<() => void> {
    if (this.#closed) throw new Error('live job events are shut down');
    this.#subs.add(sub);
    if (!this.#running) {
      this.#running = true;
      this.#started = this.#start();
    }
    await this.#started;
    for (const e of this.#seen.values()) if (this.#allowed(sub, e)) sub.send(e);
    return () => {
      this.#subs.delete(sub);
      if (this.#subs.size === 0) this.#stop();
    };
  }

  #allowed(sub: LiveSubscriber, e: JobEventT): boolean {
    return sub.projectId === null || sub.projectId === e.project_id;
  }

  async #start(): Promise<void> {
    const now = this.clock.now();
    const recentMs = this.opts.recentMs ?? 60_000;
    try {
      const rows = await this.db.kysely.selectFrom('jobs').select([...COLUMNS])
        .where((eb) => eb.or([eb('state', 'in', ['QUEUED', 'RUNNING']), eb('updated_at', '>=', now - recentMs)]))
        .orderBy('updated_at').limit(2000).execute();
      this.#seen.clear();
      for (const r of rows) this.#seen.set(r.id, toEvent(r));
      this.#cursor = Math.max(now, ...rows.map((r) => Number(r.updated_at)));
    } catch (err) {
      this.log.warn({ err }, 'console live events: initial read failed');
      this.#cursor = now;
    }
    this.#schedule();
  }

  /** Next poll, or the loop ends when nobody listens (the next subscriber starts a fresh one). */
  #schedule(): void {
    if (this.#closed || this.#subs.size === 0) {
      this.#running = false;
      return;
    }
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#polling = this.poll()
        .then(() => undefined, (err) => this.log.warn({ err }, 'console live events: poll failed'))
        .finally(() => {
          this.#polling = undefined;
          this.#schedule();
        });
    }, this.opts.intervalMs);
  }

  #stop(): void {
    // between polls the loop ends here; during a poll it ends when the poll does (#schedule)
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#running = false;
    }
  }

  /** One read of what changed since the last one, fanned out to every subscriber. */
  async poll(): Promise<number> {
    this.polls++;
    const overlap = this.opts.overlapMs ?? 5000;
    // keyset pages through the window (a burst of changes is read whole, a page at a time)
    const rows: EventRow[] = [];
    let after: { t: number; id: string } | null = null;
    for (let page = 0; page < 20; page++) {
      const from = after;
      const batch: EventRow[] = await this.db.kysely.selectFrom('jobs').select([...COLUMNS])
        .where('updated_at', '>=', this.#cursor - overlap)
        .$if(from !== null, (q) => q.where((eb) => eb.or([eb('updated_at', '>', from!.t), eb.and([eb('updated_at', '=', from!.t), eb('id', '>', from!.id)])])))
        .orderBy('updated_at').orderBy('id').limit(PAGE).execute();
      rows.push(...batch);
      if (batch.length < PAGE) break;
      const last = batch[batch.length - 1];
      after = { t: Number(last.updated_at), id: last.id };
    }
    let sent = 0;
    for (const r of rows) {
      const e = toEvent(r);
      const prev = this.#seen.get(e.id);
      if (prev && version(prev) === version(e)) continue;
      this.#seen.set(e.id, e);
      for (const s of this.#subs) {
        if (!this.#allowed(s, e)) continue;
        s.send(e);
        sent++;
      }
    }
    if (rows.length) this.#cursor = Math.max(this.#cursor, Number(rows[rows.length - 1].updated_at));
    // forget ended jobs once they are out of every window
    const keepAfter = Math.min(this.#cursor - overlap, this.clock.now() - (this.opts.recentMs ?? 60_000));
    for (const [id, e] of this.#seen) {
      if ((e.state === 'SUCCEEDED' || e.state === 'FAILED') && e.updated_at < keepAfter) this.#seen.delete(id);
    }
    return sent;
  }

  /** End every subscription (process shutdown). */
  async close(): Promise<void> {
    this.#closed = true;
    this.#stop();
    for (const s of this.#subs) s.end();
    this.#subs.clear();
    await this.#polling;
  }
}
