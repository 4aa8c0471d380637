// Recipe: the test clock. A daily Auto log backup fires as soon as the clock passes its time, once a day.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLogsnap } from 'logsnap/testing';
import { call, huaweiClient, until } from '../sdk.js';

const ls = await startLogsnap();
after(() => ls.close());

test('one Auto backup per day of test time', async () => {
  const logDir = mkdtempSync(join(tmpdir(), 'es-'));
  writeFileSync(join(logDir, 'prod.log'), 'node started\n');
  const { id } = await ls.registerCluster({ service: 'css', name: 'prod', engine: { nodes: [{ name: 'es-1', logDir }] } });
  const css = huaweiClient(`${ls.endpoint}/css`, ls);
  const cluster = { cluster_id: id };
  // StartLogs with the daily policy: every day at 01:30 UTC+8
  await call(css, {
    method: 'POST', url: '/v1.0/{project_id}/clusters/{cluster_id}/logs/open', pathParams: cluster,
    data: { agency: 'css_obs_agency', log_bucket: 'logs', log_base_path: 'es', auto_enable: true, period: '01:30 GMT+08:00' },
  });
  const records = async () => (await call(css, { method: 'GET', url: '/v1.0/{project_id}/clusters/{cluster_id}/logs/records', pathParams: cluster })).clusterLogRecord;

  for (const day of [1, 2]) {
    await ls.clock.advance('1d'); // the day's slot has passed: its backup is scheduled before this returns
    const done = await until(async () => {
      const r = await records();
      return r.length === day && r[0].status !== 'RUNNING' && r;
    }, `day ${day}'s backup`);
    assert.deepEqual([done[0].jobTypes, done[0].status], ['Auto', 'SUCCESS']);
  }
  assert.ok((await ls.clock.now()) > Date.now() + 47 * 3600_000);
});
