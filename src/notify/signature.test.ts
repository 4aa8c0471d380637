import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { sign, signatureHeader, verifySignature } from './signature.js';

test('signature: HMAC-SHA256 over "<t>.<body>", verified in constant time within the window', () => {
  const body = '{"specversion":"1.0","id":"e1"}';
  const now = Date.UTC(2026, 0, 31, 12, 0, 0);
  const header = signatureHeader('whsec-0123456789abcdef', body, now);
  const t = Math.floor(now / 1000);
  assert.equal(header, `t=${t},v1=${createHmac('sha256', 'whsec-0123456789abcdef').update(`${t}.${body}`).digest('hex')}`);
  assert.deepEqual(verifySignature(header, body, 'whsec-0123456789abcdef', { nowMs: now + 299_000 }), { ok: true, t });
  assert.deepEqual(verifySignature(header, body, 'another-secret-000000', { nowMs: now }), { ok: false, reason: 'mismatch' });
  assert.deepEqual(verifySignature(header, body + ' ', 'whsec-0123456789abcdef', { nowMs: now }), { ok: false, reason: 'mismatch' });
  assert.deepEqual(verifySignature(header, body, 'whsec-0123456789abcdef', { nowMs: now + 301_000 }), { ok: false, reason: 'too-old' });
  assert.deepEqual(verifySignature(header, body, 'whsec-0123456789abcdef', { nowMs: now - 301_000 }), { ok: false, reason: 'in-future' });
  assert.deepEqual(verifySignature('v1=abc', body, 'x', { nowMs: now }), { ok: false, reason: 'malformed' });
  assert.deepEqual(verifySignature(undefined, body, 'x', { nowMs: now }), { ok: false, reason: 'malformed' });
  // several v1 values (a receiver in the middle of a secret rotation): any one may match
  const two = `t=${t},v1=${'0'.repeat(64)},v1=${sign('whsec-0123456789abcdef', t, body)}`;
  assert.equal(verifySignature(two, body, 'whsec-0123456789abcdef', { nowMs: now }).ok, true);
});
