import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contentDisposition } from './downloads.js';

test('Content-Disposition keeps non-ASCII names in filename* and an ASCII fallback', () => {
  assert.equal(contentDisposition('redis_10.0.0.1_2026-11-23.log'), `attachment; filename="redis_10.0.0.1_2026-11-23.log"; filename*=UTF-8''redis_10.0.0.1_2026-11-23.log`);
  const v = contentDisposition('日志 "a".log');
  assert.match(v, /^attachment; filename="[\x20-\x7e]+"; filename\*=UTF-8''%E6%97%A5%E5%BF%97%20%22a%22.log$/);
  assert.equal(/[^\x20-\x7e]/.test(v), false);
});
