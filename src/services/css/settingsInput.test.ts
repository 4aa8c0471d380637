import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkBasePath, normaliseBasePath, resolveSettings, SettingInputError } from './settingsInput.js';

const err = (fn: () => unknown): SettingInputError => {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof SettingInputError, String(e));
    return e;
  }
  assert.fail('expected a SettingInputError');
};

test('every spelling of bucket and base path is accepted; snake_case wins', () => {
  const base = { agency: 'css_obs_agency' };
  assert.equal(resolveSettings({ ...base, log_bucket: 'b-one', log_base_path: 'css/log' }, null).bucket, 'b-one');
  assert.equal(resolveSettings({ ...base, logBucket: 'b-two', logBasePath: 'css/log' }, null).bucket, 'b-two');
  assert.equal(resolveSettings({ ...base, log_Bucket: 'b-three', logBasePath: 'x' }, null).bucket, 'b-three');
  const both = resolveSettings({ ...base, log_bucket: 'snake', logBucket: 'camel', log_base_path: 'p1', logBasePath: 'p2' }, null);
  assert.deepEqual([both.bucket, both.basePath], ['snake', 'p1']);
});

test('missing fields and bad names are CSS 400s naming the field', () => {
  assert.match(err(() => resolveSettings({ agency: 'a' }, null)).message, /log_bucket, log_base_path are required/);
  assert.equal(err(() => resolveSettings({ agency: 'bad agency!', log_bucket: 'bkt', log_base_path: 'p' }, null)).code, 'CSS.5130');
  const b = err(() => resolveSettings({ agency: 'a', log_bucket: 'Bad_Bucket', log_base_path: 'p' }, null));
  assert.equal(b.code, 'CSS.0001');
  assert.match(b.message, /log_bucket: invalid bucket name/);
});

test('base path rules from the API reference', () => {
  for (const ok of ['css/log', 'css_repository/logs', 'a//b', 'a/b/', 'a..b', 'x']) checkBasePath(ok);
  for (const bad of ['/css', '.css', 'css.', 'a///b', 'a...b', 'a:b', 'a*b', "a'b", 'a{b}', 'a\\b', 'a/../b', 'a/./b', 'x'.repeat(513), '', '//']) {
    assert.throws(() => checkBasePath(bad), SettingInputError, `should reject ${JSON.stringify(bad)}`);
  }
  assert.equal(normaliseBasePath('a//b/'), 'a/b');
});

test('auto_enable needs a valid period; period is null when auto is off', () => {
  const base = { agency: 'a_b', log_bucket: 'bkt', log_base_path: 'p' };
  assert.match(err(() => resolveSettings({ ...base, auto_enable: true }, null)).message, /period is required/);
  assert.match(err(() => resolveSettings({ ...base, auto_enable: true, period: '25:00 GMT+08:00' }, null)).message, /HH:MM GMT/);
  assert.deepEqual(resolveSettings({ ...base, auto_enable: true, period: '01:00 GMT+08:00' }, null).period, '01:00 GMT+08:00');
  assert.equal(resolveSettings({ ...base, auto_enable: false, period: '01:00 GMT+08:00' }, null).period, null);
});

test('UpdateLogSetting merges over the current values', () => {
  const cur = { agency: 'a', bucket: 'bkt', basePath: 'p', autoEnable: true, period: '01:00 GMT+08:00' };
  assert.deepEqual(resolveSettings({ log_base_path: 'q' }, cur), { ...cur, basePath: 'q' });
  assert.deepEqual(resolveSettings({ auto_enable: false }, cur), { ...cur, autoEnable: false, period: null });
});
