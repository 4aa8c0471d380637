import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engines, eventually, startServer } from '../helpers/server.js';
import { writeLogFile } from '../../src/services/css/sampleLogs.js';
import { FsObjectStore } from '../../src/storage/fsStore.js';
import type { ObjectStore } from '../../src/storage/objectStore.js';
import { cssOps, OPEN, registerCluster } from '../css/helpers.js';
import { FAILPATH_CONFIG, INJECTED, INJECTED_MESSAGE, keysUnder, WITHIN_MS, type Parts } from './harness.js';

const record = async (p: Parts, _ctx: unknown, jobId: string) => {
  const r = await p.db.kysely.selectFrom('css_log_records').selectAll().where('job_id', '=', jobId).executeTakeFirstOrThrow();
  return { failed: r.status === 'FAIL', message: r.failed_msg };
};

for (const { engine, skip } of await engines()) {
  describe(`failure path: a throwing clean-up step (CSS log backup) on ${engine}`, { skip }, () => {
    let logDir: string;
    before(async () => {
      logDir = mkdtempSync(join(tmpdir(), 'failpath-css-'));
      for (let i = 1; i <= 3; i++) await writeLogFile(join(logDir, `es.log.${i}`), 200_000, { node: 'es-1', seed: i });
    });
    after(() => rmSync(logDir, { recursive: true, force: true }));

    test('a clean-up step that throws is retried until it succeeds', async () => {
      let refuse = true;
      const s = await startServer({
        engine,
        config: FAILPATH_CONFIG,
        jobEvents: {
          async transition(_trx, _job, to) {
            if (to === 'SUCCEEDED') throw new Error(INJECTED);
          },
        },
        store: ({ config, linkKey, publicUrl }) => {
          const fs = new FsObjectStore(config.storage.root, { key: linkKey, baseUrl: publicUrl });
          return new Proxy(fs, {
            get: (target, prop) => {
              if (prop === 'delete') {
                return (bucket: string, key: string) => {
                  if (refuse) return Promise.reject(Object.assign(new Error('EIO: the object store is unavailable (test)'), { code: 'EIO' }));
                  return target.delete(bucket, key);
                };
              }
              const v = Reflect.get(target, prop, target);
              return typeof v === 'function' ? v.bind(target) : v;
            },
          }) as ObjectStore;
        },
      });
      try {
        const clusterId = await registerCluster(s, [{ name: 'es-1', logDir }]);
        const css = cssOps(s.client('/css'), clusterId);
        await css.open(OPEN);
        await css.collect();
        const jobId = (await css.records()).clusterLogRecord[0].jobId as string;
        await eventually(async () => (await s.rt.queue.get(jobId))?.state === 'FAILED', 30_000, 'the job to fail');
        assert.deepEqual(await record({ db: s.rt.db, store: s.rt.store }, null, jobId), { failed: true, message: INJECTED_MESSAGE });
        const prefix = `css/log/${clusterId}/${jobId}/`;
        const item = () => s.rt.db.kysely.selectFrom('outbox').selectAll().where('payload', 'like', `%${jobId}%`).executeTakeFirstOrThrow();
        // the store refuses: the clean-up fails, stays PENDING with its error, and the objects stay for now
        const failing = await eventually(async () => {
          const i = await item();
          return i.attempts >= 1 && i.last_error ? i : undefined;
        }, 10_000, 'the first clean-up attempt to fail');
        assert.equal(failing.state, 'PENDING');
        assert.match(failing.last_error!, /EIO: the object store is unavailable/);
        assert.ok((await keysUnder(s.rt.store, 'css-logs', prefix)).length > 0);
        await eventually(async () => {
          const i = await item();
          return i.attempts === 2 && i.lease_owner === null;
        }, 10_000, 'a second failed attempt (after its back-off)');
        refuse = false;
        const done = await eventually(async () => {
          const i = await item();
          return i.state === 'DONE' ? i : undefined;
        }, WITHIN_MS, 'the clean-up to succeed');
        assert.equal(done.attempts, 3);
        assert.deepEqual(await keysUnder(s.rt.store, 'css-logs', prefix), []);
      } finally {
        await s.close();
      }
    });
  });
}
