/**
 * Splitting a Redis log into calendar days — pure, no I/O (unit-tested in slicer.test.ts).
 *
 * Redis stamps every log line with the wall-clock time of the Redis host:
 *   Redis ≥ 3:        `2206:M 23 Nov 2026 15:02:34.695 * Ready to accept connections`
 *                     (the year appears from Redis 5/6 on; `2206:M 23 Nov 15:02:34.695 * …` before)
 *   Redis 2.x:        `[2206] 23 Nov 15:02:34.695 # Server started` (2.4: no milliseconds)
 * A line's day is the date written on it: the calendar day of the Redis host's zone. No
 * conversion happens, so a line is never moved to another day; the zone only decides which
 * day is "today" and the year of lines that do not carry one (see `todayIn`).
 *
 * Lines without a timestamp (multi-line banners, stack traces, garbage) belong to the day of
 * the closest timestamped line before them. Lines before the first timestamped line belong to
 * the day of the first timestamped line after them (held back up to `maxLeadingBytes`; past
 * that, and at the end of a log with no timestamp at all, they are "unassigned").
 *
 * Bytes are kept exactly: line terminators (`\n` or `\r\n`), invalid UTF-8, a last line
 * without a newline. Concatenating every day's bytes and the unassigned bytes, in order of
 * appearance, gives the input back.
 */

/** A slice of the input: a whole line, or a part of a very long line. */
export interface Piece {
  bytes: Buffer;
  /** true when the piece starts a line (only then is a timestamp looked for) */
  lineStart: boolean;
}

/** Cuts a byte stream into lines (terminator included); lines longer than maxLineBytes come in pieces. */
export class LineSplitter {
  #pending: Buffer[] = [];
  #pendingLen = 0;
  #pendingStartsLine = true;

  constructor(private readonly maxLineBytes = 1 << 20) {}

  push(chunk: Buffer): Piece[] {
    const out: Piece[] = [];
    let pos = 0;
    while (pos < chunk.length) {
      const nl = chunk.indexOf(0x0a, pos);
      if (nl === -1) {
        const rest = chunk.subarray(pos);
        this.#pending.push(rest);
        this.#pendingLen += rest.length;
        if (this.#pendingLen >= this.maxLineBytes) {
          out.push({ bytes: this.#take(), lineStart: this.#pendingStartsLine });
          this.#pendingStartsLine = false;
        }
        break;
      }
      const part = chunk.subarray(pos, nl + 1);
      const bytes = this.#pendingLen ? Buffer.concat([...this.#pending, part]) : part;
      this.#pending = [];
      this.#pendingLen = 0;
      out.push({ bytes, lineStart: this.#pendingStartsLine });
      this.#pendingStartsLine = true;
      pos = nl + 1;
    }
    return out;
  }

  end(): Piece[] {
    if (!this.#pendingLen) return [];
    const piece = { bytes: this.#take(), lineStart: this.#pendingStartsLine };
    this.#pendingStartsLine = true;
    return [piece];
  }

  #take(): Buffer {
    const b = Buffer.concat(this.#pending);
    this.#pending = [];
    this.#pendingLen = 0;
    return b;
  }
}

const MONTHS: Record<string, number> = { Jan: 1, Feb: 2, Mar: 3, Apr: 4, May: 5, Jun: 6, Jul: 7, Aug: 8, Sep: 9, Oct: 10, Nov: 11, Dec: 12 };

const LINE_RE =
  /^(?:\d{1,10}:[A-Z]|\[\d{1,10}\]) (\d{1,2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (?:(\d{4}) )?(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,6})? [.\-*#](?: |\r?\n|$)/;

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** `yyyy-mm-dd` plus n days (n may be negative). */
export function addDays(day: string, n: number): string {
  const [y, m, d] = day.split('-').map(Number);
  const t = new Date(Date.UTC(y, m - 1, d + n));
  return `${pad(t.getUTCFullYear(), 4)}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
}

/**
 * The day (`yyyy-mm-dd`) a Redis log line is stamped with, or null when the line carries no
 * valid Redis timestamp. `today` (in the Redis host's zone) supplies the year of year-less
 * lines: this year, unless that puts the line more than a day in the future (then last year).
 */
export function parseRedisLineDay(line: Buffer | string, today: string): string | null {
  const head = typeof line === 'string' ? line.slice(0, 80) : line.subarray(0, 80).toString('latin1');
  const m = LINE_RE.exec(head);
  if (!m) return null;
  const dom = Number(m[1]);
  const month = MONTHS[m[2]];
  const [hh, mi, ss] = [Number(m[4]), Number(m[5]), Number(m[6])];
  if (hh > 23 || mi > 59 || ss > 60 || dom < 1) return null;
  let year: number;
  if (m[3]) {
    year = Number(m[3]);
    if (year < 1970) return null;
  } else {
    year = Number(today.slice(0, 4));
    if (`${pad(year, 4)}-${pad(month)}-${pad(dom)}` > addDays(today, 1)) year -= 1;
  }
  if (dom > daysInMonth(year, month)) return null;
  return `${pad(year, 4)}-${pad(month)}-${pad(dom)}`;
}

/** Bytes assigned to a day; `day: null` = no timestamp to go by (see the module comment). */
export interface Assigned {
  day: string | null;
  bytes: Buffer;
}

export class DaySlicer {
  #current: string | null = null;
  #leading: Buffer[] = [];
  #leadingBytes = 0;
  #leadingOverflow = false;

  constructor(private readonly today: string, private readonly maxLeadingBytes = 1 << 20) {}

  push(piece: Piece): Assigned[] {
    const day = piece.lineStart ? parseRedisLineDay(piece.bytes, this.today) : null;
    if (day) {
      this.#current = day;
      const out = this.#flushLeading(day);
      out.push({ day, bytes: piece.bytes });
      return out;
    }
    if (this.#current) return [{ day: this.#current, bytes: piece.bytes }];
    if (this.#leadingOverflow) return [{ day: null, bytes: piece.bytes }];
    this.#leading.push(piece.bytes);
    this.#leadingBytes += piece.bytes.length;
    if (this.#leadingBytes > this.maxLeadingBytes) {
      this.#leadingOverflow = true;
      return this.#flushLeading(null);
    }
    return [];
  }

  end(): Assigned[] {
    return this.#flushLeading(null);
  }

  #flushLeading(day: string | null): Assigned[] {
    if (!this.#leading.length) return [];
    const out = this.#leading.map((bytes) => ({ day, bytes }));
    this.#leading = [];
    this.#leadingBytes = 0;
    return out;
  }
}

/** Today's date (`yyyy-mm-dd`) in an IANA zone. Throws RangeError for an unknown zone. */
export function todayIn(timeZone: string, epochMs: number): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(epochMs);
  const get = (t: string) => parts.find((p) => p.type === t)!.value;
  return `${get('year').padStart(4, '0')}-${get('month')}-${get('day')}`;
}

/** True when `timeZone` is a zone this runtime knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    todayIn(timeZone, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The days a collection covers, oldest first: `query_time` n ∈ {0,1,3,7} → the max(n,1) days
 * ending today (0 and 1 both mean today alone; 7 = today and the six days before).
 */
export function windowDays(today: string, queryTime: number): string[] {
  const n = Math.max(1, queryTime);
  return Array.from({ length: n }, (_, i) => addDays(today, i - (n - 1)));
}

/** Convenience for tests and small inputs: slice a whole buffer; returns day → bytes, plus unassigned. */
export function sliceBuffer(input: Buffer, today: string, chunkSize = 64 * 1024): { days: Map<string, Buffer>; unassigned: Buffer } {
  const splitter = new LineSplitter();
  const slicer = new DaySlicer(today);
  const parts = new Map<string, Buffer[]>();
  const un: Buffer[] = [];
  const take = (a: Assigned[]) => {
    for (const { day, bytes } of a) {
      if (day === null) un.push(bytes);
      else {
        let list = parts.get(day);
        if (!list) parts.set(day, (list = []));
        list.push(bytes);
      }
    }
  };
  for (let i = 0; i < input.length; i += chunkSize) for (const p of splitter.push(input.subarray(i, i + chunkSize))) take(slicer.push(p));
  for (const p of splitter.end()) take(slicer.push(p));
  take(slicer.end());
  return { days: new Map([...parts].map(([d, b]) => [d, Buffer.concat(b)])), unassigned: Buffer.concat(un) };
}
