/**
 * The console's read API and the admin operations it added, over real HTTP on both state engines:
 * who sees what (admin token, project token, AK/SK), paging, last runs, artifacts and their links,
 * live events, storage, cluster edits that keep masked secrets, real connection tests.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { engines, eventually, startServer, type TestServer } from '../helpers/server.js';
import { op, opError } from '../helpers/sdk.js';
import { cssOps, OPEN, tmp, waitRecord } from '../css/helpers.js';
import { createPgDatabase, postgresAvailable } from '../helpers/server.js';
import { bytesText } from '../../src/clusters/probeTools.js';
import { OPS } from '../../src/console/lib/ops.js';
import { buildPreview } from '../../src/console/lib/preview.js';
import { cli, ROOT } from '../helpers/cli.js';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';

async function http(s: TestServer, method: string, path: string, headers: Record<string, string> = {}, body?: unknown) {
  const res = await fetch(s.url + path, {
    method,
    headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = text;
  }
  return { status: res.status, json, headers: res.headers };
}

for (const { engine, skip } of await engines()) {
  describe(`console API on ${engine}`, { skip }, () => {
    let s: TestServer;
    let admin: Record<string, string>;
    let token: Record<string, string>;
    let other: { id: string; token: Record<string, string>; clusterId: string };
    let clusterId: string;
    let logDir: string;
    let jobId: string;

    before(async () => {
      s = await startServer({ engine, config: { console: { liveIntervalMs: 100 } } });
      admin = { authorization: `Bearer ${s.adminToken}` };
      const t = await http(s, 'POST', `/admin/v1/projects/${s.projectId}/tokens`, admin, { description: 'api test', ttl_seconds: 3600 });
      token = { 'x-auth-token': t.json.token };
      // a second project, with a cluster this project's token must never see
      const p = await http(s, 'POST', '/admin/v1/projects', admin, { name: `other-${engine}` });
      const ot = await http(s, 'POST', `/admin/v1/projects/${p.json.project.id}/tokens`, admin, {});
      const oc = await http(s, 'POST', `/admin/v1/projects/${p.json.project.id}/clusters`, admin, { service: 'css', name: 'theirs', engine: { nodes: [{ name: 'n', logDir: tmp() }] } });
      other = { id: p.json.project.id, token: { 'x-auth-token': ot.json.token }, clusterId: oc.json.id };
      logDir = tmp();
      mkdirSync(join(logDir, 'sub'));
      writeFileSync(join(logDir, 'es.log'), 'line one\nline two\n'.repeat(5000));
      writeFileSync(join(logDir, 'sub', 'gc.log'), 'gc\n'.repeat(100));
      const c = await http(s, 'POST', `/admin/v1/projects/${s.projectId}/clusters`, admin, { service: 'css', name: 'alpha_%', engine: { nodes: [{ name: 'es-1', logDir }] } });
      clusterId = c.json.id;
      for (const name of ['bravo', 'charlie']) await http(s, 'POST', `/admin/v1/projects/${s.projectId}/clusters`, admin, { service: 'css', name, engine: { nodes: [{ name: 'es-1', logDir }] } });
      const css = cssOps(s.client('/css'), clusterId);
      await css.open(OPEN);
      await css.collect();
      jobId = (await css.records({ limit: 1 })).clusterLogRecord[0].jobId;
      await waitRecord(css, jobId);
    });
    after(async () => s?.close());

    test('ShowSession: the admin token sees every project, a project token its own, AK/SK works too; bad tokens are 401', async () => {
      const a = await http(s, 'GET', '/logsnap/v1/session', admin);
      assert.equal(a.status, 200);
      assert.equal(a.json.role, 'admin');
      assert.equal(a.json.caller, 'admin');
      assert.deepEqual(a.json.projects.map((p: { id: string }) => p.id).sort(), [s.projectId, other.id].sort());
      const p = await http(s, 'GET', '/logsnap/v1/session', token);
      assert.equal(p.json.role, 'project');
      assert.equal(p.json.project_id, s.projectId);
      assert.deepEqual(p.json.projects.map((x: { id: string }) => x.id), [s.projectId]);
      assert.match(p.json.caller, /^token:[0-9a-f]{12}$/);
      const signed = await op(s.client(), { method: 'GET', url: '/logsnap/v1/session' });
      assert.equal(signed.role, 'project');
      assert.equal(signed.caller, `ak:${s.ak}`);
      const badAdmin = await http(s, 'GET', '/logsnap/v1/session', { authorization: 'Bearer nope' });
      assert.equal(badAdmin.status, 401);
      assert.equal(badAdmin.json.error_code, 'LOGSNAP.0401');
      const badToken = await http(s, 'GET', '/logsnap/v1/session', { 'x-auth-token': 'lst_nope' });
      assert.equal(badToken.status, 401);
      assert.equal(badToken.json.error_code, 'APIGW.0301');
      assert.equal((await http(s, 'GET', '/logsnap/v1/session')).status, 401);
    });

    test('a project credential sees its own project only: another project is 403 as a filter and 404 as a cluster or job', async () => {
      const filter = await http(s, 'GET', `/logsnap/v1/clusters?project_id=${other.id}`, token);
      assert.equal(filter.status, 403);
      assert.equal(filter.json.error_code, 'LOGSNAP.0403');
      assert.equal((await http(s, 'GET', `/logsnap/v1/clusters/${other.clusterId}`, token)).status, 404);
      assert.equal((await http(s, 'GET', `/logsnap/v1/jobs/${jobId}`, other.token)).status, 404);
      assert.equal((await http(s, 'GET', `/logsnap/v1/jobs/${jobId}/artifacts`, other.token)).status, 404);
      const theirs = await http(s, 'GET', '/logsnap/v1/clusters', other.token);
      assert.deepEqual(theirs.json.clusters.map((c: { name: string }) => c.name), ['theirs']);
      const all = await http(s, 'GET', '/logsnap/v1/clusters?service=css', admin);
      assert.equal(all.json.total, 4);
    });

    test('ListConsoleClusters: by name, paged on the server, a name filter that treats % and _ as text, the last run with size and duration', async () => {
      const page1 = await http(s, 'GET', '/logsnap/v1/clusters?service=css&limit=2', token);
      assert.equal(page1.json.total, 3);
      assert.deepEqual(page1.json.clusters.map((c: { name: string }) => c.name), ['alpha_%', 'bravo']);
      const page2 = await http(s, 'GET', '/logsnap/v1/clusters?service=css&limit=2&offset=2', token);
      assert.deepEqual(page2.json.clusters.map((c: { name: string }) => c.name), ['charlie']);
      const pct = await http(s, 'GET', `/logsnap/v1/clusters?q=${encodeURIComponent('_%')}`, token);
      assert.deepEqual(pct.json.clusters.map((c: { name: string }) => c.name), ['alpha_%']);
      const none = await http(s, 'GET', `/logsnap/v1/clusters?q=${encodeURIComponent('a%o')}`, token);
      assert.equal(none.json.total, 0);
      const alpha = page1.json.clusters[0];
      assert.equal(alpha.last_run.state, 'SUCCEEDED');
      assert.equal(alpha.last_run.job_id, jobId);
      assert.equal(alpha.last_run.size, 'line one\nline two\n'.length * 5000 + 'gc\n'.length * 100);
      assert.ok(alpha.last_run.duration_ms >= 0);
      assert.equal(page1.json.clusters[1].last_run, null);
      const bad = await http(s, 'GET', '/logsnap/v1/clusters?limit=0', token);
      assert.equal(bad.status, 400);
    });

    test('ShowConsoleCluster, ListClusterRuns, ShowOverview, ShowStorageUsage', async () => {
      const c = await http(s, 'GET', `/logsnap/v1/clusters/${clusterId}`, token);
      assert.equal(c.json.name, 'alpha_%');
      assert.equal(c.json.noun, 'log backup');
      assert.deepEqual(c.json.engine, { nodes: [{ name: 'es-1', logDir }] });
      assert.equal(c.json.running, null);
      const runs = await http(s, 'GET', `/logsnap/v1/clusters/${clusterId}/runs?limit=10`, token);
      assert.equal(runs.json.runs.length, 1);
      assert.equal(runs.json.succeeded, 1);
      assert.equal(runs.json.failed, 0);
      const o = await http(s, 'GET', '/logsnap/v1/overview', token);
      const css = o.json.services.find((x: { service: string }) => x.service === 'css');
      assert.deepEqual([css.clusters, css.succeeded_24h, css.failed_24h, css.running], [3, 1, 0, 0]);
      assert.ok(css.stored_bytes > 0);
      const st = await http(s, 'GET', '/logsnap/v1/storage', admin);
      const mine = st.json.projects.find((p: { project_id: string }) => p.project_id === s.projectId);
      assert.equal(mine.bytes, css.stored_bytes);
      assert.equal(mine.services.find((x: { service: string }) => x.service === 'css').items, 1);
      assert.equal(st.json.projects.find((p: { project_id: string }) => p.project_id === other.id).bytes, 0);
    });

    test('ListJobArtifacts pages the manifest; CreateArtifactLink links only the job\'s own objects; the bytes are the source\'s', async () => {
      const a = await http(s, 'GET', `/logsnap/v1/jobs/${jobId}/artifacts?limit=1`, token);
      assert.equal(a.status, 200);
      assert.equal(a.json.total, 2);
      assert.equal(a.json.items.length, 1);
      assert.match(a.json.summary.manifest.key, new RegExp(`${jobId}/manifest\\.json$`));
      const b = await http(s, 'GET', `/logsnap/v1/jobs/${jobId}/artifacts?offset=1&limit=1`, token);
      const files = [...a.json.items, ...b.json.items];
      const es = files.find((f: { name: string }) => f.name === 'es.log');
      assert.equal(es.encoding, 'gzip');
      const link = await http(s, 'POST', `/logsnap/v1/jobs/${jobId}/artifacts/link`, token, { bucket: es.bucket, key: es.key });
      assert.equal(link.status, 200);
      const bytes = Buffer.from(await (await fetch(link.json.link)).arrayBuffer());
      assert.deepEqual(gunzipSync(bytes), readFileSync(join(logDir, 'es.log')));
      const manifest = await http(s, 'POST', `/logsnap/v1/jobs/${jobId}/artifacts/link`, admin, { bucket: a.json.summary.manifest.bucket, key: a.json.summary.manifest.key });
      const m = (await (await fetch(manifest.json.link)).json()) as { files: unknown[] };
      assert.equal(m.files.length, 2);
      const foreign = await http(s, 'POST', `/logsnap/v1/jobs/${jobId}/artifacts/link`, token, { bucket: es.bucket, key: `${es.key}.other` });
      assert.equal(foreign.status, 404);
      assert.equal(foreign.json.error_code, 'LOGSNAP.0404');
    });

    test('ListConsoleJobs and ShowConsoleJob: failures with their messages, the caller and request id that started a job', async () => {
      const bad = await http(s, 'POST', `/admin/v1/projects/${s.projectId}/clusters`, admin, { service: 'css', name: 'broken', engine: { nodes: [{ name: 'n', logDir: join(logDir, 'missing') }] } });
      const css = cssOps(s.client('/css'), bad.json.id);
      await css.open(OPEN);
      await css.collect();
      const failed = await eventually(async () => {
        const r = await http(s, 'GET', `/logsnap/v1/jobs?state=FAILED&since=${Date.now() - 3_600_000}`, token);
        return r.json.jobs.find((j: { cluster_id: string }) => j.cluster_id === bad.json.id);
      }, 30_000, 'the failed backup');
      assert.match(failed.error, /no such file or directory/);
      assert.equal(failed.cluster_name, 'broken');
      const detail = await http(s, 'GET', `/logsnap/v1/jobs/${jobId}`, admin);
      assert.equal(detail.json.state, 'SUCCEEDED');
      assert.equal(detail.json.created_by, `ak:${s.ak}`);
      assert.match(detail.json.request_id, /^[0-9a-f]{32}$/);
      assert.equal(detail.json.noun, 'log backup');
      assert.equal(detail.json.max_attempts, 1);
      assert.ok(detail.json.heartbeat_at >= detail.json.started_at);
      const active = await http(s, 'GET', '/logsnap/v1/jobs?state=ACTIVE', token);
      assert.equal(active.json.total, 0);
    });

    test('StreamJobEvents: a job\'s changes arrive as server-sent events up to SUCCEEDED, only to callers who may see it', async () => {
      const ac = new AbortController();
      const seen: any[] = [];
      const theirs: any[] = [];
      const open = async (headers: Record<string, string>) => {
        const res = await fetch(`${s.url}/logsnap/v1/events`, { headers, signal: ac.signal });
        assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
        return res;
      };
      const read = async (res: Response, into: any[]) => {
        const dec = new TextDecoder();
        let buf = '';
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          buf += dec.decode(chunk, { stream: true });
          let i;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, i);
            buf = buf.slice(i + 2);
            const data = block.split('\n').find((l) => l.startsWith('data: '));
            if (data) into.push(JSON.parse(data.slice(6)));
          }
        }
      };
      const [mine, foreign] = await Promise.all([open(token), open(other.token)]);
      const done = Promise.all([read(mine, seen), read(foreign, theirs)]).catch(() => undefined);
      const css = cssOps(s.client('/css'), clusterId);
      await css.collect();
      const id = (await css.records({ limit: 1 })).clusterLogRecord[0].jobId;
      await eventually(async () => seen.some((e) => e.id === id && e.state === 'SUCCEEDED'), 30_000, 'the SUCCEEDED event');
      ac.abort();
      await done;
      const states = seen.filter((e) => e.id === id).map((e) => e.state);
      assert.equal(states.at(-1), 'SUCCEEDED');
      assert.ok(seen.filter((e) => e.id === id).every((e) => e.project_id === s.projectId && typeof e.progress === 'number'));
      assert.equal(theirs.filter((e) => e.id === id).length, 0, 'another project never hears of it');
    });

    test('AdminUpdateCluster: rename, and an engine sent back with its masked password keeps the stored one; bad engines are 400 and change nothing', async (t) => {
      if (!(await postgresAvailable())) return t.skip('needs the shared PostgreSQL (a DWS engine)');
      const db = await createPgDatabase('logsnap_console');
      try {
        const u = new URL(db.url);
        u.username = 'postgres';
        u.password = 'not-needed-but-secret';
        const c = await http(s, 'POST', `/admin/v1/projects/${s.projectId}/clusters`, admin, { service: 'dws', name: 'wh', engine: { url: u.toString() } });
        assert.equal(c.status, 201);
        assert.match(c.json.engine.url, /:\*\*\*@/);
        const upd = await http(s, 'PATCH', `/admin/v1/projects/${s.projectId}/clusters/${c.json.id}`, admin, { name: 'warehouse', engine: { url: c.json.engine.url.replace(/\/[^/]+$/, '/postgres') } });
        assert.equal(upd.status, 200);
        assert.equal(upd.json.name, 'warehouse');
        const stored = (await s.rt.deps.clusters.getAny<{ url: string }>(c.json.id))!;
        assert.equal(new URL(stored.engine.url).password, 'not-needed-but-secret');
        assert.equal(new URL(stored.engine.url).pathname, '/postgres');
        assert.ok(!JSON.stringify(upd.json).includes('not-needed-but-secret'));
        const bad = await http(s, 'PATCH', `/admin/v1/projects/${s.projectId}/clusters/${c.json.id}`, admin, { engine: { url: 'mysql://x' } });
        assert.equal(bad.status, 400);
        assert.equal(bad.json.error_code, 'LOGSNAP.0400');
        assert.match(bad.json.error_msg, /engine\.url/);
        assert.equal((await s.rt.deps.clusters.getAny<{ url: string }>(c.json.id))!.engine.url, stored.engine.url);
        const missing = await http(s, 'PATCH', `/admin/v1/projects/${s.projectId}/clusters/nope`, admin, { name: 'x' });
        assert.equal(missing.status, 404);
        // the probe reaches the real PostgreSQL with the stored password filled back in
        const probe = await http(s, 'POST', `/admin/v1/projects/${s.projectId}/clusters/probe`, admin, { cluster_id: c.json.id, engine: { url: upd.json.engine.url } });
        assert.equal(probe.status, 200);
        assert.equal(probe.json.ok, true, JSON.stringify(probe.json));
        assert.match(probe.json.checks[0].message, /^select 1 → 1; PostgreSQL \d+/);
        assert.ok(!JSON.stringify(probe.json).includes('not-needed-but-secret'));
      } finally {
        await db.drop();
      }
    });

    test('AdminProbeCluster reaches the engine for real: CSS folders listed, a missing folder and a dead etcd explained', async () => {
      const ok = await http(s, 'POST', `/admin/v1/projects/${s.projectId}/clusters/probe`, admin, { cluster_id: clusterId });
      assert.equal(ok.json.ok, true);
      assert.equal(ok.json.checks[0].message, `2 log file(s), ${bytesText(90_000 + 300)}`);
      assert.ok(ok.json.checks[0].details.some((d: string) => d.startsWith('sub/gc.log')));
      const missing = await http(s, 'POST', `/admin/v1/projects/${s.projectId}/clusters/probe`, admin, { service: 'css', engine: { nodes: [{ name: 'x', logDir: '/nonexistent/logs' }] } });
      assert.equal(missing.json.ok, false);
      assert.match(missing.json.checks[0].message, /no such file or directory/);
      const etcd = await http(s, 'POST', `/admin/v1/projects/${s.projectId}/clusters/probe`, admin, { service: 'cce', engine: { endpoints: ['http://127.0.0.1:1'] } });
      assert.equal(etcd.json.ok, false);
      assert.equal(etcd.json.checks[0].target, 'etcd http://127.0.0.1:1');
      const invalid = await http(s, 'POST', `/admin/v1/projects/${s.projectId}/clusters/probe`, admin, { service: 'cce', engine: { endpoints: [] } });
      assert.equal(invalid.status, 400);
      assert.match(invalid.json.error_msg, /engine\.endpoints/);
      const schemas = await http(s, 'GET', '/admin/v1/engine-schemas', admin);
      assert.deepEqual(schemas.json.services.map((x: { service: string }) => x.service), ['css', 'dcs', 'cce', 'dws']);
      assert.equal(schemas.json.services[0].schema.properties.nodes.type, 'array');
      assert.equal((await http(s, 'GET', '/admin/v1/engine-schemas', token)).status, 401);
    });

    test('AdminListTokens / AdminRevokeToken: ids are the hash prefix job origins show; a revoked token stops working', async () => {
      const t = await http(s, 'POST', `/admin/v1/projects/${s.projectId}/tokens`, admin, { description: 'to revoke' });
      const caller = (await http(s, 'GET', '/logsnap/v1/session', { 'x-auth-token': t.json.token })).json.caller as string;
      const list = await http(s, 'GET', `/admin/v1/projects/${s.projectId}/tokens`, admin);
      const row = list.json.tokens.find((x: { description: string }) => x.description === 'to revoke');
      assert.equal(`token:${row.id}`, caller);
      assert.ok(!JSON.stringify(list.json).includes(t.json.token));
      assert.equal((await http(s, 'DELETE', `/admin/v1/projects/${s.projectId}/tokens/${row.id}`, admin)).status, 204);
      assert.equal((await http(s, 'GET', '/logsnap/v1/session', { 'x-auth-token': t.json.token })).status, 401);
      assert.equal((await http(s, 'DELETE', `/admin/v1/projects/${s.projectId}/tokens/${row.id}`, admin)).status, 404);
      assert.equal((await http(s, 'DELETE', `/admin/v1/projects/${s.projectId}/tokens/xyz`, admin)).status, 400);
    });

    test('every operation the console calls is in the OpenAPI document with the same method, path and tag', async () => {
      const doc = (await http(s, 'GET', '/openapi.json')).json as { paths: Record<string, Record<string, { operationId?: string; tags?: string[] }>> };
      for (const o of Object.values(OPS)) {
        const entry = doc.paths[o.path]?.[o.method.toLowerCase()];
        assert.ok(entry, `${o.operationId}: ${o.method} ${o.path} is not in /openapi.json`);
        assert.equal(entry.operationId, o.operationId);
        assert.deepEqual(entry.tags, [o.tag]);
      }
    });

    test('the previews run as printed: the logsnap call line and the Node SDK snippet of a console read', async () => {
      const profile = join(s.dataDir, 'profile.json');
      writeFileSync(profile, JSON.stringify({ endpoint: s.url, project_id: s.projectId, ak: s.ak, sk: s.sk }));
      const c = { op: OPS.ListConsoleClusters, query: { service: 'css', q: 'bravo' } };
      const p = buildPreview(c, { origin: s.url });
      const line = p.cli.split('\n').at(-1)!;
      const words = line.split(' ');
      assert.deepEqual(words.slice(0, 2), ['npx', 'logsnap']);
      const r = await cli(words.slice(2), { LOGSNAP_CLIENT: profile });
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout).clusters.map((x: { name: string }) => x.name), ['bravo']);
      const dir = mkdtempSync(join(ROOT, 'node_modules', '.logsnap-snippet-'));
      try {
        writeFileSync(join(dir, 'snippet.mjs'), p.node);
        const out = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
          const child = spawn(process.execPath, [join(dir, 'snippet.mjs')], { env: { ...process.env, HUAWEICLOUD_SDK_AK: s.ak, HUAWEICLOUD_SDK_SK: s.sk } });
          let stdout = '';
          let stderr = '';
          child.stdout.on('data', (d) => (stdout += d));
          child.stderr.on('data', (d) => (stderr += d));
          child.on('exit', (code) => resolve({ code: code ?? 1, stdout, stderr }));
        });
        assert.equal(out.code, 0, out.stderr);
        assert.match(out.stdout, /name: 'bravo'/);
        assert.match(out.stdout, /total: 1/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    test('the console operations are in the OpenAPI document (so logsnap call reaches them too)', async () => {
      const doc = (await http(s, 'GET', '/openapi.json')).json;
      const ids = new Set(Object.values(doc.paths as Record<string, Record<string, { operationId?: string }>>).flatMap((m) => Object.values(m).map((o) => o.operationId)));
      for (const id of ['ShowSession', 'ShowOverview', 'ShowStorageUsage', 'ListConsoleClusters', 'ShowConsoleCluster', 'ListClusterRuns', 'ListConsoleJobs', 'ShowConsoleJob', 'ListJobArtifacts', 'CreateArtifactLink', 'StreamJobEvents', 'AdminUpdateCluster', 'AdminProbeCluster', 'AdminListEngineSchemas', 'AdminListTokens', 'AdminRevokeToken']) {
        assert.ok(ids.has(id), id);
      }
      assert.ok(!ids.has('ConsoleIndex'), 'the static files stay out of the API document');
      const e = await opError(s.client(), { method: 'GET', url: '/logsnap/v1/clusters/{cluster_id}', pathParams: { cluster_id: other.clusterId } });
      assert.equal(e.httpStatusCode, 404);
    });
  });
}
