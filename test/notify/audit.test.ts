import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engines, FakeClock, startServer, type TestServer } from '../helpers/server.js';
import { op, opError, opWithHeaders, sdkClient } from '../helpers/sdk.js';
import { cli } from '../helpers/cli.js';

const ADMIN = { authorization: 'Bearer test-admin-token-0123456789' };

async function admin(s: TestServer, method: string, path: string, body?: unknown, headers: Record<string, string> = ADMIN) {
  const res = await fetch(s.url + path, { method, headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, requestId: res.headers.get('x-request-id')!, jobId: res.headers.get('x-logsnap-job-id') };
}

async function audit(s: TestServer, query = ''): Promise<any[]> {
  const r = await admin(s, 'GET', `/admin/v1/audit?limit=1000${query}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.entries;
}

type OpenApiOp = { operationId: string; parameters?: { name: string; in: string }[] };

// The audit trail: one row per state-changing call (SDK, admin API, CLI), rejected ones included,
// none for reads, never a secret. See docs/audit.md.
for (const { engine, skip } of await engines()) {
  describe(`audit trail on ${engine}`, { skip }, () => {
    let s: TestServer;
    let clock: FakeClock;
    let clusterId: string;
    before(async () => {
      clock = new FakeClock();
      s = await startServer({ engine, clock, config: { webhooks: { allowPrivate: true } } });
      const dir = mkdtempSync(join(tmpdir(), 'audit-logs-'));
      writeFileSync(join(dir, 'a.log'), 'hello\n');
      clusterId = (await s.rt.deps.clusters.register({ projectId: s.projectId, service: 'css', name: 'es', engine: { nodes: [{ name: 'es-1', logDir: dir }] } })).id;
    });
    after(() => s?.close());

    test('an SDK call that changes state: who, what, target, request id, source, job, outcome', async () => {
      const css = s.client('/css');
      const opened = await opWithHeaders(css, {
        method: 'POST', url: '/v1.0/{project_id}/clusters/{cluster_id}/logs/open', pathParams: { cluster_id: clusterId },
        data: { agency: 'css_obs_agency', log_bucket: 'css-logs', log_base_path: 'css/log' },
      });
      const started = await opWithHeaders(css, { method: 'POST', url: '/v1.0/{project_id}/clusters/{cluster_id}/logs/collect', pathParams: { cluster_id: clusterId } });
      const rows = await audit(s, `&project_id=${s.projectId}&operation=CreateLogBackup`);
      const row = rows.find((r) => r.request_id === started.headers['x-request-id']);
      assert.ok(row, 'a row for CreateLogBackup');
      assert.equal(row.caller, `ak:${s.ak}`);
      assert.equal(row.service, 'css');
      assert.equal(row.method, 'POST');
      assert.equal(row.route, '/css/v1.0/:project_id/clusters/:cluster_id/logs/collect');
      assert.equal(row.target_id, clusterId);
      assert.equal(row.job_id, started.headers['x-logsnap-job-id']);
      assert.equal(row.status, 200);
      assert.equal(row.error_code, null);
      assert.equal(row.outcome, 'ok');
      assert.ok(['127.0.0.1', '::1', '::ffff:127.0.0.1'].includes(row.source_ip), row.source_ip);
      assert.match(row.user_agent, /huaweicloud|axios|node/i);
      assert.equal(row.at, clock.now());
      assert.equal(row.time, new Date(clock.now()).toISOString());
      const job = await s.rt.queue.get(started.headers['x-logsnap-job-id']);
      assert.equal(job?.request_id, row.request_id, 'the job and the audit row name the same request');
      assert.ok((await audit(s, '&operation=StartLogs')).some((r) => r.request_id === opened.headers['x-request-id']));
    });

    test('rejected calls are recorded with their status and error code; a bad signature is anonymous', async () => {
      const css = s.client('/css');
      const conflict = await opError(css, { method: 'PUT', url: '/v1.0/{project_id}/clusters/{cluster_id}/logs/close', pathParams: { cluster_id: 'no-such-cluster' } });
      assert.equal(conflict.httpStatusCode, 403);
      const bad = sdkClient(s.url + '/css', { ak: s.ak, sk: 'not-the-secret-key-00000000000000000000', projectId: s.projectId });
      const denied = await opError(bad, { method: 'POST', url: '/v1.0/{project_id}/clusters/{cluster_id}/logs/collect', pathParams: { cluster_id: clusterId } });
      assert.equal(denied.httpStatusCode, 401);
      const rows = await audit(s);
      const r403 = rows.find((r) => r.request_id === conflict.requestId);
      assert.equal(r403.operation, 'StopLogs');
      assert.equal(r403.status, 403);
      assert.equal(r403.error_code, 'CSS.0015');
      assert.equal(r403.outcome, 'rejected');
      assert.equal(r403.target_id, 'no-such-cluster');
      const r401 = rows.find((r) => r.request_id === denied.requestId);
      assert.equal(r401.caller, 'anonymous');
      assert.equal(r401.status, 401);
      assert.equal(r401.error_code, 'APIGW.0301');
      assert.equal(r401.project_id, s.projectId, 'the project the call named');
      // a path no route serves is recorded too, without its query string
      const nowhere = await admin(s, 'POST', '/v9/nowhere?sig=abcdef', {});
      const r404 = (await audit(s)).find((r) => r.request_id === nowhere.requestId);
      assert.equal(r404.route, '/v9/nowhere');
      assert.equal(r404.operation, null);
      assert.equal(r404.status, 404);
    });

    test('every state-changing operation writes a row, reads write none', async () => {
      const doc = (await (await fetch(`${s.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, OpenApiOp>> };
      const writes: { method: string; path: string; op: OpenApiOp }[] = [];
      const reads: { method: string; path: string; op: OpenApiOp }[] = [];
      for (const [path, methods] of Object.entries(doc.paths)) {
        for (const [method, o] of Object.entries(methods)) {
          if (!o.operationId) continue;
          (method === 'get' || method === 'head' ? reads : writes).push({ method: method.toUpperCase(), path, op: o });
        }
      }
      assert.ok(writes.length >= 25, `state-changing operations: ${writes.length}`);
      const fill = (path: string) => path.replace('{project_id}', s.projectId).replace(/\{[a-z_]+\}/g, 'x-does-not-exist');
      const call = async (method: string, path: string, project: boolean) => {
        if (!project) return admin(s, method, fill(path), method === 'DELETE' || method === 'GET' ? undefined : {});
        const url = fill(path);
        const res = await op(s.client(), { method: method as 'POST', url }).catch((e) => e);
        return { requestId: res.requestId ?? res.headers?.['x-request-id'] };
      };
      const before = (await audit(s)).length;
      for (const w of writes) {
        const isAdmin = w.path.startsWith('/admin/') || w.path.startsWith('/logsnap/v1/objects');
        // the server's own project and credentials stay: destructive admin calls name ids that do not exist
        const path = w.op.operationId === 'AdminDeleteProject' ? '/admin/v1/projects/0123456789abcdef0123456789abcdef' : w.path;
        await call(w.method, path, !isAdmin);
      }
      const afterWrites = await audit(s);
      const seen = new Set(afterWrites.map((r) => r.operation));
      const missing = writes.map((w) => w.op.operationId).filter((id) => !seen.has(id));
      assert.deepEqual(missing, [], 'operations without an audit row');
      assert.ok(afterWrites.length >= before + writes.length);
      for (const r of reads) {
        if (r.path.includes('{')) await call('GET', r.path, !r.path.startsWith('/admin/'));
        else await fetch(s.url + r.path, { headers: ADMIN });
      }
      const afterReads = await audit(s);
      assert.equal(afterReads.length, afterWrites.length, `reads wrote rows: ${afterReads.slice(0, afterReads.length - afterWrites.length).map((r) => `${r.method} ${r.route}`).join(', ')}`);
    });

    test('filters, keyset paging newest first, and time bounds', async () => {
      const all = await audit(s);
      assert.ok(all.length > 10);
      for (let i = 1; i < all.length; i++) assert.ok(all[i - 1].at > all[i].at || (all[i - 1].at === all[i].at && all[i - 1].id > all[i].id), 'newest first');
      const paged: any[] = [];
      let cursor: string | null = null;
      do {
        const r = await admin(s, 'GET', `/admin/v1/audit?limit=7${cursor ? `&cursor=${cursor}` : ''}`);
        paged.push(...r.body.entries);
        cursor = r.body.next_cursor;
      } while (cursor);
      assert.deepEqual(paged.map((r) => r.id), all.map((r) => r.id));
      const mine = await audit(s, `&caller=${encodeURIComponent(`ak:${s.ak}`)}`);
      assert.ok(mine.length > 0 && mine.every((r) => r.caller === `ak:${s.ak}`));
      const admins = await audit(s, '&caller=admin');
      assert.ok(admins.length > 0 && admins.every((r) => r.caller === 'admin'));
      clock.advance(60_000);
      const t = clock.now();
      await admin(s, 'POST', `/admin/v1/projects/${s.projectId}/tokens`, {});
      const recent = await audit(s, `&since=${new Date(t).toISOString()}`);
      assert.deepEqual(recent.map((r) => r.operation), ['AdminIssueToken']);
      assert.equal((await audit(s, `&until=${t}`)).length, all.length);
      const badCursor = await admin(s, 'GET', '/admin/v1/audit?cursor=bm9wZQ');
      assert.equal(badCursor.status, 400);
      assert.equal(badCursor.body.error_code, 'LOGSNAP.0400');
      const badTime = await admin(s, 'GET', '/admin/v1/audit?since=yesterday');
      assert.equal(badTime.status, 400);
      assert.match(badTime.body.error_msg, /ISO 8601/);
      assert.equal((await fetch(`${s.url}/admin/v1/audit`)).status, 401, 'the trail is for the admin');
    });

    test('no secret is ever stored: SK, tokens, webhook secrets, passwords, signatures', async () => {
      const cred = await admin(s, 'POST', `/admin/v1/projects/${s.projectId}/credentials`, { description: 'audit test' });
      const token = await admin(s, 'POST', `/admin/v1/projects/${s.projectId}/tokens`, { ttl_seconds: 600 });
      const hookSecret = 'whsec-the-receiver-shares-this-0001';
      await admin(s, 'POST', `/admin/v1/projects/${s.projectId}/webhooks`, { url: 'http://127.0.0.1:9/hook', secret: hookSecret });
      const generated = await admin(s, 'POST', `/admin/v1/projects/${s.projectId}/webhooks`, { url: 'http://127.0.0.1:9/other' });
      const password = 'pg-password-in-a-url-42';
      await admin(s, 'POST', `/admin/v1/projects/${s.projectId}/clusters`, { service: 'dws', name: 'wh', engine: { url: `postgres://u:${password}@127.0.0.1:5432/x` } });
      // a token call, and a signed call with the new credential
      await fetch(`${s.url}/v1.0/${s.projectId}/clusters/${clusterId}/logs/close`, { method: 'PUT', headers: { 'x-auth-token': token.body.token } });
      await op(sdkClient(s.url, { ak: cred.body.ak, sk: cred.body.sk, projectId: s.projectId }), { method: 'PUT', url: '/v1.0/{project_id}/clusters/{cluster_id}/logs/close', pathParams: { cluster_id: clusterId } }).catch(() => undefined);
      const rows = await s.rt.db.kysely.selectFrom('audit_log').selectAll().execute();
      const text = JSON.stringify(rows);
      for (const secret of [s.sk, cred.body.sk, token.body.token, hookSecret, generated.body.secret, password, 'test-admin-token-0123456789']) {
        assert.ok(secret && !text.includes(secret), `a secret is in the audit trail: ${secret?.slice(0, 6)}…`);
      }
      assert.ok(!/SDK-HMAC-SHA256|Signature=/.test(text), 'no Authorization header');
      const tokenRow = rows.find((r) => r.operation === 'StopLogs' && r.caller.startsWith('token:'));
      assert.match(tokenRow!.caller, /^token:[0-9a-f]{12}$/);
      // the answer's own id is the target of a creation (never anything else of the body)
      const created = rows.find((r) => r.operation === 'AdminCreateCluster' && r.status === 201);
      assert.match(created!.target_id!, /^[0-9a-f-]{36}$/);
    });

    // the CLI is the same client whatever the state engine: once, on SQLite (each run spawns a process)
    if (engine === 'sqlite') test('the CLI goes through the API: its calls are audited with the caller', async () => {
      const profile = join(s.dataDir, 'audit-profile.json');
      writeFileSync(profile, JSON.stringify({ endpoint: s.url, project_id: s.projectId, ak: s.ak, sk: s.sk }));
      const r = await cli(['webhook', 'add', '--url', 'http://127.0.0.1:9/cli', '--events', 'logsnap.css.*'], { LOGSNAP_CLIENT: profile });
      assert.equal(r.code, 0, r.stderr);
      const id = JSON.parse(r.stdout).webhook.id;
      const rows = await audit(s, '&operation=CreateWebhook');
      const row = rows.find((x) => x.target_id === id);
      assert.ok(row, 'the CLI call is in the trail, with the id it created');
      assert.equal(row.caller, `ak:${s.ak}`);
    });

    test('retention: the scheduler deletes rows older than audit.retentionDays', async () => {
      const count = async () => (await s.rt.db.kysely.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;
      assert.ok(Number(await count()) > 0);
      clock.advance(89 * 86_400_000);
      await s.rt.scheduler!.runOnce();
      assert.ok(Number(await count()) > 0, 'kept within 90 days');
      clock.advance(2 * 86_400_000);
      await s.rt.scheduler!.runOnce();
      assert.equal(Number(await count()), 0);
    });
  });
}
