// Recipe: an in-process logsnap for a test suite, driven with the official Huawei SDK.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLogsnap } from 'logsnap/testing';
import { call, huaweiClient } from '../sdk.js';

// a free port, a temporary data dir (SQLite; or { databaseUrl: 'postgres://…' }), test mode on,
// a project with an AK/SK, and an admin token for the levers
const ls = await startLogsnap();
after(() => ls.close());

test('a CSS cluster over a log folder, listed through the SDK', async () => {
  const logDir = mkdtempSync(join(tmpdir(), 'es-'));
  writeFileSync(join(logDir, 'prod.log'), 'node started\n');
  const cluster = await ls.registerCluster({ service: 'css', name: 'prod', engine: { nodes: [{ name: 'es-1', logDir }] } });

  const css = huaweiClient(`${ls.endpoint}/css`, { ak: ls.ak, sk: ls.sk, projectId: ls.projectId });
  const listed = await call(css, { method: 'GET', url: '/v1.0/{project_id}/clusters' });
  assert.equal(listed.totalSize, 1);
  assert.equal(listed.clusters[0].id, cluster.id);
});
