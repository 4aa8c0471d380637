import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { engines, startServer, FakeClock, type TestServer } from '../helpers/server.js';
import { op, opError, sdkClient } from '../helpers/sdk.js';

const IAM = { method: 'GET' as const, url: '/v3/projects', queryParams: { name: 'cn-north-4' } };

for (const { engine, skip } of await engines()) {
  describe(`platform on ${engine}`, { skip }, () => {
    let s: TestServer;
    const logLines: string[] = [];
    before(async () => {
      s = await startServer({ engine, logLines });
    });
    after(async () => s?.close());

    test('the official SDK signer is accepted (IAM project lookup)', async () => {
      const r = await op(s.client(), IAM);
      assert.equal(r.httpStatusCode, 200);
      assert.equal(r.projects.length, 1);
      assert.equal(r.projects[0].id, s.projectId);
    });

    test('temporary credentials (X-Security-Token, signed) are accepted', async () => {
      const c = sdkClient(s.url, { ak: s.ak, sk: s.sk, projectId: s.projectId, securityToken: 'temporary-token' });
      assert.equal((await op(c, IAM)).httpStatusCode, 200);
    });

    test('a wrong SK is refused with 401 APIGW.0301 and the SDK sees the code', async () => {
      const e = await opError(sdkClient(s.url, { ak: s.ak, sk: 'wrong-secret-key-wrong-secret-key-00000', projectId: s.projectId }), IAM);
      assert.equal(e.httpStatusCode, 401);
      assert.equal(e.errorCode, 'APIGW.0301');
      assert.match(e.errorMsg!, /verify aksk signature fail/);
      assert.match(e.requestId!, /^[0-9a-f]{32}$/);
    });

    test('an unknown AK is refused with 401', async () => {
      const e = await opError(sdkClient(s.url, { ak: 'UNKNOWNAK00000000000', sk: s.sk, projectId: s.projectId }), IAM);
      assert.equal(e.httpStatusCode, 401);
      assert.match(e.errorMsg!, /ak UNKNOWNAK00000000000 not exist/);
    });

    test("a credential of project A used on project B's path is refused with 403", async () => {
      const other = await s.rt.deps.projects.create({ name: `other-${engine}` });
      const e = await opError(s.client(), { method: 'GET', url: '/logsnap/v1/{project_id}/jobs/{job_id}', pathParams: { project_id: other.id, job_id: 'x' } });
      assert.equal(e.httpStatusCode, 403);
      assert.equal(e.errorCode, 'APIGW.0302');
    });

    test('an X-Project-Id that disagrees with the path is refused with 403', async () => {
      const other = await s.rt.deps.projects.create({ name: `other2-${engine}` });
      const { ak, sk } = await s.rt.deps.projects.addCredential(other.id);
      // signed correctly for project `other`, but the path names the first project
      const c = sdkClient(s.url, { ak, sk, projectId: other.id });
      const e = await opError(c, { method: 'GET', url: `/logsnap/v1/${s.projectId}/jobs/x` });
      assert.equal(e.httpStatusCode, 403);
    });

    test('a missing job of the own project is a 404', async () => {
      const e = await opError(s.client(), { method: 'GET', url: '/logsnap/v1/{project_id}/jobs/{job_id}', pathParams: { project_id: s.projectId, job_id: 'nope' } });
      assert.equal(e.httpStatusCode, 404);
    });

    test('unknown route: 404 APIGW.0101 with a 32-hex X-Request-Id', async () => {
      const res = await fetch(`${s.url}/v9/nothing/here`);
      assert.equal(res.status, 404);
      assert.match(res.headers.get('x-request-id')!, /^[0-9a-f]{32}$/);
      const body = (await res.json()) as any;
      assert.equal(body.error_code, 'APIGW.0101');
      assert.equal(body.request_id, res.headers.get('x-request-id'));
    });

    test('no credentials at all: 401', async () => {
      const res = await fetch(`${s.url}/v3/projects`);
      assert.equal(res.status, 401);
      assert.equal(((await res.json()) as any).error_code, 'APIGW.0301');
    });

    test('health, readiness, metrics and the OpenAPI document', async () => {
      assert.deepEqual((await (await fetch(`${s.url}/healthz`)).json()) as any, { status: 'ok' });
      assert.deepEqual((await (await fetch(`${s.url}/readyz`)).json()) as any, { status: 'ready' });
      const metrics = await (await fetch(`${s.url}/metrics`)).text();
      assert.match(metrics, /logsnap_http_request_duration_seconds_bucket\{.*route="\/v3\/projects"/);
      assert.match(metrics, /logsnap_storage_bytes /);
      assert.match(metrics, /# TYPE logsnap_jobs gauge/);
      const doc = (await (await fetch(`${s.url}/openapi.json`)).json()) as any;
      assert.equal(doc.openapi, '3.0.3');
      assert.ok(doc.paths['/v3/projects'].get.operationId === 'KeystoneListProjects');
      assert.ok(doc.paths['/admin/v1/projects'].post);
      assert.equal((await fetch(`${s.url}/docs`, { redirect: 'manual' })).status < 400, true);
    });

    test('admin API: projects, credentials, tokens; X-Auth-Token works with plain HTTP', async () => {
      const admin = { authorization: `Bearer ${s.adminToken}`, 'content-type': 'application/json' };
      const bad = await fetch(`${s.url}/admin/v1/projects`, { headers: { authorization: 'Bearer nope-nope-nope-nope' } });
      assert.equal(bad.status, 401);
      const created = await fetch(`${s.url}/admin/v1/projects`, { method: 'POST', headers: admin, body: JSON.stringify({ name: `team-${engine}` }) });
      assert.equal(created.status, 201);
      const { project, credential } = (await created.json()) as any;
      assert.match(project.id, /^[0-9a-f]{32}$/);
      assert.match(credential.ak, /^[A-Z0-9]{20}$/);
      assert.equal(credential.sk.length, 40);
      // the new AK/SK signs requests for the new project
      const r = await op(sdkClient(s.url, { ak: credential.ak, sk: credential.sk, projectId: project.id }), IAM);
      assert.equal(r.projects[0].id, project.id);
      const dup = await fetch(`${s.url}/admin/v1/projects`, { method: 'POST', headers: admin, body: JSON.stringify({ name: `team-${engine}` }) });
      assert.equal(dup.status, 409);
      const list = (await (await fetch(`${s.url}/admin/v1/projects/${project.id}/credentials`, { headers: admin })).json()) as any;
      assert.equal(list.credentials.length, 1);
      assert.equal(JSON.stringify(list).includes(credential.sk), false);
      const tok = (await (await fetch(`${s.url}/admin/v1/projects/${project.id}/tokens`, { method: 'POST', headers: admin, body: '{}' })).json()) as any;
      const viaToken = await fetch(`${s.url}/v3/projects`, { headers: { 'x-auth-token': tok.token } });
      assert.equal(viaToken.status, 200);
      assert.equal(((await viaToken.json()) as any).projects[0].id, project.id);
      const badToken = await fetch(`${s.url}/v3/projects`, { headers: { 'x-auth-token': 'lst_forged' } });
      assert.equal(badToken.status, 401);
      const del = await fetch(`${s.url}/admin/v1/projects/${project.id}/credentials/${credential.ak}`, { method: 'DELETE', headers: admin });
      assert.equal(del.status, 204);
      const e = await opError(sdkClient(s.url, { ak: credential.ak, sk: credential.sk, projectId: project.id }), IAM);
      assert.equal(e.httpStatusCode, 401);
    });

    test('admin API: clusters are validated, listed with secrets masked, deleted', async () => {
      const admin = { authorization: `Bearer ${s.adminToken}`, 'content-type': 'application/json' };
      const base = `${s.url}/admin/v1/projects/${s.projectId}/clusters`;
      const invalid = await fetch(base, { method: 'POST', headers: admin, body: JSON.stringify({ service: 'dws', name: 'x', engine: { url: 'mysql://x' } }) });
      assert.equal(invalid.status, 400);
      assert.match(((await invalid.json()) as any).error_msg, /engine\.url/);
      const badService = await fetch(base, { method: 'POST', headers: admin, body: JSON.stringify({ service: 'rds', name: 'x', engine: {} }) });
      assert.equal(badService.status, 400);
      const ok = await fetch(base, { method: 'POST', headers: admin, body: JSON.stringify({ service: 'dws', name: 'wh', engine: { url: 'postgres://u:topsecret@127.0.0.1:5432/db' } }) });
      assert.equal(ok.status, 201);
      const c = (await ok.json()) as any;
      assert.equal(JSON.stringify(c).includes('topsecret'), false);
      const listed = (await (await fetch(`${base}?service=dws`, { headers: admin })).json()) as any;
      assert.equal(listed.clusters.length, 1);
      assert.equal(JSON.stringify(listed).includes('topsecret'), false);
      assert.equal((await fetch(`${base}/${c.id}`, { method: 'DELETE', headers: admin })).status, 204);
      assert.equal((await fetch(`${base}/${c.id}`, { method: 'DELETE', headers: admin })).status, 404);
    });

    test('admin API: a signed link downloads a stored object; a tampered link is refused', async () => {
      const admin = { authorization: `Bearer ${s.adminToken}`, 'content-type': 'application/json' };
      const { Readable } = await import('node:stream');
      await s.rt.store.put('admin-links', 'a/b/hello.txt', Readable.from([Buffer.from('hello, logsnap')]));
      const res = await fetch(`${s.url}/admin/v1/objects/link`, { method: 'POST', headers: admin, body: JSON.stringify({ bucket: 'admin-links', key: 'a/b/hello.txt' }) });
      assert.equal(res.status, 200);
      const body = (await res.json()) as any;
      assert.equal(body.size, 14);
      assert.equal(await (await fetch(body.link)).text(), 'hello, logsnap');
      const tampered = await fetch(body.link.replace('hello.txt', 'hellO.txt'));
      assert.equal(tampered.status, 403);
      const missing = await fetch(`${s.url}/admin/v1/objects/link`, { method: 'POST', headers: admin, body: JSON.stringify({ bucket: 'admin-links', key: 'nope' }) });
      assert.equal(missing.status, 404);
      const escape = await fetch(`${s.url}/admin/v1/objects/link`, { method: 'POST', headers: admin, body: JSON.stringify({ bucket: 'admin-links', key: '../../etc/passwd' }) });
      assert.equal(escape.status, 400);
    });

    test('bad JSON, wrong types and oversized bodies are 4xx, never 5xx', async () => {
      const admin = { authorization: `Bearer ${s.adminToken}`, 'content-type': 'application/json' };
      const badJson = await fetch(`${s.url}/admin/v1/projects`, { method: 'POST', headers: admin, body: '{"name":' });
      assert.equal(badJson.status, 400);
      const wrongType = await fetch(`${s.url}/admin/v1/projects`, { method: 'POST', headers: admin, body: '{"name":{"a":1}}' });
      assert.equal(wrongType.status, 400);
      const badQuery = await fetch(`${s.url}/admin/v1/jobs?limit=0`, { headers: admin });
      assert.equal(badQuery.status, 400);
      const badEnum = await fetch(`${s.url}/admin/v1/jobs?state=DANCING`, { headers: admin });
      assert.equal(badEnum.status, 400);
      const huge = await fetch(`${s.url}/admin/v1/projects`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'x'.repeat(2_000_000) }) });
      assert.equal(huge.status, 413);
    });

    test('secrets never reach the logs', async () => {
      await opError(sdkClient(s.url, { ak: s.ak, sk: 'another-wrong-secret-key-0000000000000', projectId: s.projectId }), IAM);
      await op(s.client(), IAM);
      const all = logLines.join('\n');
      assert.ok(all.length > 0, 'the server logged something');
      assert.equal(all.includes(s.sk), false, 'SK in logs');
      assert.equal(all.includes(s.adminToken), false, 'admin token in logs');
      assert.equal(all.includes('another-wrong-secret'), false);
      assert.match(all, /"request_id":"[0-9a-f]{32}"/);
    });
  });

  describe(`restarts and clocks on ${engine}`, { skip }, () => {
    test('credentials survive a restart', async () => {
      const first = await startServer({ engine });
      await first.close({ keep: true });
      const second = await startServer({ engine, dataDir: first.dataDir, databaseUrl: first.databaseUrl });
      try {
        const r = await op(sdkClient(second.url, { ak: first.ak, sk: first.sk, projectId: first.projectId }), IAM);
        assert.equal(r.httpStatusCode, 200);
      } finally {
        await second.close();
      }
    });

    test('X-Sdk-Date more than 15 minutes off is refused', async () => {
      const clock = new FakeClock(Date.now() + 16 * 60_000);
      const s = await startServer({ engine, clock });
      try {
        const e = await opError(s.client(), IAM);
        assert.equal(e.httpStatusCode, 401);
        assert.match(e.errorMsg!, /15 minutes/);
        clock.t = Date.now() + 14 * 60_000;
        assert.equal((await op(s.client(), IAM)).httpStatusCode, 200);
      } finally {
        await s.close();
      }
    });
  });
}
