import type { Clock } from '../jobs/queue.js';

/**
 * The test clock: the wall clock (or an injected base clock) plus an offset that lives in the
 * database (`test_state.clock_offset_ms`), so every process on one database tells the same time.
 * `now()` is synchronous and reads a cached offset; `TestLevers.sync()` refreshes the cache
 * (at the start of every request in test mode, every 250 ms, and around every advance).
 */
export class TestClock implements Clock {
  #offset = 0;

  constructor(private readonly base: Clock) {}

  now(): number {
    return this.base.now() + this.#offset;
  }

  /** The wall (base) clock this test clock runs on. */
  wall(): number {
    return this.base.now();
  }

  get offsetMs(): number {
    return this.#offset;
  }

  /** Adopt the offset read from the database; true when it changed. */
  adopt(offsetMs: number): boolean {
    if (offsetMs === this.#offset) return false;
    this.#offset = offsetMs;
    return true;
  }
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/**
 * A duration for the CLI and the testing client: `90`, `90s`, `15m`, `25h`, `7d`, `1w`, or
 * combinations such as `1d12h`; returns whole seconds. Throws with a message saying what is accepted.
 */
export function parseDuration(text: string | number): number {
  if (typeof text === 'number') {
    if (!Number.isInteger(text) || text <= 0) throw new Error(`a duration must be a positive whole number of seconds (got ${text})`);
    return text;
  }
  const t = text.trim();
  if (/^\d+$/.test(t)) return parseDuration(Number(t));
  const re = /(\d+)([smhdw])/gy;
  let total = 0;
  let m: RegExpExecArray | null;
  let end = 0;
  while ((m = re.exec(t))) {
    total += Number(m[1]) * UNITS[m[2]];
    end = re.lastIndex;
  }
  if (end !== t.length || total <= 0) {
    throw new Error(`cannot read the duration ${JSON.stringify(text)}: use seconds or a number with s, m, h, d or w (e.g. 90s, 15m, 25h, 7d, 1d12h)`);
  }
  return total;
}
