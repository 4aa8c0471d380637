import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli } from '../helpers/cli.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { testService } from '../helpers/testService.js';

describe('logsnap CLI', () => {
  let s: TestServer;
  let env: Record<string, string>;
  before(async () => {
    s = await startServer({ services: [testService()] });
    const profile = join(s.dataDir, 'profile.json');
    writeFileSync(profile, JSON.stringify({ endpoint: s.url, project_id: s.projectId, ak: s.ak, sk: s.sk }));
    env = { LOGSNAP_CLIENT: profile };
  });
  after(async () => s?.close());

  test('call signs with the profile and prints the JSON answer', async () => {
    const r = await cli(['call', 'iam', 'KeystoneListProjects'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).projects[0].id, s.projectId);
  });

  test('--list shows operations from the served OpenAPI document', async () => {
    const r = await cli(['call', '--list'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /KeystoneListProjects\s+GET\s+\/v3\/projects/);
  });

  test('errors: unknown operation, missing path parameter, bad SK', async () => {
    assert.equal((await cli(['call', 'iam', 'Nope'], env)).code, 2);
    const missing = await cli(['call', 'jobs', 'ShowJob'], env);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /needs --job_id/);
    const badProfile = join(s.dataDir, 'bad.json');
    writeFileSync(badProfile, JSON.stringify({ endpoint: s.url, project_id: s.projectId, ak: s.ak, sk: 'wrong' }));
    const bad = await cli(['call', 'iam', 'KeystoneListProjects'], { LOGSNAP_CLIENT: badProfile });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /HTTP 401/);
    assert.match(bad.stderr, /APIGW.0301/);
  });

  test('ShowJob follows a job started elsewhere', async () => {
    const job = (await s.rt.queue.enqueue({ kind: 'test.echo', projectId: s.projectId, payload: { a: 1 } }))!;
    const r = await cli(['call', 'jobs', 'ShowJob', '--job_id', job.id], env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).id, job.id);
  });
});
