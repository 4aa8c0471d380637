/** Test mode off (the default): none of the test levers exist, and time is the system clock. */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { engines, startServer, type TestServer } from '../helpers/server.js';
import { op } from '../helpers/sdk.js';
import { adminRaw } from './helpers.js';

const ENDPOINTS: [string, string, unknown?][] = [
  ['GET', '/admin/v1/test/clock'],
  ['POST', '/admin/v1/test/clock', { advance_seconds: 90_000 }],
  ['GET', '/admin/v1/test/faults'],
  ['POST', '/admin/v1/test/faults', { service: 'css', operation: 'CreateLogBackup', effect: { type: 'error', status: 500 } }],
  ['DELETE', '/admin/v1/test/faults'],
  ['GET', '/admin/v1/test/faults/x'],
  ['DELETE', '/admin/v1/test/faults/x'],
  ['POST', '/admin/v1/test/faults/x/release'],
  ['POST', '/admin/v1/test/reset', {}],
  ['GET', '/admin/v1/test/state'],
  ['PUT', '/admin/v1/test/state', {}],
];

for (const { engine, skip } of await engines()) {
  describe(`test mode off (${engine})`, { skip }, () => {
    let s: TestServer;
    before(async () => {
      s = await startServer({ engine });
    });
    after(() => s?.close());

    test('every test endpoint answers 404 like any unknown path, even with the admin token', async () => {
      for (const [method, path, body] of ENDPOINTS) {
        const r = await adminRaw(s, method, path, body);
        assert.equal(r.status, 404, `${method} ${path}`);
        // the admin API's own "not found", as for any unknown /admin/ path (docs/errors.md)
        assert.equal(r.body.error_code, 'LOGSNAP.0404', `${method} ${path}`);
        assert.match(r.body.request_id, /^[0-9a-f]{32}$/);
      }
      const doc = (await (await fetch(`${s.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
      assert.deepEqual(Object.keys(doc.paths).filter((p) => p.includes('/test/')), [], 'not in the API document either');
    });

    test('the clock is the system clock and cannot be moved', async () => {
      assert.equal(s.rt.levers, undefined);
      const before = Date.now();
      await adminRaw(s, 'POST', '/admin/v1/test/clock', { advance_seconds: 366 * 86_400 });
      const now = s.rt.deps.clock.now();
      assert.ok(now >= before && now <= Date.now(), 'server time is wall time');
      // a token issued now with a minute to live is valid (it would not be after an advance)
      const { token } = (await adminRaw(s, 'POST', `/admin/v1/projects/${s.projectId}/tokens`, { ttl_seconds: 60 })).body;
      const res = await fetch(`${s.url}/v3/projects`, { headers: { 'x-auth-token': token } });
      assert.equal(res.status, 200);
      assert.equal((await op(s.client(), { method: 'GET', url: '/v3/projects' })).httpStatusCode, 200);
    });
  });
}
