// Recipe: reset between tests. Records, jobs, stored objects and faults go; projects, credentials and clusters stay.
import { test, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLogsnap } from 'logsnap/testing';
import { call, huaweiClient, until } from '../sdk.js';

const ls = await startLogsnap();
after(() => ls.close());
const logDir = mkdtempSync(join(tmpdir(), 'es-'));
writeFileSync(join(logDir, 'prod.log'), 'node started\n');
const { id } = await ls.registerCluster({ service: 'css', name: 'prod', engine: { nodes: [{ name: 'es-1', logDir }] } });
const css = huaweiClient(`${ls.endpoint}/css`, ls);
const cluster = { cluster_id: id };

beforeEach(() => ls.reset()); // or ls.reset({ projectId }) for one project

for (const n of [1, 2]) {
  test(`test ${n} starts from the registered cluster alone`, async () => {
    const settings = await call(css, { method: 'GET', url: '/v1.0/{project_id}/clusters/{cluster_id}/logs/settings', pathParams: cluster });
    assert.equal(settings.logConfiguration, null);
    assert.equal((await call(css, { method: 'GET', url: '/v1.0/{project_id}/clusters/{cluster_id}/logs/records', pathParams: cluster })).totalSize, 0);
    // leave something behind: a setting, a backup record, stored objects
    await call(css, { method: 'POST', url: '/v1.0/{project_id}/clusters/{cluster_id}/logs/open', pathParams: cluster, data: { agency: 'a', log_bucket: 'logs', log_base_path: 'es' } });
    await call(css, { method: 'POST', url: '/v1.0/{project_id}/clusters/{cluster_id}/logs/collect', pathParams: cluster });
    await until(async () => (await call(css, { method: 'GET', url: '/v1.0/{project_id}/clusters/{cluster_id}/logs/records', pathParams: cluster })).clusterLogRecord[0]?.status === 'SUCCESS', 'the backup');
  });
}
