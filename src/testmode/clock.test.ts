import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration, TestClock } from './clock.js';

test('durations: seconds or s/m/h/d/w, combined; anything else names what is accepted', () => {
  assert.equal(parseDuration(90), 90);
  assert.equal(parseDuration('90'), 90);
  assert.equal(parseDuration('90s'), 90);
  assert.equal(parseDuration('15m'), 900);
  assert.equal(parseDuration('25h'), 90_000);
  assert.equal(parseDuration('7d'), 604_800);
  assert.equal(parseDuration('1w'), 604_800);
  assert.equal(parseDuration('1d12h'), 129_600);
  for (const bad of ['', '0', '0h', '-1h', '1.5h', '1y', 'h', '25 h', 'soon']) {
    assert.throws(() => parseDuration(bad), /use seconds or a number with s, m, h, d or w|positive whole number/, bad);
  }
  assert.throws(() => parseDuration(0), /positive whole number/);
  assert.throws(() => parseDuration(1.5), /positive whole number/);
});

test('the test clock is its base clock plus the adopted offset', () => {
  let t = 1_000;
  const c = new TestClock({ now: () => t });
  assert.equal(c.now(), 1_000);
  assert.equal(c.adopt(5_000), true);
  assert.equal(c.adopt(5_000), false);
  t = 2_000;
  assert.deepEqual([c.now(), c.wall(), c.offsetMs], [7_000, 2_000, 5_000]);
});
