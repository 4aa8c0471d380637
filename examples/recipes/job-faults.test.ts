// Recipe: job faults. A log backup fails with a given message; another is held at 40 % until released.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLogsnap } from 'logsnap/testing';
import { call, huaweiClient, until } from '../sdk.js';

const ls = await startLogsnap();
after(() => ls.close());

test('a failed backup, then a held one', async () => {
  const logDir = mkdtempSync(join(tmpdir(), 'es-'));
  writeFileSync(join(logDir, 'prod.log'), 'node started\n'.repeat(1000));
  const { id } = await ls.registerCluster({ service: 'css', name: 'prod', engine: { nodes: [{ name: 'es-1', logDir }] } });
  const css = huaweiClient(`${ls.endpoint}/css`, ls);
  const cluster = { cluster_id: id };
  await call(css, { method: 'POST', url: '/v1.0/{project_id}/clusters/{cluster_id}/logs/open', pathParams: cluster, data: { agency: 'a', log_bucket: 'logs', log_base_path: 'es' } });
  const newest = async () => (await call(css, { method: 'GET', url: '/v1.0/{project_id}/clusters/{cluster_id}/logs/records', pathParams: cluster })).clusterLogRecord[0];

  // fail: the backup's write to the store fails; CSS reports it as it reports any storage failure
  await ls.faults.add({ service: 'css', job: 'css.log-backup', cluster_id: id, effect: { type: 'fail', message: 'quota exceeded' } });
  await call(css, { method: 'POST', url: '/v1.0/{project_id}/clusters/{cluster_id}/logs/collect', pathParams: cluster });
  const failed = await until(async () => { const r = await newest(); return r.status !== 'RUNNING' && r; }, 'the failure');
  assert.equal(failed.status, 'FAIL');
  assert.match(failed.failedMsg, /^object store: writing logs\/es\/.+ failed: quota exceeded$/);

  // hold: the next backup stops at 40 % (the job status shows it) until the rule is released
  const hold = await ls.faults.add({ service: 'css', job: 'css.log-backup', cluster_id: id, effect: { type: 'hold', progress: 40 } });
  await call(css, { method: 'POST', url: '/v1.0/{project_id}/clusters/{cluster_id}/logs/collect', pathParams: cluster });
  const { jobId } = await newest();
  const job = () => call(huaweiClient(ls.endpoint, ls), { method: 'GET', url: '/logsnap/v1/{project_id}/jobs/{job_id}', pathParams: { job_id: jobId } });
  await until(async () => { const j = await job(); return j.state === 'RUNNING' && j.progress === 40; }, 'RUNNING at 40 %');
  assert.equal((await newest()).status, 'RUNNING');
  await ls.faults.release(hold.id);
  await until(async () => (await job()).state === 'SUCCEEDED', 'the released job');
  assert.equal((await newest()).status, 'SUCCESS');
});
