import type { FastifyBaseLogger } from 'fastify';
import type { Clock, EnqueueInput, JobQueue } from './queue.js';

/**
 * A periodic task. `due(now)` returns the jobs whose slot has come; each carries a
 * `uniqueKey` naming its slot, so however many processes tick, each slot is enqueued once.
 * `tick` may also do idempotent housekeeping (expiry, retention) itself.
 */
export interface Schedule {
  name: string;
  due?(now: number): Promise<(EnqueueInput & { uniqueKey: string })[]>;
  tick?(now: number): Promise<void>;
}

export class Scheduler {
  #timer?: NodeJS.Timeout;
  #running?: Promise<void>;
  #stopped = false;

  constructor(
    private readonly schedules: Schedule[],
    private readonly queue: JobQueue,
    private readonly clock: Clock,
    private readonly log: FastifyBaseLogger,
    private readonly everyMs: number,
  ) {}

  start(): void {
    const loop = () => {
      this.#running = this.runOnce().then(() => undefined).finally(() => {
        if (!this.#stopped) this.#timer = setTimeout(loop, this.everyMs);
      });
    };
    loop();
  }

  /** One pass over every schedule (tests call this directly with a fake clock). */
  async runOnce(): Promise<number> {
    const now = this.clock.now();
    let enqueued = 0;
    for (const s of this.schedules) {
      try {
        await s.tick?.(now);
        for (const job of (await s.due?.(now)) ?? []) {
          if (await this.queue.enqueue({ createdBy: `scheduler:${s.name}`, ...job })) enqueued++;
        }
      } catch (err) {
        this.log.error({ err, schedule: s.name }, 'schedule failed');
      }
    }
    return enqueued;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }
}
