// Recipe: API faults. The next two CreateLogBackup calls answer 409 CSS.0011; ListLogsJob is throttled once.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { startLogsnap } from 'logsnap/testing';
import { call, callError, huaweiClient } from '../sdk.js';

const ls = await startLogsnap();
after(() => ls.close());

test('a conflict twice, then the real answer; a throttled call', async () => {
  const { id } = await ls.registerCluster({ service: 'css', name: 'prod', engine: { nodes: [{ name: 'es-1', logDir: mkdtempSync(`${tmpdir()}/es-`) }] } });
  const css = huaweiClient(`${ls.endpoint}/css`, ls);
  const backup = { method: 'POST' as const, url: '/v1.0/{project_id}/clusters/{cluster_id}/logs/collect', pathParams: { cluster_id: id } };
  await call(css, { method: 'POST', url: '/v1.0/{project_id}/clusters/{cluster_id}/logs/open', pathParams: { cluster_id: id }, data: { agency: 'a', log_bucket: 'logs', log_base_path: 'es' } });

  const rule = await ls.faults.add({ service: 'css', operation: 'CreateLogBackup', count: 2, effect: { type: 'error', status: 409, error_code: 'CSS.0011' } });
  for (let i = 0; i < 2; i++) {
    const e = await callError(css, backup); // the SDK's ClientRequestException
    assert.equal(e.httpStatusCode, 409);
    assert.equal(e.errorCode, 'CSS.0011');
  }
  assert.equal((await call(css, backup)).httpStatusCode, 200); // the third call is real
  assert.equal((await ls.faults.get(rule.id)).fired, 2);

  // status 429 alone: the API gateway's throttling answer (APIGW.0308), as Huawei Cloud sends it
  await ls.faults.add({ service: 'css', operation: 'ListLogsJob', cluster_id: id, effect: { type: 'error', status: 429 } });
  const throttled = await callError(css, { method: 'GET', url: '/v1.0/{project_id}/clusters/{cluster_id}/logs/records', pathParams: { cluster_id: id } });
  assert.deepEqual([throttled.httpStatusCode, throttled.errorCode], [429, 'APIGW.0308']);
});
