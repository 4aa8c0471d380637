/**
 * The recovery procedure of docs/storage.md, step by step, as an operator runs it: the CLI with a
 * config file. Three bad days over the same store: the database is lost; the master key (and
 * so the database) is lost; nothing but the store and an exported project key is left.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { stringify } from 'yaml';
import { createPgDatabase, engines, startServer, type Engine, type TestServer } from '../helpers/server.js';
import { sdkClient } from '../helpers/sdk.js';
import { cli } from '../helpers/cli.js';
import { ETCDCTL_BIN, ETCDUTL_BIN } from '../cce/etcdProcess.js';
import { REDIS_URL } from '../dcs/helpers.js';
import { dbUrl, dropDatabase, fingerprint, seedWarehouse } from '../dws/helpers.js';
import { enginesSkip, filesUnder, listings, useEtcd, makeSources, produceAll, type Clusters, type Sources } from './helpers.js';
import { hex32 } from '../../src/security/ids.js';

const skipEngines = await enginesSkip();
const ENV = { LOGSNAP_LOG_LEVEL: 'silent' };

describe('recovery procedure (docs/storage.md)', { skip: skipEngines }, async () => {
  const etcd = useEtcd();

  for (const { engine, skip } of await engines()) {
    describe(`on ${engine}`, { skip }, () => {
      const tmp = mkdtempSync(join(tmpdir(), 'logsnap-recovery-'));
      const storeRoot = join(tmp, 'store');
      const projectId = hex32();
      const ak = `AK${randomBytes(9).toString('hex').toUpperCase()}`;
      const sk = randomBytes(24).toString('base64url');
      const tag = randomBytes(3).toString('hex');
      const ids = { css: `css-${tag}`, dcs: `dcs-${tag}`, cce: `cce-${tag}`, dws: `dws-${tag}` };
      let src: Sources;
      let dws: Awaited<ReturnType<typeof createPgDatabase>>;
      let history: Awaited<ReturnType<typeof listings>>;
      let made: Awaited<ReturnType<typeof produceAll>>;
      const drops: (() => Promise<void>)[] = [];
      const keyFile = join(tmp, 'team.key');
      const firstMasterKey = randomBytes(32).toString('hex');

      /** A deployment: its own data folder and database, the shared store, the given master key, the config file an operator keeps. */
      const deployment = async (name: string, masterKey: string) => {
        const dataDir = join(tmp, name);
        let url = `sqlite:${join(dataDir, 'logsnap.db')}`;
        if (engine === 'postgres') {
          const d = await createPgDatabase('logsnap_recovery');
          url = d.url;
          drops.push(d.drop);
        }
        const config = {
          core: { dataDir, bootstrap: false, demo: false },
          database: { url },
          storage: { driver: 'fs', root: storeRoot },
          security: { masterKey, adminToken: 'test-admin-token-0123456789' },
          projects: [{
            id: projectId, name: 'team', credentials: [{ ak, sk }],
            clusters: [
              { id: ids.css, service: 'css', name: 'es', engine: { nodes: src.cssNodes } },
              { id: ids.dcs, service: 'dcs', name: 'redis', engine: { timeZone: 'UTC', nodes: [{ replicationId: 'r1', ip: '10.0.0.9', url: REDIS_URL, logFile: src.redisLog }] } },
              { id: ids.cce, service: 'cce', name: 'k8s', engine: { endpoints: [etcd().endpoint] } },
              { id: ids.dws, service: 'dws', name: 'warehouse', engine: { url: dws.url } },
            ],
          }],
          trust: { encryptedProjects: ['team'] },
        };
        const file = join(tmp, `${name}.yaml`);
        writeFileSync(file, stringify(config));
        return { file, config, dataDir };
      };
      const serve = (d: { config: Record<string, unknown>; dataDir: string }): Promise<TestServer> =>
        startServer({ engine: engine as Engine, config: d.config, dataDir: d.dataDir, databaseUrl: (d.config.database as { url: string }).url });
      const teamClient = (s: TestServer) => sdkClient(s.url, { ak, sk, projectId });

      before(async () => {
        src = makeSources();
        dws = await createPgDatabase('trust_rec_dws');
        await seedWarehouse(dws.url, 30);
        // the deployment before the bad day: an encrypted project with one set of each service
        const first = await deployment('first', firstMasterKey);
        const a = await serve(first);
        const team = { ...a, projectId, client: () => teamClient(a) } as TestServer;
        made = await produceAll(team, { ...ids, dwsDb: dws } as Clusters);
        history = await listings(teamClient(a), ids, [made.dwsSnapshot]);
        // kept offline from the start: the project key
        const exp = await cli(['key', 'export', '--project', projectId, '--config', first.file], ENV);
        assert.equal(exp.code, 0, exp.stderr);
        writeFileSync(keyFile, exp.stdout);
        await a.close({ keep: true });
      });
      after(async () => {
        for (const d of drops) await d();
        await dws?.drop();
        rmSync(tmp, { recursive: true, force: true });
        rmSync(src.dir, { recursive: true, force: true });
      });

      test('lost database: same master key and store, a new database — catalog rebuild, verify, the same history', async () => {
        const d = await deployment('lost-db', firstMasterKey);
        const rebuilt = await cli(['catalog', 'rebuild', '--config', d.file], ENV);
        assert.equal(rebuilt.code, 0, rebuilt.stderr);
        assert.match(rebuilt.stdout, /6 manifests read: 6 sets restored, 0 already present/);
        const verified = await cli(['verify', '--quiet', '--config', d.file], ENV);
        assert.equal(verified.code, 0, verified.stderr);
        assert.match(verified.stdout, /6 sets, \d+ artifacts: \d+ ok, 0 with problems/);
        const s = await serve(d);
        try {
          assert.deepEqual(await listings(teamClient(s), ids, [made.dwsSnapshot]), history);
        } finally {
          await s.close({ keep: true });
        }
      });

      test('lost master key: a new master key and database — rebuild names the foreign key, key import brings it back', async () => {
        const d = await deployment('lost-master', randomBytes(32).toString('base64'));
        const rebuilt = await cli(['catalog', 'rebuild', '--config', d.file], ENV);
        assert.equal(rebuilt.code, 0, rebuilt.stderr);
        assert.match(rebuilt.stdout, /6 sets restored/);
        assert.match(rebuilt.stdout, new RegExp(`project ${projectId}: key version 1 is wrapped by another master key: logsnap key import --project ${projectId} --key-file FILE`));
        const imported = await cli(['key', 'import', '--project', projectId, '--key-file', keyFile, '--config', d.file], ENV);
        assert.equal(imported.code, 0, imported.stderr);
        assert.match(imported.stdout, /key version 1 .* imported/);
        const verified = await cli(['verify', '--quiet', '--config', d.file], ENV);
        assert.equal(verified.code, 0, verified.stderr);
        const s = await serve(d);
        try {
          assert.deepEqual(await listings(teamClient(s), ids, [made.dwsSnapshot]), history);
          // new artifacts of the project are encrypted again, under the imported key
          assert.deepEqual((await s.rt.trust.keys.status(projectId)).key?.version, 1);
          assert.equal((await s.rt.trust.keys.status(projectId)).enabled, true);
        } finally {
          await s.close({ keep: true });
        }
      });

      test('restore from the store alone: offline decrypt with the exported key and the manifests, then the engines’ own tools', async () => {
        const catalogue = filesUnder(join(storeRoot, 'logsnap-catalog', 'sets'));
        const manifestOf = (service: string) => catalogue.filter((f) => f.includes(`/sets/${service}/${projectId}/`));
        const decrypt = async (manifestPath: string, pick: (f: { role: string; size: number }) => boolean) => {
          const m = JSON.parse(readFileSync(manifestPath, 'utf8'));
          const f = m.files.find(pick);
          const out = join(tmp, `${createHash('sha256').update(f.key).digest('hex').slice(0, 8)}-${f.key.split('/').pop()}`);
          const r = await cli(['decrypt', '--key-file', keyFile, '--manifest', manifestPath, '--out', out, join(storeRoot, f.bucket, ...f.key.split('/'))], ENV);
          assert.equal(r.code, 0, r.stderr);
          return { out, file: f, manifest: m };
        };
        // DWS: pg_restore the decrypted archive into a new database
        const dump = await decrypt(manifestOf('dws')[0], () => true);
        const target = `rec_${hex32().slice(0, 10)}`;
        drops.push(() => dropDatabase(target));
        const { sql } = await import('../dws/helpers.js');
        await sql(dbUrl('postgres'), `create database ${target}`);
        // the archive format the manifest names: logsnap's gzip of a pg_dump custom archive (gunzip first), or pg_dump's own
        const gzipped = dump.file.format === 'pg_dump-custom-gz';
        const input = gzipped ? gunzipSync(readFileSync(dump.out)) : undefined;
        const pr = spawnSync('pg_restore', ['--no-owner', '--no-privileges', '--exit-on-error', `--dbname=${dbUrl(target)}`, ...(gzipped ? [] : [dump.out])], { input });
        assert.equal(pr.status, 0, pr.stderr.toString());
        assert.deepEqual(await fingerprint(dbUrl(target)), await fingerprint(dws.url));
        // CCE: etcd restores a member from the decrypted snapshot (its hash checked by etcdutl)
        const snap = await decrypt(manifestOf('cce')[0], () => true);
        const restoredDir = join(tmp, 'etcd-restored');
        // etcdutl (etcd ≥ 3.5) or, where it is not installed, `etcdctl snapshot restore`
        const er = existsSync(ETCDUTL_BIN)
          ? spawnSync(ETCDUTL_BIN, ['snapshot', 'restore', snap.out, `--data-dir=${restoredDir}`])
          : spawnSync(ETCDCTL_BIN, ['snapshot', 'restore', snap.out, `--data-dir=${restoredDir}`], { env: { ...process.env, ETCDCTL_API: '3' } });
        assert.equal(er.status, 0, er.stderr.toString());
        assert.ok(readdirSync(join(restoredDir, 'member')).includes('snap'));
        // CSS: a decrypted log file inflates to the node's file
        const gz = await decrypt(manifestOf('css')[0], (f) => f.role === 'log');
        const node = src.cssNodes.find((n) => gz.file.key.includes(`/nodes/${n.name}/`))!;
        assert.ok(gunzipSync(readFileSync(gz.out)).equals(readFileSync(join(node.logDir, gz.file.key.split('/').pop()!.replace(/\.gz$/, '')))));
        // DCS: the day file as collected
        const day = await decrypt(manifestOf('dcs').find((p) => JSON.parse(readFileSync(p, 'utf8')).files[0].size > 0)!, () => true);
        assert.equal(readFileSync(day.out, 'utf8'), src.days[day.manifest.record.day]);
      });
    });
  }
});
