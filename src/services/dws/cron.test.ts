import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CronError, nextFireTime, parseCron, previousFireTime } from './cron.js';

const at = (s: string) => Date.parse(s);
const next = (expr: string, after: string) => {
  const n = nextFireTime(parseCron(expr), at(after));
  return n === null ? null : new Date(n).toISOString();
};

test('daily at 02:00 (the DWS default form)', () => {
  assert.equal(next('0 0 2 * * ?', '2026-03-01T00:00:00Z'), '2026-03-01T02:00:00.000Z');
  assert.equal(next('0 0 2 * * ?', '2026-03-01T02:00:00Z'), '2026-03-02T02:00:00.000Z', 'strictly after');
  assert.equal(next('0 0 2 * * ?', '2026-12-31T03:00:00Z'), '2027-01-01T02:00:00.000Z', 'year roll-over');
});

test('days of week use Quartz numbering (1 = Sunday) and names', () => {
  // 2026-03-01 is a Sunday
  assert.equal(next('0 30 1 ? * 2', '2026-03-01T00:00:00Z'), '2026-03-02T01:30:00.000Z'); // Monday
  assert.equal(next('0 30 1 ? * MON', '2026-03-01T00:00:00Z'), '2026-03-02T01:30:00.000Z');
  assert.equal(next('0 8 6 ? * 5', '2026-03-01T00:00:00Z'), '2026-03-05T06:08:00.000Z'); // Thursday
  assert.equal(next('0 0 0 ? * SAT,SUN', '2026-03-01T00:00:00Z'), '2026-03-07T00:00:00.000Z');
});

test('lists, ranges and steps', () => {
  assert.equal(next('0 */15 * * * ?', '2026-03-01T10:07:00Z'), '2026-03-01T10:15:00.000Z');
  assert.equal(next('0 5/20 * * * ?', '2026-03-01T10:26:00Z'), '2026-03-01T10:45:00.000Z');
  assert.equal(next('30 0 9-17/4 * * ?', '2026-03-01T13:00:31Z'), '2026-03-01T17:00:30.000Z');
  assert.equal(next('0 0 0 1,15 * ?', '2026-03-02T00:00:00Z'), '2026-03-15T00:00:00.000Z');
  assert.equal(next('0 0 0 31 * ?', '2026-04-01T00:00:00Z'), '2026-05-31T00:00:00.000Z', 'skips 30-day months');
  assert.equal(next('0 0 0 29 FEB ?', '2026-03-01T00:00:00Z'), '2028-02-29T00:00:00.000Z', 'leap day');
  assert.equal(next('0 0 0 1 1 ? 2020', '2026-03-01T00:00:00Z'), null, 'only in the past');
  assert.equal(next('0 0 0 1 1 ? 2030', '2026-03-01T00:00:00Z'), '2030-01-01T00:00:00.000Z');
});

test('invalid expressions are rejected with a reason', () => {
  assert.throws(() => parseCron('0 0 2 * *'), CronError);
  assert.throws(() => parseCron('0 0 24 * * ?'), /hour: 24/);
  assert.throws(() => parseCron('0 60 1 * * ?'), /minute/);
  assert.throws(() => parseCron('0 0 1 ? * ?'), /both/);
  assert.throws(() => parseCron('0 0 1 L * ?'), /not supported/);
  assert.throws(() => parseCron('0 0 1 ? * 6#3'), /not supported/);
  assert.throws(() => parseCron('0 0 x * * ?'), /not a number/);
  assert.throws(() => parseCron('0 0 5-1 * * ?'), /backwards/);
  assert.throws(() => parseCron('0 0 1 * * 8'), /day-of-week/);
});

test('previous fire time finds the slot that has come', () => {
  const spec = parseCron('0 0 2 * * ?');
  assert.equal(previousFireTime(spec, at('2026-03-01T02:10:00Z'), 3_600_000), at('2026-03-01T02:00:00Z'));
  assert.equal(previousFireTime(spec, at('2026-03-01T02:00:00Z'), 3_600_000), at('2026-03-01T02:00:00Z'), 'inclusive');
  assert.equal(previousFireTime(spec, at('2026-03-01T03:10:00Z'), 3_600_000), null, 'outside the look-back');
});
