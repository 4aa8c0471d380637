/**
 * Catalogue rebuild: a logsnap with an empty database pointed at an existing store (fs and S3)
 * lists the same history through the SDK after `catalog rebuild`, on both state engines.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPgDatabase, engines, startServer, type Engine, type TestServer } from '../helpers/server.js';
import { op, sdkClient } from '../helpers/sdk.js';
import { startS3, S3RVER_KEY, S3RVER_SECRET, type TestS3 } from '../storage/s3rver.js';
import { REDIS_URL } from '../dcs/helpers.js';
import { enginesSkip, listings, makeSources, useEtcd, produceAll, registerAll, type Clusters, type Sources } from './helpers.js';

const skipEngines = await enginesSkip();

/** A second logsnap over the first one's store, with a fresh, empty database and the same master key. */
async function freshOver(a: TestServer, engine: Engine, storage: Record<string, unknown>, config: Record<string, unknown> = {}): Promise<{ b: TestServer; drop(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'logsnap-rebuilt-'));
  copyFileSync(join(a.dataDir, 'master.key'), join(dataDir, 'master.key'));
  let databaseUrl: string;
  let drop = async () => undefined as void;
  if (engine === 'postgres') {
    const d = await createPgDatabase('logsnap_rebuilt');
    databaseUrl = d.url;
    drop = d.drop;
  } else databaseUrl = `sqlite:${join(dataDir, 'logsnap.db')}`;
  const b = await startServer({ engine, dataDir, databaseUrl, config: { storage, ...config } });
  return {
    b,
    async drop() {
      await b.close();
      await drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

describe('catalogue rebuild', { skip: skipEngines }, async () => {
  const etcd = useEtcd();

  for (const { engine, skip } of await engines()) {
    for (const driver of ['fs', 's3'] as const) {
      describe(`on ${engine}, ${driver} store`, { skip }, () => {
        let a: TestServer;
        let s3: TestS3 | undefined;
        let src: Sources;
        let ids: Clusters;
        let made: Awaited<ReturnType<typeof produceAll>>;
        let before_: Awaited<ReturnType<typeof listings>>;
        let storage: Record<string, unknown>;

        before(async () => {
          src = makeSources();
          if (driver === 's3') {
            s3 = await startS3();
            storage = { driver: 's3', s3: { endpoint: s3.endpoint, region: 'us-east-1', bucket: s3.bucket, accessKeyId: S3RVER_KEY, secretAccessKey: S3RVER_SECRET, forcePathStyle: true, partSizeMb: 5 } };
          }
          a = await startServer({ engine, config: storage ? { storage } : {} });
          storage ??= { driver: 'fs', root: join(a.dataDir, 'objects') };
          ids = await registerAll(a, src, etcd().endpoint);
          made = await produceAll(a, ids, { cssBackups: 2 });
          before_ = await listings(a.client(), ids, [made.dwsSnapshot]);
        });
        after(async () => {
          await a?.close();
          await s3?.close();
          await ids?.dwsDb.drop();
          rmSync(src.dir, { recursive: true, force: true });
        });

        test('drop the database, rebuild: unattached clusters reported, then every listing identical through the SDK; idempotent', async () => {
          assert.equal(before_.css.totalSize, 2);
          assert.equal(before_.dcs.total_num, 3);
          assert.equal(before_.cce.items.length, 1);
          assert.equal(before_.dws.count, 1);
          const { b, drop } = await freshOver(a, engine, storage);
          try {
            // 1. nothing registered yet: the project is created, DWS snapshots come back (they outlive clusters), the rest waits
            const r1 = await b.rt.trust.rebuilder.rebuild();
            assert.deepEqual(r1.unreadable, []);
            assert.equal(r1.manifests, 7);
            assert.deepEqual(r1.projects_created, [a.projectId]);
            assert.deepEqual(r1.restored.map((x) => x.service), ['dws']);
            assert.deepEqual(
              r1.unattached.map((u) => `${u.service}:${u.cluster_id}:${u.sets}`).sort(),
              [`cce:${ids.cce}:1`, `css:${ids.css}:2`, `dcs:${ids.dcs}:3`].sort(),
            );
            // 2. the clusters come from config or the admin API, with their ids
            await registerAll(b, src, etcd().endpoint, a.projectId, ids);
            const r2 = await b.rt.trust.rebuilder.rebuild();
            assert.equal(r2.restored.length, 6);
            assert.equal(r2.present, 1);
            assert.deepEqual(r2.unattached, []);
            // 3. again: nothing to do
            const r3 = await b.rt.trust.rebuilder.rebuild();
            assert.equal(r3.restored.length, 0);
            assert.equal(r3.present, 7);

            const cred = await b.rt.deps.projects.addCredential(a.projectId);
            const client = sdkClient(b.url, { ...cred, projectId: a.projectId });
            assert.deepEqual(await listings(client, ids, [made.dwsSnapshot]), before_);
            // the job that made a set can still be looked up
            const job = await op(client, { method: 'GET', url: '/logsnap/v1/{project_id}/jobs/{job_id}', pathParams: { project_id: a.projectId, job_id: made.cssJobs[0] } });
            assert.equal(job.state, 'SUCCEEDED');
            // the rebuilt catalogue verifies clean, and the restored history keeps working (a DCS link downloads the day file)
            const v = await b.rt.trust.verifier.run({ trigger: 'cli' });
            assert.equal(v.sets, 7);
            assert.deepEqual(v.problems, []);
            const file = before_.dcs.file_list.find((f: { file_name: string }) => f.file_name.endsWith(`${Object.keys(src.days)[1]}.log`));
            const link = await op(client, { method: 'POST', url: '/v2/{project_id}/instances/{instance_id}/redislog/{id}/links', pathParams: { instance_id: ids.dcs, id: file.id } });
            assert.equal(await (await fetch(link.link)).text(), Object.values(src.days)[1]);
          } finally {
            await drop();
          }
        });

        test('rebuild on start (trust.rebuildOnStart): a fresh database with the projects and clusters in its config file lists the history at once', async () => {
          const { b, drop } = await freshOver(a, engine, storage, {
            trust: { rebuildOnStart: true },
            projects: [{
              id: a.projectId, name: 'team', credentials: [{ ak: 'HPUATRUSTREBUILD0001', sk: 'rebuild-on-start-secret-key' }],
              clusters: [
                { id: ids.css, service: 'css', name: 'es', engine: { nodes: src.cssNodes } },
                { id: ids.dcs, service: 'dcs', name: 'redis', engine: { timeZone: 'UTC', nodes: [{ replicationId: 'r1', ip: '10.0.0.9', url: REDIS_URL, logFile: src.redisLog }] } },
                { id: ids.cce, service: 'cce', name: 'k8s', engine: { endpoints: [etcd().endpoint] } },
                { id: ids.dws, service: 'dws', name: 'warehouse', engine: { url: ids.dwsDb.url } },
              ],
            }],
          });
          try {
            const client = sdkClient(b.url, { ak: 'HPUATRUSTREBUILD0001', sk: 'rebuild-on-start-secret-key', projectId: a.projectId });
            assert.deepEqual(await listings(client, ids, [made.dwsSnapshot]), before_);
            // a restart over the same (now filled) database does not rebuild again
            assert.equal(await b.rt.trust.rebuilder.catalogueEmpty(), false);
          } finally {
            await drop();
          }
        });
      });
    }
  }
});
