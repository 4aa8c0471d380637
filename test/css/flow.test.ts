import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, symlinkSync, mkdirSync, rmSync, writeFileSync, utimesSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { engines, eventually, startServer, type TestServer } from '../helpers/server.js';
import { op } from '../helpers/sdk.js';
import { signRequest } from '../../src/http/auth/signature.js';
import { writeGzLogFile, writeLogFile } from '../../src/services/css/sampleLogs.js';
import { cssOps, listKeys, objectContentSha, OPEN, readManifest, registerCluster, tmp, URLS, waitRecord } from './helpers.js';

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

for (const { engine, skip } of await engines()) {
  describe(`CSS log backup on ${engine}`, { skip }, () => {
    let s: TestServer;
    let root: string;
    before(async () => {
      s = await startServer({ engine });
      root = tmp();
    });
    after(async () => {
      await s?.close();
      rmSync(root, { recursive: true, force: true });
    });

    test('full flow: enable, back up, list, settings, incremental, disable', async () => {
      const n1 = join(root, 'flow', 'es-1');
      const n2 = join(root, 'flow', 'es-2');
      await writeLogFile(join(n1, 'es.log'), 300_000, { node: 'es-1' });
      await writeLogFile(join(n1, 'es.log.1'), 200_000, { node: 'es-1', seed: 2 });
      await writeGzLogFile(join(n1, 'es-2024-05-09-1.log.gz'), 100_000);
      writeFileSync(join(n1, 'README.txt'), 'not a log');
      await writeLogFile(join(n2, 'gc.log'), 50_000, { node: 'es-2', seed: 3 });
      await writeLogFile(join(n2, 'sub', 'slow.log.2'), 10_000, { node: 'es-2', seed: 4 });
      const id = await registerCluster(s, [{ name: 'es-1', logDir: n1, ip: '10.0.0.1' }, { name: 'es-2', logDir: n2 }]);
      const css = cssOps(s.client('/css'), id);

      const before = await css.settings();
      assert.equal(before.logConfiguration, null);
      assert.equal(before.realTimeLogCollectRecord, null);

      assert.equal((await css.open(OPEN)).httpStatusCode, 200);
      const st = await css.settings();
      assert.equal(st.logConfiguration.obsBucket, 'css-logs');
      assert.equal(st.logConfiguration.basePath, 'css/log');
      assert.equal(st.logConfiguration.agency, 'css_obs_agency');
      assert.equal(st.logConfiguration.logSwitch, true);
      assert.equal(st.logConfiguration.autoEnable, false);
      assert.equal(st.logConfiguration.period, null);
      assert.equal(st.logConfiguration.clusterId, id);
      assert.equal(typeof st.logConfiguration.updateAt, 'number');

      // raw HTTP to see the header and the exact body
      const res = await css.collect();
      assert.equal(res.httpStatusCode, 200);
      const list = await css.records();
      assert.equal(list.totalSize, 1);
      const rec = list.clusterLogRecord[0];
      assert.match(rec.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      assert.match(rec.jobId, /^[0-9a-f]{32}$/);
      assert.equal(rec.clusterId, id);
      assert.equal(typeof rec.createAt, 'number');
      assert.equal(rec.logPath, 'css-logs/css/log');
      assert.equal(rec.jobTypes, 'Manual');
      assert.ok(['RUNNING', 'SUCCESS'].includes(rec.status));
      if (rec.status === 'RUNNING') {
        assert.equal(rec.finishedAt, null);
        assert.equal(rec.failedMsg, null);
      }
      const done = await waitRecord(css, rec.jobId);
      assert.equal(done.status, 'SUCCESS', done.failedMsg);
      assert.equal(typeof done.finishedAt, 'number');
      assert.equal(done.failedMsg, null);

      const m = await readManifest(s, 'css-logs', id, rec.jobId);
      const paths = m.files.map((f: { path: string }) => f.path).sort();
      assert.deepEqual(paths, [join(n1, 'es-2024-05-09-1.log.gz'), join(n1, 'es.log'), join(n1, 'es.log.1'), join(n2, 'gc.log'), join(n2, 'sub', 'slow.log.2')].sort());
      for (const f of m.files) {
        assert.equal(f.sha256, sha(f.path), f.path);
        const got = await objectContentSha(s, f);
        assert.equal(got.sha256, f.sha256, `object of ${f.path}`);
        assert.equal(got.size, f.size);
        assert.equal(f.reused, false);
      }
      const gz = m.files.find((f: { path: string }) => f.path.endsWith('.log.gz'));
      assert.equal(gz.encoding, 'identity');
      assert.ok(gz.key.endsWith('/nodes/es-1/es-2024-05-09-1.log.gz'));
      assert.ok(m.files.find((f: { rel: string }) => f.rel === 'es.log').key.endsWith('/nodes/es-1/es.log.gz'));

      // the job header and the job API
      const raw = await fetch(`${s.url}/logsnap/v1/${s.projectId}/jobs/${rec.jobId}`, { headers: {} });
      assert.equal(raw.status, 401); // signed only
      const job = await op(s.client(), { method: 'GET', url: '/logsnap/v1/{project_id}/jobs/{job_id}', pathParams: { job_id: rec.jobId } });
      assert.equal(job.state, 'SUCCEEDED');
      assert.equal(job.kind, 'css.log-backup');

      // incremental: es.log grows, es.log.1 and the rest unchanged
      appendFileSync(join(n1, 'es.log'), '[2024-05-11T00:00:00,000][INFO ][o.e.n.Node] [es-1] started\n');
      const second = await (async () => {
        await css.collect();
        const r = (await css.records({ limit: 1 })).clusterLogRecord[0];
        return waitRecord(css, r.jobId);
      })();
      assert.equal(second.status, 'SUCCESS', second.failedMsg);
      const m2 = await readManifest(s, 'css-logs', id, second.jobId);
      const byRel = new Map(m2.files.map((f: { rel: string }) => [f.rel, f]));
      const grown = byRel.get('es.log') as { reused: boolean; key: string; sha256: string; path: string };
      assert.equal(grown.reused, false);
      assert.ok(grown.key.includes(second.jobId));
      assert.equal(grown.sha256, sha(grown.path));
      for (const rel of ['es.log.1', 'es-2024-05-09-1.log.gz', 'gc.log', 'sub/slow.log.2']) {
        const e = byRel.get(rel) as { reused: boolean; key: string; bucket: string; encoding: string; sha256: string };
        assert.equal(e.reused, true, rel);
        assert.ok(e.key.includes(rec.jobId), `${rel} points at the first backup's object`);
        assert.equal((await objectContentSha(s, e)).sha256, e.sha256);
      }
      assert.equal(m2.totals.reusedFiles, 4);
      assert.equal(m2.totals.uploadedFiles, 1);
      const secondKeys = await listKeys(s, 'css-logs', `css/log/${id}/${second.jobId}/`);
      assert.equal(secondKeys.length, 2, 'only the changed file and the manifest were written');

      // same size and mtime but different content: hashed, found different, uploaded again
      const p1 = join(n1, 'es.log.1');
      const buf = readFileSync(p1);
      buf[10] = buf[10] === 0x41 ? 0x42 : 0x41;
      const stMtime = new Date(m2.files.find((f: { rel: string }) => f.rel === 'es.log.1').mtime);
      writeFileSync(p1, buf);
      utimesSync(p1, stMtime, stMtime);
      await css.collect();
      const third = await waitRecord(css, (await css.records({ limit: 1 })).clusterLogRecord[0].jobId);
      const m3 = await readManifest(s, 'css-logs', id, third.jobId);
      const e3 = m3.files.find((f: { rel: string }) => f.rel === 'es.log.1');
      assert.equal(e3.reused, false);
      assert.equal(e3.sha256, sha(p1));

      // cluster views
      const detail = await css.detail();
      assert.equal(detail.id, id);
      assert.equal(detail.status, '200');
      assert.match(detail.created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
      assert.equal(detail.datastore.type, 'elasticsearch');
      assert.equal(detail.instances.length, 2);
      assert.equal(detail.endpoint, '10.0.0.1:9200');

      // disable: no more backups
      assert.equal((await css.close()).httpStatusCode, 200);
      assert.equal((await css.settings()).logConfiguration.logSwitch, false);
      const off = await css.err({ method: 'POST', url: URLS.collect });
      assert.equal(off.httpStatusCode, 415);
      assert.match(String(off.errorMsg ?? ''), /415|CSS\.0004|not enabled/);
    });

    test('an empty log folder backs up to a manifest with no files', async () => {
      const dir = join(root, 'empty', 'n');
      mkdirSync(dir, { recursive: true });
      const id = await registerCluster(s, [{ name: 'n', logDir: dir }]);
      const css = cssOps(s.client('/css'), id);
      await css.open({ agency: 'a', logBucket: 'empty-bkt', logBasePath: 'logs' });
      await css.collect();
      const rec = await waitRecord(css, (await css.records()).clusterLogRecord[0].jobId);
      assert.equal(rec.status, 'SUCCESS', rec.failedMsg);
      assert.equal(rec.logPath, 'empty-bkt/logs');
      const m = await readManifest(s, 'empty-bkt', id, rec.jobId, 'logs');
      assert.deepEqual(m.files, []);
      assert.equal(m.totals.files, 0);
      // the raw answer: 200, body {}, X-Logsnap-Job-Id = the record's jobId (signed like the CLI does)
      const u = new URL(`${s.url}/css/v1.0/${s.projectId}/clusters/${id}/logs/collect`);
      const headers = signRequest({
        method: 'POST', url: u.pathname, headers: { 'Content-Type': 'application/json', Host: u.host, 'X-Project-Id': s.projectId },
        body: '', accessKey: s.ak, secretKey: s.sk, now: Date.now(),
      });
      delete headers.Host;
      const res = await fetch(u, { method: 'POST', headers });
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), {});
      const jobId = res.headers.get('x-logsnap-job-id');
      assert.match(jobId ?? '', /^[0-9a-f]{32}$/);
      assert.equal((await css.records({ limit: 1 })).clusterLogRecord[0].jobId, jobId);
      assert.equal((await waitRecord(css, jobId!)).status, 'SUCCESS');
    });

    test('hundreds of small files', async () => {
      const dir = join(root, 'many', 'n');
      mkdirSync(dir, { recursive: true });
      for (let i = 0; i < 300; i++) writeFileSync(join(dir, `app-${i}.log${i % 3 === 0 ? `.${i}` : ''}`), `[2024-05-10T00:00:00,000][INFO ][x] line ${i}\n`.repeat(1 + (i % 7)));
      writeFileSync(join(dir, 'empty.log'), '');
      const id = await registerCluster(s, [{ name: 'n', logDir: dir }]);
      const css = cssOps(s.client('/css'), id);
      await css.open(OPEN);
      await css.collect();
      const rec = await waitRecord(css, (await css.records()).clusterLogRecord[0].jobId);
      assert.equal(rec.status, 'SUCCESS', rec.failedMsg);
      const m = await readManifest(s, 'css-logs', id, rec.jobId);
      assert.equal(m.files.length, 301);
      const empty = m.files.find((f: { rel: string }) => f.rel === 'empty.log');
      assert.equal(empty.size, 0);
      assert.equal((await objectContentSha(s, empty)).size, 0);
      for (const f of m.files.slice(0, 20)) assert.equal((await objectContentSha(s, f)).sha256, sha(f.path));
      assert.equal((await listKeys(s, 'css-logs', `css/log/${id}/${rec.jobId}/`)).length, 302);
    });

    test('an unreadable log file fails the backup with an actionable message and leaves no object', async () => {
      // Tests run as root, which ignores file permissions (chmod 000 would still be readable), so the
      // unreadable file is a log whose target is gone: a dangling symlink named x.log (open() fails
      // with ENOENT for root too). Files are copied largest first, so the two healthy files are already
      // in the store when x.log fails: the job's onFail must have them deleted.
      const n1 = join(root, 'bad', 'es-1');
      const n2 = join(root, 'bad', 'es-2');
      await writeLogFile(join(n1, 'es.log'), 2_000_000, { node: 'es-1' });
      await writeLogFile(join(n2, 'es.log'), 2_000_000, { node: 'es-2' });
      for (let i = 1; i <= 6; i++) await writeLogFile(join(n1, `es.log.${i}`), 300_000, { node: 'es-1', seed: i });
      symlinkSync(join(n2, 'gone', 'x.log'), join(n2, 'x.log'));
      const id = await registerCluster(s, [{ name: 'es-1', logDir: n1 }, { name: 'es-2', logDir: n2 }]);
      const css = cssOps(s.client('/css'), id);
      await css.open(OPEN);
      await css.collect();
      const rec = await waitRecord(css, (await css.records()).clusterLogRecord[0].jobId);
      assert.equal(rec.status, 'FAIL');
      assert.equal(rec.failedMsg, `node es-2: ${join(n2, 'x.log')}: broken symbolic link (its target does not exist)`);
      assert.equal(typeof rec.finishedAt, 'number');
      // deleted by the outbox right after the failure commits
      await eventually(async () => (await listKeys(s, 'css-logs', `css/log/${id}/${rec.jobId}/`)).length === 0, 10_000, 'the failed backup\'s objects to be deleted');
      assert.equal((await css.records({ status: 'FAIL' })).totalSize, 1);
      assert.equal((await css.records({ status: 'NOT_FAIL' })).totalSize, 0);
      // a missing node folder is reported the same way
      const id2 = await registerCluster(s, [{ name: 'es-9', logDir: join(root, 'bad', 'nowhere') }]);
      const css2 = cssOps(s.client('/css'), id2);
      await css2.open(OPEN);
      await css2.collect();
      const rec2 = await waitRecord(css2, (await css2.records()).clusterLogRecord[0].jobId);
      assert.equal(rec2.failedMsg, `node es-9: ${join(root, 'bad', 'nowhere')}: no such file or directory (the log folder registered for this node)`);
    });
  });
}
