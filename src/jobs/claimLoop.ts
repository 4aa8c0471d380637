import type { FastifyBaseLogger } from 'fastify';

/**
 * The dispatch loop shared by the job runner and the outbox: claim work while there is room,
 * start it, and otherwise sleep until `wake()` or the poll interval.
 */
export class ClaimLoop<T> {
  #stopping = false;
  #wake?: () => void;
  #timer?: NodeJS.Timeout;
  #loop?: Promise<void>;

  constructor(
    private readonly o: {
      what: string;
      pollMs: number;
      log: FastifyBaseLogger;
      /** room for one more? */
      hasRoom(): boolean;
      claim(): Promise<T | undefined>;
      start(item: T): void;
      /** housekeeping when there was nothing to claim */
      idle?(): Promise<void>;
    },
  ) {}

  start(): void {
    this.#loop ??= this.#run();
  }

  get stopping(): boolean {
    return this.#stopping;
  }

  wake(): void {
    this.#wake?.();
  }

  /** Stop claiming; resolves when the loop has left (work already started goes on). */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#wake?.();
    await this.#loop;
  }

  async #run(): Promise<void> {
    while (!this.#stopping) {
      let claimed: T | undefined;
      if (this.o.hasRoom()) {
        try {
          claimed = await this.o.claim();
        } catch (err) {
          this.o.log.error({ err }, `${this.o.what} claim failed`);
        }
      }
      if (claimed !== undefined) {
        this.o.start(claimed);
        continue;
      }
      await this.o.idle?.().catch((err) => this.o.log.error({ err }, `${this.o.what} housekeeping failed`));
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        this.#timer = setTimeout(resolve, this.o.pollMs);
      });
      clearTimeout(this.#timer);
      this.#wake = undefined;
    }
  }
}
