import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { engines, startServer, type TestServer } from '../helpers/server.js';
import { opError } from '../helpers/sdk.js';
import { cssOps, OPEN, registerCluster, tmp, URLS, waitRecord } from './helpers.js';

type Case = { method: 'GET' | 'POST' | 'PUT'; url: string; data?: unknown; queryParams?: Record<string, unknown> };

for (const { engine, skip } of await engines()) {
  describe(`CSS 4xx answers on ${engine}`, { skip }, () => {
    let s: TestServer;
    let root: string;
    let id: string;
    before(async () => {
      s = await startServer({ engine });
      root = tmp();
      mkdirSync(join(root, 'n'), { recursive: true });
      id = await registerCluster(s, [{ name: 'n', logDir: join(root, 'n') }]);
    });
    after(async () => {
      await s?.close();
      rmSync(root, { recursive: true, force: true });
    });

    const expect = async (c: ReturnType<typeof cssOps>, o: Case, status: number, code: string, msg?: RegExp) => {
      const e = await c.err(o);
      assert.equal(e.httpStatusCode, status, `${o.method} ${o.url} ${JSON.stringify(o.queryParams ?? o.data ?? '')}: ${e.message}`);
      assert.equal(e.errorCode, code, `${o.method} ${o.url}`);
      if (msg) assert.match(e.errorMsg ?? '', msg);
      assert.match(e.requestId ?? '', /^[0-9a-f]{32}$/);
    };

    test('unknown cluster and another project\'s cluster: 403 CSS.0015 on every operation', async () => {
      const other = await s.rt.deps.projects.create({ name: `other-${engine}` });
      const foreign = await s.rt.deps.clusters.register({ projectId: other.id, service: 'css', name: 'theirs', engine: { nodes: [{ name: 'n', logDir: root }] } });
      for (const cid of ['00000000-0000-0000-0000-000000000000', foreign.id]) {
        const c = cssOps(s.client('/css'), cid);
        for (const o of [
          { method: 'POST', url: URLS.collect }, { method: 'GET', url: URLS.records }, { method: 'POST', url: URLS.open, data: OPEN },
          { method: 'PUT', url: URLS.close }, { method: 'GET', url: URLS.settings }, { method: 'POST', url: URLS.settings, data: OPEN },
          { method: 'POST', url: URLS.policyUpdate, data: { period: '00:00 GMT+08:00' } }, { method: 'PUT', url: URLS.policyClose },
          { method: 'GET', url: URLS.cluster },
        ] as Case[]) await expect(c, o, 403, 'CSS.0015');
      }
      // the raw body is in the CSS style
      const res = await fetch(`${s.url}/css/v1.0/${s.projectId}/clusters/nope/logs/records`, { headers: { 'x-auth-token': 'nope' } });
      assert.equal(res.status, 401);
    });

    test('operations invalid while log backup is off: 415 CSS.0004', async () => {
      const c = cssOps(s.client('/css'), id);
      for (const o of [
        { method: 'POST', url: URLS.collect }, { method: 'PUT', url: URLS.close }, { method: 'POST', url: URLS.settings, data: { agency: 'x' } },
        { method: 'POST', url: URLS.policyUpdate, data: { period: '00:00 GMT+08:00' } }, { method: 'PUT', url: URLS.policyClose },
      ] as Case[]) await expect(c, o, 415, 'CSS.0004');
    });

    test('StartLogs / UpdateLogSetting / policy input errors: 400', async () => {
      const c = cssOps(s.client('/css'), id);
      const open = (data: unknown, queryParams?: Record<string, unknown>): Case => ({ method: 'POST', url: URLS.open, data, queryParams });
      await expect(c, open({ ...OPEN, log_bucket: 'Bad_Bucket' }), 400, 'CSS.0001', /invalid bucket name/);
      await expect(c, open({ ...OPEN, log_bucket: 'ab' }), 400, 'CSS.0001', /log_bucket/);
      await expect(c, open({ ...OPEN, log_base_path: '/abs' }), 400, 'CSS.0001', /must not start with "\/"/);
      await expect(c, open({ ...OPEN, log_base_path: 'a*b' }), 400, 'CSS.0001', /log_base_path/);
      await expect(c, open({ ...OPEN, log_base_path: 'a///b' }), 400, 'CSS.0001');
      await expect(c, open({ ...OPEN, agency: 'bad agency' }), 400, 'CSS.5130');
      await expect(c, open({ agency: 'a' }), 400, 'CSS.0001', /log_bucket, log_base_path are required/);
      await expect(c, open({ ...OPEN, auto_enable: true }), 400, 'CSS.0001', /period is required/);
      await expect(c, open({ ...OPEN, auto_enable: true, period: '8 o\'clock' }), 400, 'CSS.0001', /HH:MM GMT/);
      await expect(c, open({ ...OPEN, auto_enable: 'yes' }), 400, 'CSS.0001');
      await expect(c, open(OPEN, { action: 'real_time_log_collect' }), 400, 'CSS.0001', /not implemented/);
      await expect(c, open(OPEN, { action: 'dance' }), 400, 'CSS.0001');
      await expect(c, { method: 'POST', url: URLS.open }, 400, 'CSS.0006', /needs a JSON request body/); // no body at all: "Request is null"
      // now enabled: policy and update input errors
      await c.open(OPEN);
      await expect(c, { method: 'POST', url: URLS.policyUpdate, data: { period: '24:00 GMT+08:00' } }, 400, 'CSS.0001', /HH:MM GMT/);
      await expect(c, { method: 'POST', url: URLS.policyUpdate, data: {} }, 400, 'CSS.0001');
      await expect(c, { method: 'POST', url: URLS.settings, data: { log_bucket: 'NO' } }, 400, 'CSS.0001');
      await expect(c, { method: 'PUT', url: URLS.policyClose }, 415, 'CSS.0004');
      // UpdateLogSetting keeps what is not sent; camelCase accepted
      await c.update({ logBasePath: 'other/path' });
      const st = (await c.settings()).logConfiguration;
      assert.deepEqual([st.obsBucket, st.basePath, st.agency], ['css-logs', 'other/path', 'css_obs_agency']);
      await c.policy('02:30 GMT+08:00');
      const st2 = (await c.settings()).logConfiguration;
      assert.deepEqual([st2.autoEnable, st2.period], [true, '02:30 GMT+08:00']);
      await c.policyClose();
      const st3 = (await c.settings()).logConfiguration;
      assert.deepEqual([st3.autoEnable, st3.period], [false, null]);
      await c.close();
    });

    test('ListLogsJob and ListClustersDetails query errors: 400 CSS.0001', async () => {
      const c = cssOps(s.client('/css'), id);
      for (const q of [{ offset: 0 }, { offset: 1001 }, { limit: 0 }, { limit: 1001 }, { limit: 'ten' }, { offset: '1.5' }, { status: 'RUNNING' }, { status: 'fail' }]) {
        await expect(c, { method: 'GET', url: URLS.records, queryParams: q }, 400, 'CSS.0001');
      }
      for (const q of [{ offset: 0 }, { limit: 1001 }, { start: -1 }, { datastoreType: 'mysql' }]) {
        const e = await opError(s.client('/css'), { method: 'GET', url: URLS.clusters, queryParams: q });
        assert.equal(e.httpStatusCode, 400, JSON.stringify(q));
        assert.equal(e.errorCode, 'CSS.0001');
      }
    });

    test('paging, newest first, status filter, totalSize before paging', async () => {
      const dir = join(root, 'paging');
      mkdirSync(dir, { recursive: true });
      const pid = await registerCluster(s, [{ name: 'p', logDir: dir }], 'paging');
      const c = cssOps(s.client('/css'), pid);
      await c.open(OPEN);
      const ids: string[] = [];
      for (let i = 0; i < 12; i++) {
        await c.collect();
        const r = (await c.records({ limit: 1 })).clusterLogRecord[0];
        await waitRecord(c, r.jobId);
        ids.push(r.jobId);
      }
      rmSync(dir, { recursive: true });
      for (let i = 0; i < 3; i++) {
        await c.collect();
        const r = (await c.records({ limit: 1 })).clusterLogRecord[0];
        assert.equal((await waitRecord(c, r.jobId)).status, 'FAIL');
        ids.push(r.jobId);
      }
      const newestFirst = [...ids].reverse();
      const page1 = await c.records();
      assert.equal(page1.totalSize, 15);
      assert.deepEqual(page1.clusterLogRecord.map((r: { jobId: string }) => r.jobId), newestFirst.slice(0, 10));
      const page2 = await c.records({ offset: 11, limit: 10 });
      assert.deepEqual(page2.clusterLogRecord.map((r: { jobId: string }) => r.jobId), newestFirst.slice(10));
      assert.equal(page2.totalSize, 15);
      const mid = await c.records({ offset: 3, limit: 2 });
      assert.deepEqual(mid.clusterLogRecord.map((r: { jobId: string }) => r.jobId), newestFirst.slice(2, 4));
      const fail = await c.records({ status: 'FAIL' });
      assert.equal(fail.totalSize, 3);
      assert.ok(fail.clusterLogRecord.every((r: { status: string; failedMsg: string }) => r.status === 'FAIL' && /no such file or directory/.test(r.failedMsg)));
      const notFail = await c.records({ status: 'NOT_FAIL', offset: 12 });
      assert.equal(notFail.totalSize, 12);
      assert.equal(notFail.clusterLogRecord.length, 1);
      assert.equal((await c.records({ status: '' })).totalSize, 15);
      assert.equal((await c.records({ offset: 1000 })).clusterLogRecord.length, 0);
    });

    test('ListClustersDetails: paging, start alias, datastoreType filter, newest first', async () => {
      const c = s.client('/css');
      const { op } = await import('../helpers/sdk.js');
      const all = await op(c, { method: 'GET', url: URLS.clusters, queryParams: { limit: 1000 } });
      assert.ok(all.totalSize >= 2);
      assert.equal(all.clusters.length, all.totalSize);
      const created = all.clusters.map((x: { created: string }) => x.created);
      assert.deepEqual(created, [...created].sort().reverse());
      const second = await op(c, { method: 'GET', url: URLS.clusters, queryParams: { start: 2, limit: 1 } });
      assert.equal(second.clusters[0].id, all.clusters[1].id);
      const viaOffset = await op(c, { method: 'GET', url: URLS.clusters, queryParams: { offset: 2, limit: 1 } });
      assert.equal(viaOffset.clusters[0].id, all.clusters[1].id);
      assert.equal((await op(c, { method: 'GET', url: URLS.clusters, queryParams: { datastoreType: 'elasticsearch' } })).totalSize, all.totalSize);
      assert.equal((await op(c, { method: 'GET', url: URLS.clusters, queryParams: { datastoreType: 'opensearch' } })).totalSize, 0);
      for (const x of all.clusters) {
        assert.equal(x.status, '200');
        assert.deepEqual(x.actions, []);
        assert.equal(typeof x.datastore.version, 'string');
      }
    });
  });
}
