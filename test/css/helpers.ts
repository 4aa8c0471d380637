import { createHash } from 'node:crypto';
import { createGunzip } from 'node:zlib';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import type { TestServer } from '../helpers/server.js';
import { op, opError, type HcClient } from '../helpers/sdk.js';

export const URLS = {
  collect: '/v1.0/{project_id}/clusters/{cluster_id}/logs/collect',
  records: '/v1.0/{project_id}/clusters/{cluster_id}/logs/records',
  open: '/v1.0/{project_id}/clusters/{cluster_id}/logs/open',
  close: '/v1.0/{project_id}/clusters/{cluster_id}/logs/close',
  settings: '/v1.0/{project_id}/clusters/{cluster_id}/logs/settings',
  policyUpdate: '/v1.0/{project_id}/clusters/{cluster_id}/logs/policy/update',
  policyClose: '/v1.0/{project_id}/clusters/{cluster_id}/logs/policy/close',
  clusters: '/v1.0/{project_id}/clusters',
  cluster: '/v1.0/{project_id}/clusters/{cluster_id}',
};

export function tmp(prefix = 'css-logs-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function registerCluster(s: TestServer, nodes: { name: string; logDir: string; ip?: string }[], name = 'es'): Promise<string> {
  const c = await s.rt.deps.clusters.register({ projectId: s.projectId, service: 'css', name, engine: { nodes } });
  return c.id;
}

/** The CSS operations of one cluster, through the official SDK signer (endpoint http://host/css). */
export function cssOps(client: HcClient, clusterId: string) {
  const pp = { cluster_id: clusterId };
  return {
    open: (data: unknown, queryParams?: Record<string, unknown>) => op(client, { method: 'POST', url: URLS.open, pathParams: pp, data, queryParams }),
    close: () => op(client, { method: 'PUT', url: URLS.close, pathParams: pp }),
    settings: () => op(client, { method: 'GET', url: URLS.settings, pathParams: pp }),
    update: (data: unknown) => op(client, { method: 'POST', url: URLS.settings, pathParams: pp, data }),
    policy: (period: string) => op(client, { method: 'POST', url: URLS.policyUpdate, pathParams: pp, data: { period } }),
    policyClose: () => op(client, { method: 'PUT', url: URLS.policyClose, pathParams: pp }),
    collect: () => op(client, { method: 'POST', url: URLS.collect, pathParams: pp }),
    records: (queryParams?: Record<string, unknown>) => op(client, { method: 'GET', url: URLS.records, pathParams: pp, queryParams }),
    detail: () => op(client, { method: 'GET', url: URLS.cluster, pathParams: pp }),
    err: (o: { method: 'GET' | 'POST' | 'PUT'; url: string; data?: unknown; queryParams?: Record<string, unknown> }) => opError(client, { ...o, pathParams: pp }),
  };
}

export const OPEN = { agency: 'css_obs_agency', log_bucket: 'css-logs', log_base_path: 'css/log' };

/** Collect through the SDK, return the job id from the response header (via a raw signed-equivalent read of the record). */
export async function collectAndWait(s: TestServer, clusterId: string, ops = cssOps(s.client('/css'), clusterId)) {
  const r = await ops.collect();
  assert.equal(r.httpStatusCode, 200);
  const rec = await newestRecord(ops);
  const done = await waitRecord(ops, rec.jobId);
  return done;
}

export async function newestRecord(ops: ReturnType<typeof cssOps>) {
  const list = await ops.records({ limit: 1 });
  return list.clusterLogRecord[0];
}

export async function waitRecord(ops: ReturnType<typeof cssOps>, jobId: string, timeoutMs = 120_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const list = await ops.records({ limit: 1000 });
    const rec = list.clusterLogRecord.find((r: { jobId: string }) => r.jobId === jobId);
    if (rec && rec.status !== 'RUNNING') return rec;
    if (Date.now() > until) throw new Error(`record ${jobId} still ${rec?.status ?? 'missing'} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function readManifest(s: TestServer, bucket: string, clusterId: string, jobId: string, basePath = 'css/log') {
  const got = await s.rt.store.get(bucket, `${basePath}/${clusterId}/${jobId}/manifest.json`);
  const chunks: Buffer[] = [];
  for await (const c of got.body) chunks.push(c as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

/** sha256 and size of an object's original content (gunzipped unless stored as is). */
export async function objectContentSha(s: TestServer, entry: { bucket: string; key: string; encoding: string }): Promise<{ sha256: string; size: number }> {
  const got = await s.rt.store.get(entry.bucket, entry.key);
  const h = createHash('sha256');
  let size = 0;
  const sink = new Transform({
    transform(c: Buffer, _e, cb) {
      h.update(c);
      size += c.length;
      cb();
    },
  });
  if (entry.encoding === 'gzip') await pipeline(got.body, createGunzip(), sink);
  else await pipeline(got.body, sink);
  return { sha256: h.digest('hex'), size };
}

export async function listKeys(s: TestServer, bucket: string, prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const o of s.rt.store.list(bucket, prefix)) out.push(o.key);
  return out;
}
