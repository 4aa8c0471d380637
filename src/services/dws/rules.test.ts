import { test } from 'node:test';
import assert from 'node:assert/strict';
import { descriptionProblem, gigabytes, isoSeconds, nameProblem, restoreDatabaseName } from './rules.js';

test('snapshot names: 4–64 chars, letter first, letters/digits/-/_', () => {
  assert.equal(nameProblem('name', 'snapshot-3'), null);
  assert.equal(nameProblem('name', 'Ab_1'), null);
  assert.equal(nameProblem('name', 'a'.repeat(64)), null);
  assert.match(nameProblem('name', 'abc')!, /4–64/);
  assert.match(nameProblem('name', 'a'.repeat(65))!, /4–64/);
  assert.match(nameProblem('name', '1abc')!, /start with a letter/);
  assert.match(nameProblem('name', '-abc')!, /start with a letter/);
  assert.match(nameProblem('name', 'abc.def')!, /only letters/);
  assert.match(nameProblem('name', 'abc def')!, /only letters/);
});

test('descriptions: ≤ 256 chars, none of ! < > \' = & "', () => {
  assert.equal(descriptionProblem(''), null);
  assert.equal(descriptionProblem('Snapshot-3 description, (ok) #1'), null);
  assert.equal(descriptionProblem('x'.repeat(256)), null);
  assert.match(descriptionProblem('x'.repeat(257))!, /256/);
  for (const c of ['!', '<', '>', "'", '=', '&', '"']) assert.ok(descriptionProblem(`a${c}b`), c);
});

test('times and sizes are printed the DWS way', () => {
  assert.equal(isoSeconds(Date.UTC(2016, 7, 23, 3, 59, 23, 456)), '2016-08-23T03:59:23Z');
  assert.equal(gigabytes(2 ** 30 * 500), 500);
  assert.equal(gigabytes(2 ** 29), 0.5);
  assert.equal(gigabytes(0), 0);
});

test('restore database names are sanitised', () => {
  assert.equal(restoreDatabaseName('Dws-Restored_1'), 'dws_restored_1');
  assert.equal(restoreDatabaseName('a'.repeat(64)).length, 63);
});
