/**
 * Snapshot-policy schedules (`backup_strategy`): a Quartz-style cron subset, the form the
 * DWS console and API use, e.g. `0 0 2 * * ?` (every day at 02:00) or `0 30 1 ? * 1,4`.
 *
 * Fields: second minute hour day-of-month month day-of-week [year].
 * Each field: `*`, a number, `a-b`, `a,b,c`, `*\/n`, `a/n`, `a-b/n`; `?` in day-of-month or
 * day-of-week means "no constraint". Months accept JAN–DEC, days of week accept SUN–SAT
 * (Quartz numbering: 1 = Sunday … 7 = Saturday). Not supported (rejected with a message):
 * `L`, `W`, `#`, `LW`. Expressions are evaluated in UTC. Pure: no clock, no I/O.
 */

export interface CronSpec {
  seconds: Set<number>;
  minutes: Set<number>;
  hours: Set<number>;
  /** null: unconstrained (`?` or `*`) */
  daysOfMonth: Set<number> | null;
  months: Set<number>;
  /** 0 = Sunday … 6 = Saturday (converted from Quartz 1–7); null: unconstrained */
  daysOfWeek: Set<number> | null;
  years: Set<number> | null;
  source: string;
}

export class CronError extends Error {}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

function parseField(text: string, name: string, min: number, max: number, names?: string[], nameBase = 1): Set<number> | null {
  if (text === '*' || text === '?') return null;
  if (/[LW#]/i.test(text.replace(/[A-Z]{3}/gi, (m) => (names?.includes(m.toUpperCase()) ? '0' : m)))) {
    throw new CronError(`${name}: "L", "W" and "#" are not supported`);
  }
  const value = (s: string): number => {
    const up = s.toUpperCase();
    if (names && names.includes(up)) return names.indexOf(up) + nameBase;
    if (!/^\d+$/.test(s)) throw new CronError(`${name}: "${s}" is not a number`);
    const n = Number(s);
    if (n < min || n > max) throw new CronError(`${name}: ${n} is outside ${min}–${max}`);
    return n;
  };
  const out = new Set<number>();
  for (const part of text.split(',')) {
    if (part === '') throw new CronError(`${name}: empty list element`);
    const [rangePart, stepPart, extra] = part.split('/');
    if (extra !== undefined) throw new CronError(`${name}: "${part}" has more than one "/"`);
    let step = 1;
    if (stepPart !== undefined) {
      if (!/^\d+$/.test(stepPart) || Number(stepPart) < 1) throw new CronError(`${name}: step "${stepPart}" must be a positive integer`);
      step = Number(stepPart);
    }
    let lo: number;
    let hi: number;
    if (rangePart === '*' || rangePart === '?') {
      lo = min;
      hi = max;
    } else if (rangePart.includes('-')) {
      const [a, b] = rangePart.split('-');
      lo = value(a);
      hi = value(b);
      if (lo > hi) throw new CronError(`${name}: range "${rangePart}" runs backwards`);
    } else {
      lo = value(rangePart);
      hi = stepPart !== undefined ? max : lo;
    }
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

const all = (min: number, max: number): Set<number> => new Set(Array.from({ length: max - min + 1 }, (_, i) => min + i));

export function parseCron(expr: string): CronSpec {
  const f = expr.trim().split(/\s+/);
  if (f.length < 6 || f.length > 7) {
    throw new CronError(`expected 6 or 7 fields "second minute hour day-of-month month day-of-week [year]" (e.g. "0 0 2 * * ?"), got ${f.length}`);
  }
  const [s, mi, h, dom, mon, dow, yr] = f;
  if (dom === '?' && dow === '?') throw new CronError('day-of-month and day-of-week cannot both be "?"');
  const dowSet = parseField(dow, 'day-of-week', 1, 7, DAYS, 1);
  return {
    seconds: parseField(s, 'second', 0, 59) ?? all(0, 59),
    minutes: parseField(mi, 'minute', 0, 59) ?? all(0, 59),
    hours: parseField(h, 'hour', 0, 23) ?? all(0, 23),
    daysOfMonth: parseField(dom, 'day-of-month', 1, 31),
    months: parseField(mon, 'month', 1, 12, MONTHS, 1) ?? all(1, 12),
    daysOfWeek: dowSet ? new Set([...dowSet].map((d) => d - 1)) : null,
    years: yr === undefined ? null : parseField(yr, 'year', 1970, 2199),
    source: expr.trim(),
  };
}

function dayMatches(spec: CronSpec, d: Date): boolean {
  const domOk = spec.daysOfMonth === null || spec.daysOfMonth.has(d.getUTCDate());
  const dowOk = spec.daysOfWeek === null || spec.daysOfWeek.has(d.getUTCDay());
  return domOk && dowOk;
}

/**
 * The first fire time strictly after `after` (epoch ms), or null when there is none
 * (e.g. a year list in the past, or 31 February) within 5 years.
 */
export function nextFireTime(spec: CronSpec, after: number): number | null {
  // start at the next whole second
  let t = Math.floor(after / 1000) * 1000 + 1000;
  const limit = after + 5 * 366 * 86_400_000;
  const secs = [...spec.seconds].sort((a, b) => a - b);
  const mins = [...spec.minutes].sort((a, b) => a - b);
  const hours = [...spec.hours].sort((a, b) => a - b);
  while (t <= limit) {
    const d = new Date(t);
    const y = d.getUTCFullYear();
    if (spec.years && !spec.years.has(y)) {
      const nextYear = [...spec.years].filter((v) => v > y).sort((a, b) => a - b)[0];
      if (nextYear === undefined) return null;
      t = Date.UTC(nextYear, 0, 1);
      continue;
    }
    if (!spec.months.has(d.getUTCMonth() + 1)) {
      t = Date.UTC(y, d.getUTCMonth() + 1, 1);
      continue;
    }
    if (!dayMatches(spec, d)) {
      t = Date.UTC(y, d.getUTCMonth(), d.getUTCDate() + 1);
      continue;
    }
    // a matching day: find the first matching h:m:s at or after t within it
    const hh = d.getUTCHours();
    const mm = d.getUTCMinutes();
    const ss = d.getUTCSeconds();
    const dayStart = Date.UTC(y, d.getUTCMonth(), d.getUTCDate());
    let found: number | null = null;
    for (const h of hours) {
      if (h < hh) continue;
      for (const m of mins) {
        if (h === hh && m < mm) continue;
        for (const s of secs) {
          if (h === hh && m === mm && s < ss) continue;
          found = dayStart + ((h * 60 + m) * 60 + s) * 1000;
          break;
        }
        if (found !== null) break;
      }
      if (found !== null) break;
    }
    if (found !== null) return found;
    t = dayStart + 86_400_000;
  }
  return null;
}

/** The latest fire time at or before `at`, searching back at most `lookbackMs`; null if none. */
export function previousFireTime(spec: CronSpec, at: number, lookbackMs: number): number | null {
  let prev: number | null = null;
  let t = at - lookbackMs - 1;
  for (;;) {
    const n = nextFireTime(spec, t);
    if (n === null || n > at) return prev;
    prev = n;
    t = n;
  }
}
