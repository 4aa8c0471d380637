import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startServer, type TestServer } from '../helpers/server.js';
import { testService } from '../helpers/testService.js';
import { op, opError, sdkClient } from '../helpers/sdk.js';

const ECHO = { method: 'POST' as const, url: '/v1.0/{project_id}/test-echo', data: { word: 'hello' }, queryParams: { n: 3 } };

function rawRequest(url: string, host: string, path: string): Promise<{ status: number; body: any }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method: 'POST', headers: { host, 'content-type': 'application/json' } }, (res) => {
      let data = '';
      res.on('data', (d) => (data += d));
      res.on('end', () => resolve({ status: res.statusCode!, body: data ? JSON.parse(data) : null }));
    });
    req.on('error', reject);
    req.end('{"word":"x"}');
  });
}

describe('routing and validation of service routes', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer({ services: [testService()] });
  });
  after(async () => s?.close());

  test('bare path: the SDK body and query reach the handler', async () => {
    const r = await op(s.client(), ECHO);
    assert.deepEqual({ project: r.project, word: r.word, n: r.n }, { project: s.projectId, word: 'hello', n: 3 });
  });

  test('mount prefix /css: an SDK endpoint http://host:port/css works (signature over the prefixed path)', async () => {
    const r = await op(s.client('/css'), ECHO);
    assert.equal(r.word, 'hello');
  });

  test('validation errors are 400 in the service style (CSS), never 500', async () => {
    const bad = await opError(s.client(), { ...ECHO, queryParams: { n: 11 } });
    assert.equal(bad.httpStatusCode, 400);
    assert.equal(bad.errorCode, 'CSS.0001');
    const wrongType = await opError(s.client(), { ...ECHO, data: { word: 42 } });
    assert.equal(wrongType.httpStatusCode, 400);
    const tooLong = await opError(s.client(), { ...ECHO, data: { word: 'much-too-long' } });
    assert.equal(tooLong.httpStatusCode, 400);
    assert.equal(tooLong.errorCode, 'CSS.0001');
  });

  test('Host-based dispatch: a dws.* host does not reach a CSS route', async () => {
    const asCss = await rawRequest(s.url, 'css.localhost', `/v1.0/${s.projectId}/test-echo`);
    assert.equal(asCss.status, 401, 'reaches the CSS route (and then needs auth)');
    const asDws = await rawRequest(s.url, 'dws.localhost', `/v1.0/${s.projectId}/test-echo`);
    assert.equal(asDws.status, 404);
    assert.equal(asDws.body.error_code, 'APIGW.0101');
  });

  test('a service route answers errors in its style even for auth failures (gateway codes)', async () => {
    const e = await opError(sdkClient(s.url, { ak: s.ak, sk: 'x'.repeat(40), projectId: s.projectId }), ECHO);
    assert.equal(e.httpStatusCode, 401);
    assert.equal(e.errorCode, 'APIGW.0301');
  });
});
