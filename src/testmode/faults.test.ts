import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FaultInputError, normaliseErrorEffect, validateFault, type FaultCatalog } from './faults.js';

const catalog: FaultCatalog = {
  css: { operations: ['CreateLogBackup', 'ListLogsJob'], jobs: ['css.log-backup'] },
  dcs: { operations: ['ListRedislog'], jobs: ['dcs.redislog.collect'] },
  cce: { operations: ['CreateClusterMasterSnapshot'], jobs: ['cce-master-snapshot'] },
  dws: { operations: ['CreateSnapshot'], jobs: ['dws-snapshot'] },
};

test('API errors: code from the status, status and message from the catalogue, or both given', () => {
  assert.deepEqual(normaliseErrorEffect('css', { type: 'error', status: 409 }), { type: 'error', status: 409, error_code: 'CSS.0011', error_msg: 'Another operation is in progress or the instance is faulty. Try again later.' });
  assert.deepEqual(normaliseErrorEffect('dws', { type: 'error', status: 503 }), { type: 'error', status: 503, error_code: 'DWS.0005', error_msg: 'Server failure.' });
  assert.deepEqual(normaliseErrorEffect('dcs', { type: 'error', status: 429 }), { type: 'error', status: 429, error_code: 'APIGW.0308', error_msg: 'The throttling threshold has been reached.' });
  assert.deepEqual(normaliseErrorEffect('cce', { type: 'error', error_code: 'CCE.01429002' }), { type: 'error', status: 429, error_code: 'CCE.01429002', error_msg: 'Resource locked by other requests.' });
  // a real code logsnap does not answer with otherwise: status and message as given
  assert.deepEqual(normaliseErrorEffect('css', { type: 'error', error_code: 'CSS.0029', status: 409, error_msg: 'Object being created.' }), { type: 'error', status: 409, error_code: 'CSS.0029', error_msg: 'Object being created.' });
  assert.throws(() => normaliseErrorEffect('dcs', { type: 'error', status: 409 }), /give effect.error_code .* or an effect.status of 429, 5xx to use/);
  assert.throws(() => normaliseErrorEffect('css', { type: 'error', error_code: 'css.1' }), /not an error code/);
  assert.throws(() => normaliseErrorEffect('css', { type: 'error', status: 600 }), /400 to 599/);
});

test('rules: one of operation or job, known to the service, with an effect that fits', () => {
  assert.deepEqual(validateFault({ service: 'css', job: 'css.log-backup', effect: { type: 'hold', progress: 0 } }, catalog), { type: 'hold', progress: 0 });
  assert.deepEqual(validateFault({ service: 'dcs', job: 'dcs.redislog.collect', object: '2026-', effect: { type: 'fail', message: 'x' } }, catalog), { type: 'fail', message: 'x' });
  assert.deepEqual(validateFault({ service: 'dws', job: 'dws-snapshot', effect: { type: 'slow', bytes_per_second: 1 } }, catalog), { type: 'slow', bytes_per_second: 1 });
  assert.deepEqual(validateFault({ service: 'css', operation: 'ListLogsJob', effect: { type: 'latency', ms: 60_000 } }, catalog), { type: 'latency', ms: 60_000 });
  const bad: [Parameters<typeof validateFault>[0], RegExp][] = [
    [{ service: 'cce', job: 'css.log-backup', effect: { type: 'fail', message: 'x' } }, /not a cce job kind; one of cce-master-snapshot/],
    [{ service: 'css', job: 'css.log-backup', effect: { type: 'fail', message: '' } }, /effect.message/],
    [{ service: 'css', job: 'css.log-backup', effect: { type: 'hold', progress: -1 } }, /effect.progress/],
    [{ service: 'css', operation: 'ListLogsJob', effect: { type: 'latency', ms: 0 } }, /effect.ms/],
    [{ service: 'css', operation: 'ListLogsJob', effect: { type: 'explode' } }, /does not apply to an API fault; use one of error, latency/],
  ];
  for (const [rule, why] of bad) assert.throws(() => validateFault(rule, catalog), (e: unknown) => e instanceof FaultInputError && why.test((e as Error).message));
});
