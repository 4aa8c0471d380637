import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../db/index.js';
import type { JobQueue } from '../jobs/queue.js';
import type { JobRunner } from '../jobs/runner.js';
import { Scheduler, type Schedule } from '../jobs/scheduler.js';
import type { ObjectStore } from '../storage/objectStore.js';
import type { TestClock } from './clock.js';
import type { Faults } from './faults.js';
import { resetState, type ResetResult } from './reset.js';
import { exportState, importState, type StateDeps, type StateSummary } from './state.js';
import './tables.js';

/** Advances longer than this are ticked at most MAX_PASSES times, evenly spread. */
export const PASS_EVERY_MS = 60 * 60 * 1000;
export const MAX_PASSES = 168;
/** The longest single advance: 366 days. */
export const MAX_ADVANCE_SECONDS = 366 * 86_400;
const SYNC_EVERY_MS = 250;

export interface LeversDeps {
  db: Db;
  clock: TestClock;
  faults: Faults;
  /** the real store (not the fault wrapper): reset and state touch every object */
  store: ObjectStore;
  queue: JobQueue;
  log: FastifyBaseLogger;
  /** every periodic schedule of this process's services */
  schedules: Schedule[];
  /** recovers jobs whose lease expired (the process's own runner, or one made for it in an api-only process) */
  sweeper: Pick<JobRunner, 'sweep'>;
  /** this process's job runner, whose leases are renewed when the clock moves */
  runner?: Pick<JobRunner, 'owner'>;
  leaseMs: number;
  keyCheck: string;
  /** the state was replaced underneath this process (import): drop what it caches (credential lookups) */
  onStateReplaced?(): void;
}

export interface AdvanceResult {
  /** test time after the advance, epoch ms */
  now: number;
  /** how far the test clock is ahead of the wall clock */
  offset_ms: number;
}

/**
 * The test levers of one process: the shared clock and fault rules kept in step with the database,
 * the clock advance (schedules ticked over the span, leases swept), reset and state export/import.
 */
export class TestLevers {
  #timer?: NodeJS.Timeout;
  #serial: Promise<unknown> = Promise.resolve();
  readonly #stepClock = { t: 0, now(): number { return this.t; } };
  readonly #stepper: Scheduler;

  constructor(private readonly d: LeversDeps) {
    this.#stepper = new Scheduler(d.schedules, d.queue, this.#stepClock, d.log, PASS_EVERY_MS);
  }

  /** Read the clock offset and the fault rules' version (one query); renew our leases if the clock moved. */
  async sync(): Promise<void> {
    const row = await this.d.db.kysely.selectFrom('test_state').select(['clock_offset_ms', 'faults_version']).where('id', '=', 'state').executeTakeFirst();
    if (!row) return;
    const moved = this.d.clock.adopt(Number(row.clock_offset_ms));
    await this.d.faults.syncVersion(Number(row.faults_version));
    if (moved && this.d.runner) {
      // a heartbeat written with the old time just before the move must not make our jobs look dead
      const until = this.d.clock.now() + this.d.leaseMs;
      await this.d.db.kysely.updateTable('jobs').set({ lease_expires_at: until })
        .where('lease_owner', '=', this.d.runner.owner).where('state', '=', 'RUNNING').where('lease_expires_at', '<', until)
        .execute();
    }
  }

  /** Keep in step with the database in the background (other processes move the clock too). */
  start(): void {
    const loop = () => {
      this.sync()
        .catch((err) => this.d.log.warn({ err }, 'test clock sync failed'))
        .finally(() => {
          if (this.#timer) this.#timer = setTimeout(loop, SYNC_EVERY_MS).unref();
        });
    };
    this.#timer = setTimeout(loop, SYNC_EVERY_MS).unref();
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#serial.then(fn, fn);
    this.#serial = run.catch(() => undefined);
    return run;
  }

  /**
   * Move the test clock forward. Leases held when the clock moves move with it (a worker that is
   * alive keeps its job); then the schedules are ticked over the span (every hour of test time,
   * at most MAX_PASSES passes) and expired leases are swept, so what became due is enqueued (or
   * recovered) before this returns. The jobs themselves then run as usual.
   */
  advance(seconds: number): Promise<AdvanceResult> {
    return this.#exclusive(async () => {
      await this.sync();
      const delta = seconds * 1000;
      const from = this.d.clock.now();
      const wall = this.d.clock.wall();
      await this.d.db.kysely.transaction().execute(async (trx) => {
        await trx.updateTable('test_state').set((eb) => ({ clock_offset_ms: eb('clock_offset_ms', '+', delta), updated_at: wall })).where('id', '=', 'state').execute();
        await trx.updateTable('jobs').set((eb) => ({ lease_expires_at: eb('lease_expires_at', '+', delta) }))
          .where('state', '=', 'RUNNING').where('lease_expires_at', '>=', from).execute();
      });
      await this.sync();
      const passes = Math.min(MAX_PASSES, Math.max(1, Math.ceil(delta / PASS_EVERY_MS)));
      for (let i = 1; i <= passes; i++) {
        this.#stepClock.t = i === passes ? this.d.clock.now() : from + Math.floor((delta * i) / passes);
        await this.#stepper.runOnce();
      }
      const swept = await this.d.sweeper.sweep();
      const now = this.d.clock.now();
      this.d.log.info({ advanced_s: seconds, now: new Date(now).toISOString(), passes, swept }, 'test clock advanced');
      return { now, offset_ms: this.d.clock.offsetMs };
    });
  }

  async reset(projectId?: string): Promise<ResetResult> {
    const r = await resetState(this.d.db, this.d.store, this.d.log, projectId);
    await this.d.db.kysely.updateTable('test_state').set((eb) => ({ faults_version: eb('faults_version', '+', 1) })).where('id', '=', 'state').execute();
    await this.sync();
    return r;
  }

  #stateDeps(): StateDeps {
    return { db: this.d.db, store: this.d.store, keyCheck: this.d.keyCheck, now: () => this.d.clock.now(), wall: () => this.d.clock.wall(), log: this.d.log };
  }

  exportState(out: NodeJS.WritableStream): Promise<StateSummary> {
    return exportState(this.#stateDeps(), out);
  }

  importState(file: string): Promise<StateSummary> {
    return this.#exclusive(async () => {
      const r = await importState(this.#stateDeps(), file);
      this.d.onStateReplaced?.();
      await this.sync();
      return r;
    });
  }
}
