import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addDays, DaySlicer, LineSplitter, parseRedisLineDay, sliceBuffer, todayIn, windowDays, isTimeZone } from './slicer.js';

test('parses the Redis ≥ 6 format (with year) of every role letter', () => {
  assert.equal(parseRedisLineDay('2206:M 23 Nov 2026 15:02:34.695 * Ready to accept connections\n', '2026-11-23'), '2026-11-23');
  assert.equal(parseRedisLineDay('1:C 01 Jan 2020 00:00:00.000 # oO0OoO0OoO0Oo Redis is starting', '2026-11-23'), '2020-01-01');
  assert.equal(parseRedisLineDay('77:S 9 Feb 2024 23:59:59.999 - DB saved', '2026-11-23'), '2024-02-09');
  assert.equal(parseRedisLineDay('77:X 29 Feb 2024 12:00:00.000 . verbose', '2026-11-23'), '2024-02-29');
});

test('parses the year-less formats (Redis 3–5 and 2.x with [pid]), inferring the year from today', () => {
  assert.equal(parseRedisLineDay('2206:M 23 Nov 15:02:34.695 * msg', '2026-11-23'), '2026-11-23');
  assert.equal(parseRedisLineDay('[2206] 23 Nov 15:02:34.695 # msg', '2026-11-23'), '2026-11-23');
  assert.equal(parseRedisLineDay('[2206] 23 Nov 15:02:34 - Redis 2.4 without milliseconds', '2026-11-23'), '2026-11-23');
  // tomorrow is tolerated (clock skew between hosts), later dates belong to last year
  assert.equal(parseRedisLineDay('[1] 24 Nov 00:00:01.000 * msg', '2026-11-23'), '2026-11-24');
  assert.equal(parseRedisLineDay('[1] 31 Dec 23:59:59.999 * msg', '2027-01-01'), '2026-12-31');
  assert.equal(parseRedisLineDay('[1] 25 Nov 00:00:01.000 * msg', '2026-11-23'), '2025-11-25');
  // 29 Feb without a year: only valid when the inferred year is a leap year
  assert.equal(parseRedisLineDay('[1] 29 Feb 10:00:00.000 * msg', '2024-03-01'), '2024-02-29');
  assert.equal(parseRedisLineDay('[1] 29 Feb 10:00:00.000 * msg', '2026-03-01'), null);
});

test('lines that are not timestamped Redis lines give null, never throw', () => {
  const bad = [
    '', '\n', 'hello', '                _._', ' 2206:M 23 Nov 2026 15:02:34.695 * leading space',
    '2206:M 31 Feb 2026 15:02:34.695 * no such day', '2206:M 23 Foo 2026 15:02:34.695 * no such month',
    '2206:M 23 Nov 2026 25:02:34.695 * no such hour', '2206:M 23 Nov 2026 15:61:34.695 * no such minute',
    '2206:M 23 Nov 2026 15:02:34.695 ? unknown level', '2206:M 00 Nov 2026 15:02:34.695 * day zero',
    '2206:m 23 Nov 2026 15:02:34.695 * lower-case role', '2206:M 23 Nov 1969 15:02:34.695 * before epoch',
    '\u0000\u00ff\u00fe binary', 'x'.repeat(100_000),
  ];
  bad.push(
    '2206:M 23 Nov 2026 15:02:34.1234567 * seven fraction digits', '2206:M 23 Nov 2026 15:02:34.695 *\rx carriage return alone',
    '2206:M 23 Nov 2026 15:02:34.695 *x no space after the level', '12345678901:M 23 Nov 2026 15:02:34.695 * pid of 11 digits',
    '2206:M 29 Feb 2100 10:00:00.000 * 2100 is not a leap year', '2206:M 23 Nov 2026 15:02 * no seconds', '2206:M 23 Nov',
    '[] 23 Nov 15:02:34.695 * empty pid', '2206: 23 Nov 2026 15:02:34.695 * no role',
  );
  for (const l of bad) assert.equal(parseRedisLineDay(l, '2026-11-23'), null, JSON.stringify(l.slice(0, 60)));
  assert.equal(parseRedisLineDay('2206:M 29 Feb 2000 10:00:00.000 #', '2026-11-23'), '2000-02-29');
  assert.equal(parseRedisLineDay('2206:M 23 Nov 2026 15:02:34.695 *\r\n', '2026-11-23'), '2026-11-23');
  assert.equal(parseRedisLineDay('2206:M 23 Nov 2026 15:02:34.123456 - six fraction digits', '2026-11-23'), '2026-11-23');
  assert.equal(parseRedisLineDay(Buffer.from([0xff, 0xfe, 0x00, 0x0a]), '2026-11-23'), null);
});

test('LineSplitter keeps exact bytes: CRLF, missing final newline, chunk borders, very long lines', () => {
  const input = Buffer.from('a\r\nbb\n\nccc');
  for (const size of [1, 2, 3, 100]) {
    const s = new LineSplitter();
    const pieces = [];
    for (let i = 0; i < input.length; i += size) pieces.push(...s.push(input.subarray(i, i + size)));
    pieces.push(...s.end());
    assert.deepEqual(pieces.map((p) => p.bytes.toString()), ['a\r\n', 'bb\n', '\n', 'ccc'], `chunk ${size}`);
    assert.ok(pieces.every((p) => p.lineStart));
  }
  const s = new LineSplitter(4);
  const pieces = [...s.push(Buffer.from('0123456789')), ...s.push(Buffer.from('ab\nxy\n'))];
  assert.deepEqual(pieces.map((p) => [p.bytes.toString(), p.lineStart]), [['0123456789', true], ['ab\n', false], ['xy\n', true]]);
});

test('DaySlicer: continuation lines follow the previous line; leading lines wait for the first timestamp', () => {
  const log = [
    '                _._                                                  \n', // banner before any timestamp
    '           _.-``__ \'\'-._                                             \n',
    '1:M 22 Nov 2026 23:59:59.999 * last line of the 22nd\n',
    'continuation of the 22nd (no timestamp)\n',
    '1:M 23 Nov 2026 00:00:00.000 * first line of the 23rd\n',
    '1:M 31 Feb 2026 10:00:00.000 * malformed date: continuation of the 23rd\n',
    '\u00ff\u00fe garbage\n',
    '1:M 25 Nov 2026 08:00:00.000 # a gap: nothing on the 24th\n',
    'no newline at the end',
  ];
  const { days, unassigned } = sliceBuffer(Buffer.from(log.join(''), 'latin1'), '2026-11-25', 7);
  assert.equal(unassigned.length, 0);
  assert.deepEqual([...days.keys()], ['2026-11-22', '2026-11-23', '2026-11-25']);
  assert.equal(days.get('2026-11-22')!.toString('latin1'), log.slice(0, 4).join(''));
  assert.equal(days.get('2026-11-23')!.toString('latin1'), log.slice(4, 7).join(''));
  assert.equal(days.get('2026-11-25')!.toString('latin1'), log.slice(7).join(''));
});

test('DaySlicer: a log with no timestamp at all is unassigned; leading overflow is unassigned', () => {
  const r = sliceBuffer(Buffer.from('just\nsome\ntext'), '2026-11-23');
  assert.equal(r.days.size, 0);
  assert.equal(r.unassigned.toString(), 'just\nsome\ntext');
  const s = new DaySlicer('2026-11-23', 10);
  const out = [
    ...s.push({ bytes: Buffer.from('123456\n'), lineStart: true }),
    ...s.push({ bytes: Buffer.from('789012\n'), lineStart: true }),
    ...s.push({ bytes: Buffer.from('more\n'), lineStart: true }),
    ...s.push({ bytes: Buffer.from('1:M 23 Nov 2026 00:00:00.000 * x\n'), lineStart: true }),
    ...s.push({ bytes: Buffer.from('after\n'), lineStart: true }),
    ...s.end(),
  ];
  assert.deepEqual(out.map((a) => a.day), [null, null, null, '2026-11-23', '2026-11-23']);
});

test('a piece that does not start a line is never parsed as a timestamp', () => {
  const s = new DaySlicer('2026-11-23');
  s.push({ bytes: Buffer.from('1:M 22 Nov 2026 00:00:00.000 * long line start'), lineStart: true });
  const out = s.push({ bytes: Buffer.from('1:M 23 Nov 2026 00:00:00.000 * inside the same long line\n'), lineStart: false });
  assert.equal(out[0].day, '2026-11-22');
});

test('concatenating all days and unassigned bytes gives the input back (random logs)', () => {
  let seed = 42;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  for (let round = 0; round < 30; round++) {
    const lines: string[] = [];
    for (let i = 0; i < 200; i++) {
      const k = rnd(4);
      if (k === 0) lines.push(`${rnd(9999)}:M ${1 + rnd(28)} ${['Jan', 'Feb', 'Nov'][rnd(3)]} 2026 ${String(rnd(24)).padStart(2, '0')}:00:00.000 * m${i}`);
      else if (k === 1) lines.push(`[${rnd(99)}] ${1 + rnd(28)} Dec 12:00:00.000 # old ${i}`);
      else if (k === 2) lines.push(String.fromCharCode(...Array.from({ length: rnd(40) }, () => rnd(256))));
      else lines.push(`    continuation ${i}`);
    }
    const input = Buffer.from(lines.join(rnd(2) ? '\n' : '\r\n'), 'latin1');
    const { days, unassigned } = sliceBuffer(input, '2026-11-23', 1 + rnd(50));
    const total = [...days.values()].reduce((n, b) => n + b.length, 0) + unassigned.length;
    assert.equal(total, input.length);
    // slicing one day's bytes again yields that day only (every line stays where it was put)
    for (const [day, bytes] of days) {
      const again = sliceBuffer(bytes, '2026-11-23');
      assert.deepEqual([...again.days.keys()].filter((d) => d !== day), [], `round ${round} day ${day}`);
    }
  }
});

test('todayIn and windowDays: zones and midnight boundaries', () => {
  const t = Date.UTC(2026, 10, 23, 17, 0, 0); // 2026-11-23 17:00 UTC = 2026-11-24 01:00 in Shanghai
  assert.equal(todayIn('UTC', t), '2026-11-23');
  assert.equal(todayIn('Asia/Shanghai', t), '2026-11-24');
  assert.equal(todayIn('America/Los_Angeles', Date.UTC(2026, 10, 24, 7, 59, 59)), '2026-11-23');
  assert.equal(todayIn('America/Los_Angeles', Date.UTC(2026, 10, 24, 8, 0, 0)), '2026-11-24');
  assert.equal(isTimeZone('Europe/Paris'), true);
  assert.equal(isTimeZone('Mars/Olympus'), false);
  assert.deepEqual(windowDays('2026-11-23', 0), ['2026-11-23']);
  assert.deepEqual(windowDays('2026-11-23', 1), ['2026-11-23']);
  assert.deepEqual(windowDays('2026-03-01', 3), ['2026-02-27', '2026-02-28', '2026-03-01']);
  assert.deepEqual(windowDays('2027-01-02', 7), ['2026-12-27', '2026-12-28', '2026-12-29', '2026-12-30', '2026-12-31', '2027-01-01', '2027-01-02']);
  assert.equal(addDays('2024-02-28', 1), '2024-02-29');
});
