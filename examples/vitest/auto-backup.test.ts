/** logsnap/testing under Vitest: an Auto backup brought forward by the test clock, through the Huawei SDK. */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLogsnap, type Logsnap } from 'logsnap/testing';
import { call, huaweiClient, until } from '../sdk.js';

let ls: Logsnap;
beforeAll(async () => {
  ls = await startLogsnap();
});
afterAll(() => ls.close());

test('the daily Auto backup fires once the clock passes its time', async () => {
  const logDir = mkdtempSync(join(tmpdir(), 'es-logs-'));
  writeFileSync(join(logDir, 'es.log'), 'started\n');
  const { id } = await ls.registerCluster({ service: 'css', name: 'es', engine: { nodes: [{ name: 'es-1', logDir }] } });
  const css = huaweiClient(`${ls.endpoint}/css`, ls);
  const pathParams = { cluster_id: id };
  await call(css, { method: 'POST', url: '/v1.0/{project_id}/clusters/{cluster_id}/logs/open', pathParams, data: { agency: 'css_obs_agency', log_bucket: 'css-logs', log_base_path: 'css/log', auto_enable: true, period: '03:00 GMT+00:00' } });

  await ls.clock.advance('1d');

  const record = await until(async () => {
    const r = (await call(css, { method: 'GET', url: '/v1.0/{project_id}/clusters/{cluster_id}/logs/records', pathParams })).clusterLogRecord[0];
    return r && r.status !== 'RUNNING' && r;
  }, 'the Auto backup');
  expect(record).toMatchObject({ jobTypes: 'Auto', status: 'SUCCESS', logPath: 'css-logs/css/log' });
});
