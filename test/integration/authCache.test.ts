/**
 * The per-process credential cache (security.authCacheMs): a change made through one process is
 * seen by another within the bound, whatever path made it (admin API, SQL). Deterministic half:
 * two runtimes on one database with a shared test clock. Real half: a second OS process.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { engines, eventually, FakeClock, startServer, type TestServer } from '../helpers/server.js';
import { op, opError, sdkClient } from '../helpers/sdk.js';

const LIST = { method: 'GET' as const, url: '/v1.0/{project_id}/clusters' };
/** long enough that no real time passes it during a test: only the test clock moves past it */
const LONG_BOUND_MS = 60_000;
const BOUND_MS = 400;

async function admin(url: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const r = await fetch(url + path, {
    method,
    headers: { authorization: 'Bearer test-admin-token-0123456789', ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: r.status, body: r.status === 204 ? null : await r.json() };
}

/** Two servers ("processes" A and B) on one database, sharing a test clock. */
async function twoServers(engine: 'sqlite' | 'postgres', fn: (a: TestServer, b: TestServer, clock: FakeClock) => Promise<void>): Promise<void> {
  const clock = new FakeClock();
  const cfg = { security: { authCacheMs: LONG_BOUND_MS } };
  const a = await startServer({ engine, clock, config: cfg });
  const b = await startServer({ engine, clock, config: cfg, dataDir: a.dataDir, databaseUrl: a.databaseUrl });
  try {
    await fn(a, b, clock);
  } finally {
    await b.close({ keep: true });
    await a.close();
  }
}

for (const { engine, skip } of await engines()) {
  describe(`auth cache on ${engine}`, { skip }, () => {
    test('a key deleted through process A is served from the cache of B within the bound and refused by B once the bound has passed (test clock)', async () => {
      await twoServers(engine, async (a, b, clock) => {
        const { status, body: cred } = await admin(a.url, 'POST', `/admin/v1/projects/${a.projectId}/credentials`, {});
        assert.equal(status, 201);
        const viaA = sdkClient(a.url, { ak: cred.ak, sk: cred.sk, projectId: a.projectId });
        const viaB = sdkClient(b.url, { ak: cred.ak, sk: cred.sk, projectId: a.projectId });
        assert.equal((await op(viaB, LIST)).httpStatusCode, 200, 'B knows the new key');
        assert.equal((await op(viaA, LIST)).httpStatusCode, 200, 'A has it cached too');

        assert.equal((await admin(a.url, 'DELETE', `/admin/v1/projects/${a.projectId}/credentials/${cred.ak}`)).status, 204);
        assert.equal((await opError(viaA, LIST)).httpStatusCode, 401, 'A, which deleted it, refuses it at once (local invalidation)');

        // B checked the version moments ago; inside the bound it answers from its cache (this is the
        // documented window: at most authCacheMs) …
        assert.equal((await op(viaB, LIST)).httpStatusCode, 200, 'within the bound, B still has the key cached');
        // … and once the bound has passed, its next request reads the moved version and refuses.
        clock.advance(LONG_BOUND_MS);
        const e = await opError(viaB, LIST);
        assert.equal(e.httpStatusCode, 401);
        assert.equal(e.errorCode, 'APIGW.0301');
      });
    });

    test('changes made with plain SQL (no logsnap code) reach the cache too: triggers move the version', async () => {
      const clock = new FakeClock();
      const s = await startServer({ engine, clock, config: { security: { authCacheMs: LONG_BOUND_MS } } });
      try {
        assert.equal((await op(s.client(), LIST)).httpStatusCode, 200);
        await s.rt.db.kysely.deleteFrom('credentials').where('ak', '=', s.ak).execute();
        clock.advance(LONG_BOUND_MS);
        assert.equal((await opError(s.client(), LIST)).httpStatusCode, 401);
        // an unknown key is cached as unknown too; a key added later is served once the version is read again
        const c2 = sdkClient(s.url, { ak: 'HPUAPERFTESTAK000001', sk: 'a-secret-of-forty-characters-0123456789', projectId: s.projectId });
        assert.equal((await opError(c2, LIST)).httpStatusCode, 401);
        await s.rt.deps.projects.addCredential(s.projectId, { ak: 'HPUAPERFTESTAK000001', sk: 'a-secret-of-forty-characters-0123456789' });
        assert.equal((await op(c2, LIST)).httpStatusCode, 200, 'added through this process: local invalidation');
      } finally {
        await s.close();
      }
    });

    test('tokens: a deleted X-Auth-Token is refused by the other process after the bound; expiry is checked on every request', async () => {
      await twoServers(engine, async (a, b, clock) => {
        const { token } = await a.rt.deps.projects.issueToken(a.projectId, { ttlSeconds: 3600 });
        const get = (url: string) => fetch(`${url}/v1.0/${a.projectId}/clusters`, { headers: { 'x-auth-token': token } }).then((r) => r.status);
        assert.equal(await get(b.url), 200);
        clock.advance(3600 * 1000);
        assert.equal(await get(b.url), 401, 'expired: the cached entry carries its expiry');
        const { token: t2 } = await a.rt.deps.projects.issueToken(a.projectId, {});
        const get2 = (url: string) => fetch(`${url}/v1.0/${a.projectId}/clusters`, { headers: { 'x-auth-token': t2 } }).then((r) => r.status);
        assert.equal(await get2(b.url), 200);
        await a.rt.db.kysely.deleteFrom('tokens').execute();
        assert.equal(await get2(b.url), 200, 'within the bound: cached');
        clock.advance(LONG_BOUND_MS);
        assert.equal(await get2(b.url), 401);
      });
    });

    test('across two OS processes: a key revoked here is refused by a separate logsnap process', async () => {
      const a = await startServer({ engine, config: { security: { authCacheMs: BOUND_MS } } });
      const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../helpers/serve-child.ts', import.meta.url))], {
        env: {
          ...process.env, LOGSNAP_DATA_DIR: a.dataDir, DATABASE_URL: a.databaseUrl, LOGSNAP_PORT: '0', LOGSNAP_LOG_LEVEL: 'silent',
          LOGSNAP_ADMIN_TOKEN: 'test-admin-token-0123456789', LOGSNAP_AUTH_CACHE_MS: String(BOUND_MS), LOGSNAP_ROLE: 'api', LOGSNAP_DEMO: 'false',
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      try {
        let out = '';
        child.stdout!.on('data', (d) => (out += d));
        const url = await eventually(async () => /LISTENING (\S+)/.exec(out)?.[1], 30_000, 'the child server');
        const { body: cred } = await admin(a.url, 'POST', `/admin/v1/projects/${a.projectId}/credentials`, {});
        const viaChild = sdkClient(url, { ak: cred.ak, sk: cred.sk, projectId: a.projectId });
        assert.equal((await op(viaChild, LIST)).httpStatusCode, 200);
        assert.equal((await admin(a.url, 'DELETE', `/admin/v1/projects/${a.projectId}/credentials/${cred.ak}`)).status, 204);
        // the bound itself is proven above with the test clock; here: the other process does get there
        const refused = await eventually(async () => (await opError(viaChild, LIST)).httpStatusCode === 401, 10_000, 'the child to refuse the key');
        assert.ok(refused);
      } finally {
        child.kill('SIGTERM');
        await once(child, 'exit');
        await a.close();
      }
    });
  });
}
