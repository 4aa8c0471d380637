/** Shared pieces of the test-lever tests: servers in test mode, the admin client, a CSS cluster over real folders. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deepMerge } from '../../src/config/load.js';
import { AdminClient } from '../../src/testmode/adminClient.js';
import { startServer, type StartOptions, type TestServer } from '../helpers/server.js';
import { op, type HcClient } from '../helpers/sdk.js';

export const MASTER_KEY = randomBytes(32).toString('hex');

/** A logsnap in test mode (a second one on the same database: pass dataDir + databaseUrl). */
export function startTestMode(opts: StartOptions = {}): Promise<TestServer> {
  return startServer({ ...opts, config: deepMerge({ core: { testMode: true }, security: { masterKey: MASTER_KEY } }, opts.config ?? {}) });
}

export function adminOf(s: TestServer): AdminClient {
  return new AdminClient(s.url, s.adminToken);
}

/** A raw admin-API call (status and JSON body), for answers the client would throw on. */
export async function adminRaw(s: TestServer, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(s.url + path, {
    method,
    headers: { authorization: `Bearer ${s.adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** A CSS cluster with one node over a folder of log files (`files`: name → bytes). */
export async function cssCluster(s: TestServer, files: Record<string, Buffer | string> = { 'es.log': 'started\n'.repeat(100) }, projectId = s.projectId): Promise<{ id: string; logDir: string }> {
  const logDir = mkdtempSync(join(tmpdir(), 'levers-css-'));
  for (const [name, body] of Object.entries(files)) writeFileSync(join(logDir, name), body);
  const c = await s.rt.deps.clusters.register({ projectId, service: 'css', name: `es-${randomBytes(3).toString('hex')}`, engine: { nodes: [{ name: 'es-1', logDir }] } });
  return { id: c.id, logDir };
}

export const CSS = {
  open: '/v1.0/{project_id}/clusters/{cluster_id}/logs/open',
  policy: '/v1.0/{project_id}/clusters/{cluster_id}/logs/policy/update',
  collect: '/v1.0/{project_id}/clusters/{cluster_id}/logs/collect',
  records: '/v1.0/{project_id}/clusters/{cluster_id}/logs/records',
  settings: '/v1.0/{project_id}/clusters/{cluster_id}/logs/settings',
  clusters: '/v1.0/{project_id}/clusters',
};
export const OPEN = { agency: 'css_obs_agency', log_bucket: 'css-logs', log_base_path: 'css/log' };
export const JOB = '/logsnap/v1/{project_id}/jobs/{job_id}';

export function records(c: HcClient, clusterId: string) {
  return op(c, { method: 'GET', url: CSS.records, pathParams: { cluster_id: clusterId }, queryParams: { limit: 100 } });
}

/** The newest record of a kind once it has left RUNNING. */
export async function settledRecord(c: HcClient, clusterId: string, jobType: 'Auto' | 'Manual', timeoutMs = 30_000): Promise<Record<string, any>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const r = (await records(c, clusterId)).clusterLogRecord.find((x: { jobTypes: string }) => x.jobTypes === jobType);
    if (r && r.status !== 'RUNNING') return r;
    if (Date.now() > until) throw new Error(`no settled ${jobType} record of ${clusterId} within ${timeoutMs} ms (last: ${JSON.stringify(r)})`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

/** Every object of a bucket (key → size). */
export async function objects(s: TestServer, bucket: string, prefix = ''): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for await (const o of s.rt.store.list(bucket, prefix)) out.set(o.key, o.size);
  return out;
}
