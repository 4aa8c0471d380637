import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { footerZones, formatGoTime, loadZone, parseTzif, tzifAbbreviation } from './goTime.js';
import { readSystemZoneinfo, systemZone } from './goTimeZone.js';

const at = (iso: string, micros = 0) => Date.parse(iso) * 1000 + micros;

/** A minimal TZif v2 file: given types and transitions, with an optional footer. */
function tzif(types: { utoff: number; isdst: boolean; abbr: string }[], transitions: [number, number][], footer: string): Buffer {
  let chars = '';
  const idx = types.map((t) => {
    const i = chars.length;
    chars += t.abbr + '\0';
    return i;
  });
  const header = (timecnt: number) => {
    const h = Buffer.alloc(44);
    h.write('TZif2', 0, 'latin1');
    h.writeUInt32BE(0, 20); h.writeUInt32BE(0, 24); h.writeUInt32BE(0, 28);
    h.writeUInt32BE(timecnt, 32); h.writeUInt32BE(types.length, 36); h.writeUInt32BE(chars.length, 40);
    return h;
  };
  const body = (size: 4 | 8) => {
    const times = Buffer.alloc(transitions.length * size);
    transitions.forEach(([t], i) => (size === 8 ? times.writeBigInt64BE(BigInt(t), i * 8) : times.writeInt32BE(t, i * 4)));
    const tt = Buffer.from(transitions.map(([, ty]) => ty));
    const ti = Buffer.alloc(types.length * 6);
    types.forEach((t, i) => { ti.writeInt32BE(t.utoff, i * 6); ti[i * 6 + 4] = t.isdst ? 1 : 0; ti[i * 6 + 5] = idx[i]; });
    return Buffer.concat([times, tt, ti, Buffer.from(chars, 'latin1')]);
  };
  return Buffer.concat([header(transitions.length), body(4), header(transitions.length), body(8), Buffer.from(`\n${footer}\n`, 'latin1')]);
}

test('formats the seed example exactly (Asia/Shanghai, microseconds, CST)', () => {
  const shanghai = loadZone('Asia/Shanghai', () => tzif([{ utoff: 28800, isdst: false, abbr: 'CST' }], [], 'CST-8'));
  assert.equal(formatGoTime(at('2023-11-25T09:03:46.739Z', 12), shanghai), '2023-11-25 17:03:46.739012 +0800 CST');
  assert.equal(formatGoTime(at('2023-11-25T09:03:46Z', 5), shanghai), '2023-11-25 17:03:46.000005 +0800 CST');
  // crossing midnight into the next local day, and a pre-1970 instant
  assert.equal(formatGoTime(at('2023-12-31T16:30:00Z'), shanghai), '2024-01-01 00:30:00.000000 +0800 CST');
  assert.equal(formatGoTime(at('1969-12-31T23:59:59.999Z', 999), shanghai), '1970-01-01 07:59:59.999999 +0800 CST');
});

test('without tzdata: Intl abbreviations when real, else the numeric offset like Go', () => {
  const none = () => null;
  assert.equal(formatGoTime(at('2023-11-25T09:03:46.739Z'), loadZone('Asia/Shanghai', none)), '2023-11-25 17:03:46.739000 +0800 +0800');
  assert.equal(formatGoTime(at('2024-07-01T12:00:00Z'), loadZone('America/New_York', none)), '2024-07-01 08:00:00.000000 -0400 EDT');
  assert.equal(formatGoTime(at('2024-01-01T12:00:00Z'), loadZone('America/New_York', none)), '2024-01-01 07:00:00.000000 -0500 EST');
  assert.equal(formatGoTime(at('2024-01-01T12:00:00Z'), loadZone('Asia/Kolkata', none)), '2024-01-01 17:30:00.000000 +0530 +0530');
  assert.equal(formatGoTime(at('2024-01-01T12:00:00Z'), loadZone('UTC', none)), '2024-01-01 12:00:00.000000 +0000 UTC');
});

test('TZif transitions and the POSIX footer pick the abbreviation in effect', () => {
  // a DST zone with two transitions in 2024, then the footer rule
  const types = [{ utoff: 3600, isdst: false, abbr: 'CET' }, { utoff: 7200, isdst: true, abbr: 'CEST' }];
  const z = parseTzif(tzif(types, [[Date.parse('2024-03-31T01:00:00Z') / 1000, 1], [Date.parse('2024-10-27T01:00:00Z') / 1000, 0]], 'CET-1CEST,M3.5.0,M10.5.0/3'));
  assert.equal(z.types.length, 2);
  assert.equal(z.footer, 'CET-1CEST,M3.5.0,M10.5.0/3');
  assert.equal(tzifAbbreviation(z, Date.parse('2024-07-01T00:00:00Z') / 1000, 7200), 'CEST');
  assert.equal(tzifAbbreviation(z, Date.parse('2024-01-01T00:00:00Z') / 1000, 3600), 'CET');
  assert.equal(tzifAbbreviation(z, Date.parse('2030-07-01T00:00:00Z') / 1000, 7200), 'CEST'); // footer
  assert.equal(tzifAbbreviation(z, Date.parse('2024-07-01T00:00:00Z') / 1000, 3600), null); // offset disagrees
  assert.throws(() => parseTzif(Buffer.from('not a zone file, definitely not one at all....')), /not a TZif/);
});

test('POSIX TZ footers: names, quoted names, west-positive offsets, implied DST offset', () => {
  assert.deepEqual(footerZones('CST-8'), [{ abbr: 'CST', utoff: 28800 }]);
  assert.deepEqual(footerZones('<+0530>-5:30'), [{ abbr: '+0530', utoff: 19800 }]);
  assert.deepEqual(footerZones('EST5EDT,M3.2.0,M11.1.0'), [{ abbr: 'EST', utoff: -18000 }, { abbr: 'EDT', utoff: -14400 }]);
  assert.deepEqual(footerZones('<-03>3'), [{ abbr: '-03', utoff: -10800 }]);
  assert.deepEqual(footerZones(''), []);
});

test('an unknown zone name is refused', () => {
  assert.throws(() => loadZone('Mars/Olympus_Mons', () => null), RangeError);
  assert.equal(readSystemZoneinfo('../../etc/passwd'), null);
});

const haveTzdata = existsSync('/usr/share/zoneinfo/Asia/Shanghai');
test('system tzdata gives Go\'s abbreviations (CST for Asia/Shanghai, CEST/CET, +08 for Singapore)', { skip: haveTzdata ? false : 'no /usr/share/zoneinfo' }, () => {
  assert.equal(formatGoTime(at('2023-11-25T09:03:46.739Z', 12), systemZone('Asia/Shanghai')), '2023-11-25 17:03:46.739012 +0800 CST');
  assert.equal(formatGoTime(at('2024-07-01T12:00:00Z'), systemZone('Europe/Berlin')), '2024-07-01 14:00:00.000000 +0200 CEST');
  assert.equal(formatGoTime(at('2024-01-01T12:00:00Z'), systemZone('Europe/Berlin')), '2024-01-01 13:00:00.000000 +0100 CET');
  assert.equal(formatGoTime(at('2100-07-01T12:00:00Z'), systemZone('America/New_York')), '2100-07-01 08:00:00.000000 -0400 EDT');
  assert.equal(formatGoTime(at('2024-01-01T12:00:00Z'), systemZone('Asia/Singapore')), '2024-01-01 20:00:00.000000 +0800 +08');
});
