// Recipe: a fixture. Build a state once, export it, and start each suite from it.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLogsnap } from 'logsnap/testing';
import { call, huaweiClient, until } from '../sdk.js';

const dir = mkdtempSync(join(tmpdir(), 'fixture-'));
const fixture = join(dir, 'css-with-a-backup.tar.gz');
const records = '/v1.0/{project_id}/clusters/{cluster_id}/logs/records';

test('export a state, start another logsnap from it: the same answers', async () => {
  // 1. build it (once; keep the file with your tests)
  const a = await startLogsnap();
  writeFileSync(join(dir, 'prod.log'), 'node started\n');
  const { id } = await a.registerCluster({ service: 'css', name: 'prod', engine: { nodes: [{ name: 'es-1', logDir: dir }] } });
  const cssA = huaweiClient(`${a.endpoint}/css`, a);
  await call(cssA, { method: 'POST', url: '/v1.0/{project_id}/clusters/{cluster_id}/logs/open', pathParams: { cluster_id: id }, data: { agency: 'a', log_bucket: 'logs', log_base_path: 'es' } });
  await call(cssA, { method: 'POST', url: '/v1.0/{project_id}/clusters/{cluster_id}/logs/collect', pathParams: { cluster_id: id } });
  await until(async () => (await call(cssA, { method: 'GET', url: records, pathParams: { cluster_id: id } })).clusterLogRecord[0]?.status === 'SUCCESS', 'the backup');
  const before = await call(cssA, { method: 'GET', url: records, pathParams: { cluster_id: id } });
  await a.state.export(fixture); // every row and stored object, one tar.gz
  await a.close();

  // 2. start from it: its projects, clusters, records and objects (a fresh AK/SK of its project is handed out)
  const b = await startLogsnap({ state: fixture });
  after(() => b.close());
  const cssB = huaweiClient(`${b.endpoint}/css`, b);
  assert.equal(b.projectId, a.projectId);
  assert.deepEqual(await call(cssB, { method: 'GET', url: records, pathParams: { cluster_id: id } }), before);
});
