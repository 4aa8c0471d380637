import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../config/load.js';
import { startBanner } from './banner.js';

test('the start banner says plainly when test mode is on, with the test time', () => {
  const on = loadConfig({ env: { LOGSNAP_TEST_MODE: 'true' }, cwd: '/srv' });
  const text = startBanner(on, 'http://127.0.0.1:8080', null, Date.UTC(2030, 0, 2, 3, 4, 5));
  assert.match(text, /TEST MODE is ON: \/admin\/v1\/test\/… can move the clock, inject faults, reset and replace the state/);
  assert.match(text, /test clock now 2030-01-02T03:04:05\.000Z/);
  const off = loadConfig({ env: {}, cwd: '/srv' });
  assert.equal(startBanner(off, 'http://127.0.0.1:8080', null).includes('TEST MODE'), false);
});
