/**
 * The daily auto-backup time of CSS log backup: `"HH:MM GMT+hh:mm"` (e.g. `"00:00 GMT+08:00"`),
 * a local wall-clock time at a fixed UTC offset. Pure functions; times are epoch ms.
 */

export interface Period {
  hour: number;
  minute: number;
  /** offset of the local time from UTC, in minutes (GMT+08:00 → 480) */
  offsetMinutes: number;
}

const PERIOD_RE = /^([01]\d|2[0-3]):([0-5]\d) GMT([+-])(0\d|1[0-4]):([0-5]\d)$/;
const DAY = 86_400_000;

/** Parse a period; returns an error message instead of throwing. */
export function parsePeriod(text: string): Period | { error: string } {
  const m = PERIOD_RE.exec(text);
  if (!m) return { error: `period ${JSON.stringify(text)} must look like "HH:MM GMT+hh:mm", e.g. "00:00 GMT+08:00"` };
  const offset = (Number(m[4]) * 60 + Number(m[5])) * (m[3] === '-' ? -1 : 1);
  if (Math.abs(offset) > 14 * 60) return { error: `period ${JSON.stringify(text)}: the UTC offset must be between -14:00 and +14:00` };
  return { hour: Number(m[1]), minute: Number(m[2]), offsetMinutes: offset };
}

export function isPeriod(p: Period | { error: string }): p is Period {
  return !('error' in p);
}

/** The start (epoch ms) of the most recent daily slot at or before `now`. */
export function latestSlot(period: Period, now: number): number {
  const offsetMs = period.offsetMinutes * 60_000;
  const local = now + offsetMs;
  const dayStart = Math.floor(local / DAY) * DAY;
  let slotLocal = dayStart + (period.hour * 60 + period.minute) * 60_000;
  if (slotLocal > local) slotLocal -= DAY;
  return slotLocal - offsetMs;
}

/** The first slot strictly after `now`. */
export function nextSlot(period: Period, now: number): number {
  return latestSlot(period, now) + DAY;
}

/**
 * The slot whose Auto backup is due at `now`, or null. A slot is due once its time has come,
 * provided the policy was already enabled at that time (`enabledAt`): enabling a policy never
 * back-fills a slot that passed before it was enabled, and a process that was down for days
 * runs only the most recent missed slot.
 */
export function dueSlot(period: Period, enabledAt: number, now: number): number | null {
  const slot = latestSlot(period, now);
  return slot >= enabledAt ? slot : null;
}

/** The uniqueKey of a cluster's Auto backup slot: enqueued once across every process. */
export function slotKey(clusterId: string, slot: number): string {
  return `css-auto:${clusterId}:${slot}`;
}
