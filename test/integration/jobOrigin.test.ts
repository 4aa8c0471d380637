import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engines, startServer, type TestServer } from '../helpers/server.js';
import { op, opWithHeaders } from '../helpers/sdk.js';

// Every job remembers who started it and with which request (job detail, audit): the request
// context set by the app's first hook and completed by authentication.
for (const { engine, skip } of await engines()) {
  describe(`job origin on ${engine}`, { skip }, () => {
    let s: TestServer;
    let clusterId: string;
    before(async () => {
      s = await startServer({ engine });
      const dir = mkdtempSync(join(tmpdir(), 'origin-logs-'));
      writeFileSync(join(dir, 'a.log'), 'hello\n');
      clusterId = (await s.rt.deps.clusters.register({ projectId: s.projectId, service: 'css', name: 'es', engine: { nodes: [{ name: 'es-1', logDir: dir }] } })).id;
      await op(s.client('/css'), {
        method: 'POST', url: '/v1.0/{project_id}/clusters/{cluster_id}/logs/open', pathParams: { cluster_id: clusterId },
        data: { agency: 'css_obs_agency', log_bucket: 'css-logs', log_base_path: 'css/log' },
      });
    });
    after(() => s?.close());

    test('an SDK call records the access key and the X-Request-Id it answered with', async () => {
      const headers = await collect(s, clusterId);
      const jobId = headers['x-logsnap-job-id'];
      assert.ok(jobId, 'job header');
      const job = await s.rt.queue.get(jobId);
      assert.equal(job?.created_by, `ak:${s.ak}`);
      assert.match(headers['x-request-id'], /^[0-9a-f]{32}$/);
      assert.equal(job?.request_id, headers['x-request-id']);
    });

    test('a token call records the token by a hash prefix, never the token', async () => {
      const { token } = await s.rt.deps.projects.issueToken(s.projectId, { ttlSeconds: 600 });
      await waitIdle(s, clusterId);
      const res = await fetch(`${s.url}/v1.0/${s.projectId}/clusters/${clusterId}/logs/collect`, { method: 'POST', headers: { 'x-auth-token': token } });
      assert.equal(res.status, 200);
      const job = await s.rt.queue.get(res.headers.get('x-logsnap-job-id')!);
      assert.match(job!.created_by!, /^token:[0-9a-f]{12}$/);
      assert.ok(!job!.created_by!.includes(token));
    });

    test('a job enqueued outside a request is marked system, or by its schedule', async () => {
      const job = await s.rt.queue.enqueue({ kind: 'nothing-runs-this', projectId: s.projectId });
      assert.equal(job?.created_by, 'system');
      assert.equal(job?.request_id, null);
    });
  });
}

async function waitIdle(s: TestServer, clusterId: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (!(await s.rt.queue.active(`css-log-backup:${clusterId}`))) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('backup still active');
}

/** CreateLogBackup through the official signer, with the response headers. */
async function collect(s: TestServer, clusterId: string): Promise<Record<string, string>> {
  const { headers } = await opWithHeaders(s.client('/css'), { method: 'POST', url: '/v1.0/{project_id}/clusters/{cluster_id}/logs/collect', pathParams: { cluster_id: clusterId } });
  return headers;
}
