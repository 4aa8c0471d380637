/**
 * Go's `time.Time.String()` layout, as CCE prints its task times:
 *   2023-11-25 17:03:46.739012 +0800 CST
 * Layout "2006-01-02 15:04:05.000000 -0700 MST" in a configured IANA zone. Go takes the zone
 * abbreviation from the system tzdata (TZif files), so we do too (`Asia/Shanghai` → `CST`,
 * which ICU/Intl renders as `GMT+8`); when no tzdata file is readable we use Intl's short name if
 * it is a real abbreviation, and otherwise print the numeric offset, as Go does for a zone
 * without a name. Pure: file reading is injected.
 */

export interface Zone {
  name: string;
  /** UTC offset in seconds at this instant */
  offsetSeconds(epochMs: number): number;
  /** the zone abbreviation at this instant (`CST`, `CEST`, `+08`), or null when unknown */
  abbreviation(epochMs: number): string | null;
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');

function numericOffset(offsetSeconds: number): string {
  const sign = offsetSeconds < 0 ? '-' : '+';
  const m = Math.floor(Math.abs(offsetSeconds) / 60);
  return `${sign}${pad(Math.floor(m / 60), 2)}${pad(m % 60, 2)}`;
}

/**
 * Format an instant given in epoch microseconds. The fraction always has six digits (microseconds,
 * the precision of the CCE examples); Go parsers accept it with either `.000000` or `.999999999`.
 */
export function formatGoTime(epochMicros: number, zone: Zone): string {
  if (!Number.isFinite(epochMicros)) throw new RangeError(`not a time: ${epochMicros}`);
  const micros = ((epochMicros % 1_000_000) + 1_000_000) % 1_000_000;
  const epochSec = (epochMicros - micros) / 1_000_000;
  const epochMs = epochSec * 1000;
  const off = zone.offsetSeconds(epochMs);
  const d = new Date((epochSec + off) * 1000);
  const date = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
  const time = `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}.${pad(micros, 6)}`;
  const num = numericOffset(off);
  return `${date} ${time} ${num} ${zone.abbreviation(epochMs) ?? num}`;
}

// ---------------------------------------------------------------------------------------------
// TZif (RFC 8536): the tzdata files Go reads.

export interface Tzif {
  /** transition times, epoch seconds, ascending */
  transitions: number[];
  /** index into types for each transition */
  transitionTypes: number[];
  types: { utoff: number; isdst: boolean; abbr: string }[];
  /** POSIX TZ string for times after the last transition (v2+), e.g. `CST-8` or `EST5EDT,M3.2.0,M11.1.0` */
  footer: string | null;
}

export function parseTzif(buf: Buffer): Tzif {
  if (buf.length < 44 || buf.toString('latin1', 0, 4) !== 'TZif') throw new Error('not a TZif file');
  const version = buf[4];
  const counts = (at: number) => ({
    isut: buf.readUInt32BE(at + 20), isstd: buf.readUInt32BE(at + 24), leap: buf.readUInt32BE(at + 28),
    time: buf.readUInt32BE(at + 32), type: buf.readUInt32BE(at + 36), char: buf.readUInt32BE(at + 40),
  });
  let c = counts(0);
  let at = 44;
  let timeSize = 4;
  if (version >= 0x32 /* '2' */) {
    // skip the v1 block; use the 64-bit one
    at += c.time * 4 + c.time + c.type * 6 + c.char + c.leap * 8 + c.isstd + c.isut;
    c = counts(at);
    at += 44;
    timeSize = 8;
  }
  const transitions: number[] = [];
  for (let i = 0; i < c.time; i++) {
    transitions.push(timeSize === 8 ? Number(buf.readBigInt64BE(at + i * 8)) : buf.readInt32BE(at + i * 4));
  }
  at += c.time * timeSize;
  const transitionTypes = [...buf.subarray(at, at + c.time)];
  at += c.time;
  const raw: { utoff: number; isdst: boolean; idx: number }[] = [];
  for (let i = 0; i < c.type; i++) {
    raw.push({ utoff: buf.readInt32BE(at), isdst: buf[at + 4] === 1, idx: buf[at + 5] });
    at += 6;
  }
  const chars = buf.subarray(at, at + c.char);
  at += c.char + c.leap * (timeSize + 4) + c.isstd + c.isut;
  const types = raw.map((t) => {
    const end = chars.indexOf(0, t.idx);
    return { utoff: t.utoff, isdst: t.isdst, abbr: chars.toString('latin1', t.idx, end < 0 ? chars.length : end) };
  });
  let footer: string | null = null;
  if (timeSize === 8 && buf[at] === 0x0a) {
    const end = buf.indexOf(0x0a, at + 1);
    if (end > at + 1) footer = buf.toString('latin1', at + 1, end);
  }
  return { transitions, transitionTypes, types, footer };
}

/** Abbreviations (with their UTC offsets) a POSIX TZ footer names: standard, then daylight. */
export function footerZones(footer: string): { abbr: string; utoff: number }[] {
  const m = /^(<[^>]+>|[A-Za-z]{3,})([+-]?\d{1,2}(?::\d{2}){0,2})(?:(<[^>]+>|[A-Za-z]{3,})([+-]?\d{1,2}(?::\d{2}){0,2})?)?(?:,|$)/.exec(footer);
  if (!m) return [];
  const name = (s: string) => s.replace(/^<|>$/g, '');
  // POSIX offsets are west-positive: "CST-8" is UTC+8
  const secs = (s: string) => {
    const sign = s.startsWith('-') ? -1 : 1;
    const [h, mi = '0', se = '0'] = s.replace(/^[+-]/, '').split(':');
    return -sign * (Number(h) * 3600 + Number(mi) * 60 + Number(se));
  };
  const std = { abbr: name(m[1]), utoff: secs(m[2]) };
  if (!m[3]) return [std];
  return [std, { abbr: name(m[3]), utoff: m[4] ? secs(m[4]) : std.utoff + 3600 }];
}

/** The TZif abbreviation at an instant, provided its offset agrees with `offsetSeconds`. */
export function tzifAbbreviation(z: Tzif, epochSec: number, offsetSeconds: number): string | null {
  const { transitions: tr } = z;
  if (z.footer && (tr.length === 0 || epochSec >= tr[tr.length - 1])) {
    const hit = footerZones(z.footer).find((f) => f.utoff === offsetSeconds);
    if (hit) return hit.abbr;
  }
  let type: { utoff: number; abbr: string } | undefined;
  if (tr.length === 0 || epochSec < tr[0]) {
    type = z.types.find((t) => !t.isdst) ?? z.types[0];
  } else {
    let lo = 0;
    let hi = tr.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (tr[mid] <= epochSec) lo = mid;
      else hi = mid - 1;
    }
    type = z.types[z.transitionTypes[lo]];
  }
  return type && type.utoff === offsetSeconds ? type.abbr : null;
}

// ---------------------------------------------------------------------------------------------

const REAL_ABBREVIATION = /^[A-Z]{2,5}$/;

/**
 * A zone by IANA name. `readZoneinfo(name)` returns the TZif bytes (or null); the default reader
 * in goTimeZone.ts looks where Go looks ($ZONEINFO, /usr/share/zoneinfo, …). Throws RangeError for
 * an unknown zone name.
 */
export function loadZone(name: string, readZoneinfo: (name: string) => Buffer | null): Zone {
  const offsetFmt = new Intl.DateTimeFormat('en-US', { timeZone: name, timeZoneName: 'longOffset' });
  const shortFmt = new Intl.DateTimeFormat('en-US', { timeZone: name, timeZoneName: 'short' });
  let tzif: Tzif | null = null;
  try {
    const bytes = readZoneinfo(name);
    tzif = bytes ? parseTzif(bytes) : null;
  } catch {
    tzif = null;
  }
  const part = (f: Intl.DateTimeFormat, ms: number) => f.formatToParts(new Date(ms)).find((p) => p.type === 'timeZoneName')?.value ?? '';
  const offsetSeconds = (ms: number) => {
    const m = /^GMT(?:([+-])(\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(part(offsetFmt, ms));
    if (!m || !m[1]) return 0;
    return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4] ?? 0));
  };
  return {
    name,
    offsetSeconds,
    abbreviation(ms) {
      const off = offsetSeconds(ms);
      if (tzif) {
        const a = tzifAbbreviation(tzif, Math.floor(ms / 1000), off);
        if (a) return a;
      }
      const short = part(shortFmt, ms);
      return REAL_ABBREVIATION.test(short) ? short : null;
    },
  };
}
