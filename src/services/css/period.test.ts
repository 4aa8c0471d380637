import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dueSlot, isPeriod, latestSlot, nextSlot, parsePeriod, slotKey, type Period } from './period.js';

const p = (s: string): Period => {
  const r = parsePeriod(s);
  assert.ok(isPeriod(r), `parse ${s}`);
  return r;
};

test('parsePeriod accepts the documented form and rejects the rest', () => {
  assert.deepEqual(p('00:00 GMT+08:00'), { hour: 0, minute: 0, offsetMinutes: 480 });
  assert.deepEqual(p('23:59 GMT-05:30'), { hour: 23, minute: 59, offsetMinutes: -330 });
  assert.deepEqual(p('12:30 GMT+00:00'), { hour: 12, minute: 30, offsetMinutes: 0 });
  for (const bad of ['24:00 GMT+08:00', '0:00 GMT+08:00', '00:60 GMT+08:00', '00:00 GMT+15:00', '00:00 GMT+14:30', '00:00 UTC+08:00', '00:00GMT+08:00', '00:00 GMT+8:00', '', ' 00:00 GMT+08:00']) {
    assert.ok(!isPeriod(parsePeriod(bad)), `should reject ${JSON.stringify(bad)}`);
  }
});

test('latestSlot: 00:00 GMT+08:00 is 16:00 UTC the day before', () => {
  const period = p('00:00 GMT+08:00');
  const now = Date.UTC(2024, 4, 10, 15, 59); // 23:59 local on May 10
  assert.equal(latestSlot(period, now), Date.UTC(2024, 4, 9, 16, 0));
  assert.equal(latestSlot(period, Date.UTC(2024, 4, 10, 16, 0)), Date.UTC(2024, 4, 10, 16, 0));
  assert.equal(nextSlot(period, now), Date.UTC(2024, 4, 10, 16, 0));
});

test('latestSlot with a negative offset crossing the UTC day', () => {
  const period = p('22:15 GMT-03:00'); // 01:15 UTC next day
  assert.equal(latestSlot(period, Date.UTC(2024, 0, 2, 1, 14)), Date.UTC(2024, 0, 1, 1, 15));
  assert.equal(latestSlot(period, Date.UTC(2024, 0, 2, 1, 15)), Date.UTC(2024, 0, 2, 1, 15));
  assert.equal(latestSlot(period, Date.UTC(2024, 0, 2, 23, 0)), Date.UTC(2024, 0, 2, 1, 15));
});

test('the slot is the same for every instant of one day window and moves by 24 h', () => {
  const period = p('03:30 GMT+05:45');
  const first = latestSlot(period, Date.UTC(2024, 6, 1, 12, 0));
  for (let h = 0; h < 24; h++) {
    const t = first + h * 3_600_000;
    assert.equal(latestSlot(period, t), first);
  }
  assert.equal(latestSlot(period, first + 86_400_000), first + 86_400_000);
  assert.equal(latestSlot(period, first - 1), first - 86_400_000);
});

test('dueSlot never back-fills a slot that passed before the policy was enabled', () => {
  const period = p('09:00 GMT+00:00');
  const enabled = Date.UTC(2024, 2, 1, 10, 0);
  assert.equal(dueSlot(period, enabled, Date.UTC(2024, 2, 1, 11, 0)), null);
  assert.equal(dueSlot(period, enabled, Date.UTC(2024, 2, 2, 8, 59)), null);
  assert.equal(dueSlot(period, enabled, Date.UTC(2024, 2, 2, 9, 0)), Date.UTC(2024, 2, 2, 9, 0));
  // down for three days: only the latest slot is due
  assert.equal(dueSlot(period, enabled, Date.UTC(2024, 2, 5, 12, 0)), Date.UTC(2024, 2, 5, 9, 0));
  // enabled exactly at the slot time counts
  assert.equal(dueSlot(period, Date.UTC(2024, 2, 2, 9, 0), Date.UTC(2024, 2, 2, 9, 0)), Date.UTC(2024, 2, 2, 9, 0));
});

test('slotKey names cluster and slot', () => {
  assert.equal(slotKey('c1', 1700000000000), 'css-auto:c1:1700000000000');
});
