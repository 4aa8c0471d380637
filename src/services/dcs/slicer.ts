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

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

const MONTH_DAYS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : MONTH_DAYS[month];
}

/** `yyyy-mm-dd` plus n days (n may be negative). */
export function addDays(day: string, n: number): string {
  const [y, m, d] = day.split('-').map(Number);
  const t = new Date(Date.UTC(y, m - 1, d + n));
  return `${pad(t.getUTCFullYear(), 4)}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
}

/** What year-less lines are measured against: today's year and the last acceptable day (tomorrow). */
export interface YearRef {
  year: number;
  /** yyyymmdd of tomorrow */
  limit: number;
}

export function yearRef(today: string): YearRef {
  return { year: Number(today.slice(0, 4)), limit: Number(addDays(today, 1).replace(/-/g, '')) };
}

// month from its three letters (ASCII codes), 0 when not a month
function monthOf(a: number, b: number, c: number): number {
  switch (String.fromCharCode(a, b, c)) {
    case 'Jan': return 1;
    case 'Feb': return 2;
    case 'Mar': return 3;
    case 'Apr': return 4;
    case 'May': return 5;
    case 'Jun': return 6;
    case 'Jul': return 7;
    case 'Aug': return 8;
    case 'Sep': return 9;
    case 'Oct': return 10;
    case 'Nov': return 11;
    case 'Dec': return 12;
    default: return 0;
  }
}

const isDigit = (c: number | undefined): c is number => c !== undefined && c >= 48 && c <= 57;

/**
 * The day a Redis log line is stamped with as a number yyyymmdd, or 0 when the line does not
 * start with a valid Redis timestamp. Byte-level (no decoding, no allocation): this runs once
 * per line of logs that can be gigabytes. Accepted shape:
 *   (`<1–10 digits>:<A–Z>` | `[<1–10 digits>]`) ` ` d{1,2} ` ` Mon ` ` [yyyy ` `] hh:mm:ss[.d{1,6}] ` ` level(. - * #) then ` `, `\r\n`, `\n` or the end
 */
export function parseRedisLineStamp(b: Uint8Array, ref: YearRef): number {
  let i = 0;
  let start: number;
  if (b[0] === 0x5b /* [ */) {
    i = start = 1;
    while (isDigit(b[i])) i++;
    if (i === start || i - start > 10 || b[i] !== 0x5d /* ] */) return 0;
    i++;
  } else {
    start = 0;
    while (isDigit(b[i])) i++;
    if (i === start || i - start > 10 || b[i] !== 0x3a /* : */) return 0;
    i++;
    const role = b[i];
    if (role === undefined || role < 65 || role > 90) return 0;
    i++;
  }
  if (b[i] !== 0x20) return 0;
  i++;
  if (!isDigit(b[i])) return 0;
  let dom = b[i++] - 48;
  if (isDigit(b[i])) dom = dom * 10 + (b[i++] - 48);
  if (b[i] !== 0x20 || i + 4 > b.length) return 0;
  const month = monthOf(b[i + 1], b[i + 2], b[i + 3]);
  if (!month || b[i + 4] !== 0x20) return 0;
  i += 5;
  let year = 0;
  if (isDigit(b[i]) && isDigit(b[i + 1]) && isDigit(b[i + 2]) && isDigit(b[i + 3]) && b[i + 4] === 0x20) {
    year = (b[i] - 48) * 1000 + (b[i + 1] - 48) * 100 + (b[i + 2] - 48) * 10 + (b[i + 3] - 48);
    i += 5;
  }
  if (!(isDigit(b[i]) && isDigit(b[i + 1]) && b[i + 2] === 0x3a && isDigit(b[i + 3]) && isDigit(b[i + 4]) && b[i + 5] === 0x3a && isDigit(b[i + 6]) && isDigit(b[i + 7]))) return 0;
  const hh = (b[i] - 48) * 10 + (b[i + 1] - 48);
  const mi = (b[i + 3] - 48) * 10 + (b[i + 4] - 48);
  const ss = (b[i + 6] - 48) * 10 + (b[i + 7] - 48);
  i += 8;
  if (b[i] === 0x2e /* . */) {
    i++;
    start = i;
    while (isDigit(b[i]) && i - start < 6) i++;
    if (i === start) return 0;
  }
  if (b[i] !== 0x20) return 0;
  const level = b[i + 1];
  if (level !== 0x2e && level !== 0x2d && level !== 0x2a && level !== 0x23) return 0;
  i += 2;
  if (!(i === b.length || b[i] === 0x20 || b[i] === 0x0a || (b[i] === 0x0d && b[i + 1] === 0x0a))) return 0;
  if (hh > 23 || mi > 59 || ss > 60 || dom < 1) return 0;
  if (year) {
    if (year < 1970) return 0;
  } else {
    year = ref.year;
    if (year * 10000 + month * 100 + dom > ref.limit) year -= 1;
  }
  if (dom > daysInMonth(year, month)) return 0;
  return year * 10000 + month * 100 + dom;
}

const dayOfStamp = (n: number) => `${pad(Math.floor(n / 10000), 4)}-${pad(Math.floor(n / 100) % 100)}-${pad(n % 100)}`;

/**
 * The day (`yyyy-mm-dd`) a Redis log line is stamped with, or null when the line carries no
 * valid Redis timestamp. `today` (in the Redis host's zone) supplies the year of year-less
 * lines: this year, unless that puts the line more than a day in the future (then last year).
 */
export function parseRedisLineDay(line: Buffer | string, today: string): string | null {
  const b = typeof line === 'string' ? Buffer.from(line.slice(0, 80), 'latin1') : line;
  const n = parseRedisLineStamp(b, yearRef(today));
  return n ? dayOfStamp(n) : null;
}

/** Bytes assigned to a day; `day: null` = no timestamp to go by (see the module comment). */
export interface Assigned {
  day: string | null;
  bytes: Buffer;
}

export class DaySlicer {
  #current: string | null = null;
  #currentStamp = 0;
  #ref: YearRef;
  #leading: Buffer[] = [];
  #leadingBytes = 0;
  #leadingOverflow = false;

  constructor(today: string, private readonly maxLeadingBytes = 1 << 20) {
    this.#ref = yearRef(today);
  }

  push(piece: Piece): Assigned[] {
    const stamp = piece.lineStart ? parseRedisLineStamp(piece.bytes, this.#ref) : 0;
    if (stamp) {
      if (stamp !== this.#currentStamp) {
        this.#currentStamp = stamp;
        this.#current = dayOfStamp(stamp);
      }
      const day = this.#current!;
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
