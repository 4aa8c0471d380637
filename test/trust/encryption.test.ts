/**
 * Encryption at rest of one project: no plaintext line in the stored bytes, downloads (links,
 * Range) give the exact source, verify authenticates every chunk, an encrypted DWS snapshot
 * restores, offline decryption with an exported key, wrong and rotated-away keys refused with a
 * clear message; on S3 an encrypted project gets logsnap links instead of presigned GETs.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { engines, eventually, startServer, type TestServer } from '../helpers/server.js';
import { op, sdkClient } from '../helpers/sdk.js';
import { cli } from '../helpers/cli.js';
import { REDIS_URL, waitJob } from '../dcs/helpers.js';
import { dropDatabase, fingerprint } from '../dws/helpers.js';
import { startS3, S3RVER_KEY, S3RVER_SECRET, type TestS3 } from '../storage/s3rver.js';
import { enginesSkip, filesUnder, flipByte, useEtcd, makeSources, produceAll, registerAll, URL, type Clusters, type Sources } from './helpers.js';
import { SnapshotIntegrity } from '../../src/services/cce/integrity.js';
import { hex32 } from '../../src/security/ids.js';

const skipEngines = await enginesSkip();
const ADMIN = { authorization: 'Bearer test-admin-token-0123456789', 'content-type': 'application/json' };

async function adminCall(s: TestServer, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const r = await fetch(`${s.url}${path}`, { method, headers: ADMIN, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: r.status, json: await r.json().catch(() => null) };
}

describe('encryption at rest', { skip: skipEngines }, async () => {
  const etcd = useEtcd();

  for (const { engine, skip } of await engines()) {
    describe(`on ${engine}, fs store`, { skip }, () => {
      let s: TestServer;
      let src: Sources;
      let ids: Clusters;
      let made: Awaited<ReturnType<typeof produceAll>>;
      const logLines: string[] = [];
      const tmp = mkdtempSync(join(tmpdir(), 'logsnap-enc-'));
      const restoredDbs: string[] = [];
      const objects = () => join(s.dataDir, 'objects');
      const env = () => ({ LOGSNAP_DATA_DIR: s.dataDir, DATABASE_URL: s.databaseUrl, LOGSNAP_LOG_LEVEL: 'silent' });
      /** the catalogue manifest of a set, as a file (what an operator copies out of the store) */
      const manifestFile = async (service: string, pick = (f: { role: string; size: number }) => f.role !== 'index' && f.size > 0) => {
        const sets = await s.rt.db.kysely.selectFrom('trust_artifact_sets').selectAll().where('service', '=', service).execute();
        for (const set of sets) {
          const { manifest } = await s.rt.trust.catalog.read(set.manifest_bucket, set.manifest_key);
          const f = manifest.files.find(pick);
          if (f) return { path: join(objects(), set.manifest_bucket, ...set.manifest_key.split('/')), manifest, file: f, object: join(objects(), f.bucket, ...f.key.split('/')) };
        }
        throw new Error(`no ${service} file`);
      };

      before(async () => {
        src = makeSources();
        s = await startServer({ engine, logLines });
        const on = await adminCall(s, 'PUT', `/admin/v1/projects/${s.projectId}/encryption`, { enabled: true });
        assert.equal(on.status, 200);
        assert.equal(on.json.enabled, true);
        assert.equal(on.json.key.version, 1);
        assert.equal(JSON.stringify(on.json).includes('"key":"'), false, 'no key material in the status');
        ids = await registerAll(s, src, etcd().endpoint);
        made = await produceAll(s, ids, { cssBackups: 2 });
      });
      after(async () => {
        await s?.close();
        await ids?.dwsDb.drop();
        for (const d of restoredDbs) await dropDatabase(d);
        rmSync(src.dir, { recursive: true, force: true });
        rmSync(tmp, { recursive: true, force: true });
      });

      test('no plaintext line of any source appears anywhere in the stored bytes; every artifact is an encrypted object', async () => {
        const files = filesUnder(objects());
        assert.ok(files.length > 10);
        for (const f of files) {
          const bytes = readFileSync(f);
          for (const line of src.lines) assert.equal(bytes.indexOf(line), -1, `a source line in ${f}`);
          assert.equal(bytes.indexOf(src.marker), -1, `the source marker in ${f}`);
          assert.equal(bytes.indexOf('etcd-value-that-is-secret'), -1, `an etcd value in ${f}`);
        }
        const sets = await s.rt.db.kysely.selectFrom('trust_artifact_sets').selectAll().execute();
        assert.equal(sets.length, 7);
        for (const set of sets) {
          assert.equal(set.encrypted, 1, `${set.service} ${set.set_id}`);
          const { manifest } = await s.rt.trust.catalog.read(set.manifest_bucket, set.manifest_key);
          for (const f of manifest.files) {
            assert.equal(f.encryption?.scheme, 'logsnap.aead-chunked/1');
            assert.equal(f.encryption?.projectKeyVersion, 1);
            assert.equal(readFileSync(join(objects(), f.bucket, ...f.key.split('/'))).subarray(0, 8).toString(), 'LSNAPENC');
          }
        }
        // the second CSS backup reused the first one's (encrypted) objects
        const css = sets.filter((x) => x.service === 'css');
        const m2 = await s.rt.trust.catalog.read(css[0].manifest_bucket, css[0].manifest_key);
        const m1 = await s.rt.trust.catalog.read(css[1].manifest_bucket, css[1].manifest_key);
        const logs = (m: typeof m1) => m.manifest.files.filter((f) => f.role === 'log').map((f) => f.key).sort();
        assert.deepEqual(logs(m1), logs(m2));
      });

      test('downloads through links decrypt on the fly: DCS link, CSS and CCE admin links, Range across chunks', async () => {
        const c = s.client();
        const list = await c.sendRequest({ method: 'GET', url: URL.dcsLogs, contentType: 'application/json', pathParams: { instance_id: ids.dcs }, queryParams: { log_type: 'run' }, headers: {} });
        for (const [day, content] of Object.entries(src.days)) {
          const f = (list as any).file_list.find((x: { time: string }) => x.time === day);
          const { link } = await op(c, { method: 'POST', url: URL.dcsLink, pathParams: { instance_id: ids.dcs, id: f.id } });
          assert.ok(link.startsWith(`${s.url}/logsnap/v1/objects/`), link);
          const r = await fetch(link);
          assert.equal(r.status, 200);
          assert.equal(await r.text(), content);
          const part = await fetch(link, { headers: { range: 'bytes=10-99' } });
          assert.equal(part.status, 206);
          assert.equal(part.headers.get('content-range'), `bytes 10-99/${Buffer.byteLength(content)}`);
          assert.equal(await part.text(), Buffer.from(content).subarray(10, 100).toString());
        }
        // a CSS log file: the gzip object, decrypted, inflates to the source file
        const cssSet = await manifestFile('css');
        const gz = await adminCall(s, 'POST', '/admin/v1/objects/link', { bucket: cssSet.file.bucket, key: cssSet.file.key });
        assert.equal(gz.json.size, cssSet.file.size);
        assert.equal(gz.json.sha256, cssSet.file.sha256);
        const node = cssSet.file.key.includes('/es-1/') ? src.cssNodes[0] : src.cssNodes[1];
        const name = cssSet.file.key.split('/').pop()!.replace(/\.gz$/, '');
        assert.ok(gunzipSync(Buffer.from(await (await fetch(gz.json.link)).arrayBuffer())).equals(readFileSync(join(node.logDir, name))));
        // the CCE snapshot: what etcd sent, intact (etcd's own hash checks)
        const cce = await manifestFile('cce');
        const link = (await adminCall(s, 'POST', '/admin/v1/objects/link', { bucket: cce.file.bucket, key: cce.file.key })).json.link;
        const snap = Buffer.from(await (await fetch(link)).arrayBuffer());
        assert.equal(createHash('sha256').update(snap).digest('hex'), cce.file.sha256);
        const integ = new SnapshotIntegrity();
        integ.update(snap);
        integ.verify();
        // Range over an object of several chunks (64 KiB each): any window decrypts exactly
        const big = randomBytes(300_000);
        await s.rt.store.put('trust-test', 'big.bin', Readable.from([big]), { project: s.projectId });
        const bigLink = (await adminCall(s, 'POST', '/admin/v1/objects/link', { path: 'trust-test/big.bin' })).json.link;
        for (const [a, b] of [[0, 0], [65_530, 65_545], [100_000, 299_999], [131_072, 196_607]]) {
          const r = await fetch(bigLink, { headers: { range: `bytes=${a}-${b}` } });
          assert.equal(r.status, 206);
          assert.ok(Buffer.from(await r.arrayBuffer()).equals(big.subarray(a, b + 1)), `range ${a}-${b}`);
        }
        const tail = await fetch(bigLink, { headers: { range: 'bytes=-10' } });
        assert.ok(Buffer.from(await tail.arrayBuffer()).equals(big.subarray(big.length - 10)));
        assert.equal((await fetch(bigLink, { headers: { range: 'bytes=300000-' } })).status, 416);
        await s.rt.store.delete('trust-test', 'big.bin');
      });

      test('verify authenticates every chunk: intact passes, a flipped byte of ciphertext is named', async () => {
        assert.deepEqual((await s.rt.trust.verifier.run({ trigger: 'cli' })).problems, []);
        const dcs = await manifestFile('dcs');
        const original = readFileSync(dcs.object);
        try {
          flipByte(dcs.object, original.length - 20);
          const r = await s.rt.trust.verifier.run({ trigger: 'cli' });
          assert.deepEqual(r.problems.map((p) => [p.key, p.result]), [[dcs.file.key, 'altered']]);
        } finally {
          writeFileSync(dcs.object, original);
        }
      });

      test('an encrypted DWS snapshot restores (pg_restore reads through decryption)', async () => {
        const name = `r${hex32().slice(0, 10)}`;
        restoredDbs.push(name);
        const c = s.client();
        const r = await op(c, { method: 'POST', url: URL.dwsRestore, pathParams: { snapshot_id: made.dwsSnapshot }, data: { restore: { name } } });
        const cluster = await eventually(async () => {
          const cl = await s.rt.deps.clusters.getAny<{ url: string }>(r.cluster.id);
          return cl && cl.status !== 'CREATING' ? cl : undefined;
        }, 60_000, 'the restore');
        assert.equal(cluster.status, 'AVAILABLE');
        assert.deepEqual(await fingerprint(cluster.engine.url), await fingerprint(ids.dwsDb.url));
      });

      test('offline decryption with the exported key; another project’s key and a rotated-away key are refused clearly', async () => {
        const exp = await adminCall(s, 'POST', `/admin/v1/projects/${s.projectId}/encryption/export`);
        assert.equal(exp.status, 200);
        const keyFile = join(tmp, 'project.key');
        writeFileSync(keyFile, JSON.stringify(exp.json));
        const dcs = await manifestFile('dcs');
        const out = join(tmp, 'day.log');
        const ok = await cli(['decrypt', '--key-file', keyFile, '--manifest', dcs.path, '--out', out, dcs.object], {});
        assert.equal(ok.code, 0, ok.stderr);
        assert.equal(readFileSync(out, 'utf8'), src.days[dcs.manifest.record.day as string]);
        // the exported key is nowhere in the store or the logs
        for (const f of filesUnder(objects())) assert.equal(readFileSync(f).indexOf(exp.json.key), -1, f);
        assert.equal(logLines.join('\n').includes(exp.json.key), false);

        // another project's key
        const other = await adminCall(s, 'POST', '/admin/v1/projects', { name: `other-${engine}` });
        await adminCall(s, 'PUT', `/admin/v1/projects/${other.json.project.id}/encryption`, { enabled: true });
        const otherKey = join(tmp, 'other.key');
        writeFileSync(otherKey, JSON.stringify((await adminCall(s, 'POST', `/admin/v1/projects/${other.json.project.id}/encryption/export`)).json));
        const wrong = await cli(['decrypt', '--key-file', otherKey, '--manifest', dcs.path, '--out', join(tmp, 'x'), dcs.object], {});
        assert.equal(wrong.code, 1);
        assert.match(wrong.stderr, new RegExp(`wrong key: the key file holds project ${other.json.project.id}'s key`));

        // rotation: data keys re-wrapped, manifests rewritten, artifacts untouched, the old key destroyed
        const before = readFileSync(dcs.object);
        const rot = await adminCall(s, 'POST', `/admin/v1/projects/${s.projectId}/encryption/rotate`);
        assert.equal(rot.status, 200, JSON.stringify(rot.json));
        assert.equal(rot.json.version, 2);
        assert.deepEqual(rot.json.retired, [1]);
        assert.equal(rot.json.manifests, 7);
        assert.ok(rot.json.rewrapped >= 7);
        assert.ok(readFileSync(dcs.object).equals(before), 'the artifact was not rewritten');
        const stale = await cli(['decrypt', '--key-file', keyFile, '--manifest', dcs.path, '--out', join(tmp, 'y'), dcs.object], {});
        assert.equal(stale.code, 1);
        assert.match(stale.stderr, /holds project key version 1, which was rotated away: this data key is wrapped by version 2/);
        const reimport = await adminCall(s, 'POST', `/admin/v1/projects/${s.projectId}/encryption/import`, { key: JSON.stringify(exp.json) });
        assert.equal(reimport.status, 400);
        assert.match(reimport.json.error_msg, /rotated away/);
        // the new key works offline, and the server still serves and verifies everything
        writeFileSync(keyFile, JSON.stringify((await adminCall(s, 'POST', `/admin/v1/projects/${s.projectId}/encryption/export`)).json));
        const again = await cli(['decrypt', '--key-file', keyFile, '--manifest', dcs.path, dcs.object], {});
        assert.equal(again.code, 0, again.stderr);
        assert.equal(again.stdout, src.days[dcs.manifest.record.day as string]);
        assert.deepEqual((await s.rt.trust.verifier.run({ trigger: 'cli' })).problems, []);
        const v = await cli(['verify', '--quiet'], env());
        assert.equal(v.code, 0, v.stderr);
      });

      test('turning encryption off keeps old artifacts readable and writes new ones in clear; config encrypts a project by name', async () => {
        const off = await adminCall(s, 'PUT', `/admin/v1/projects/${s.projectId}/encryption`, { enabled: false });
        assert.equal(off.json.enabled, false);
        assert.equal(off.json.key.version, 2);
        await s.rt.store.put('trust-test', 'clear.txt', Readable.from([Buffer.from('clear text')]), { project: s.projectId });
        assert.equal(readFileSync(join(objects(), 'trust-test', 'clear.txt'), 'utf8'), 'clear text');
        await s.rt.store.delete('trust-test', 'clear.txt');
        const dcs = await manifestFile('dcs');
        assert.equal(await (await s.rt.store.get(dcs.file.bucket, dcs.file.key)).body.toArray().then((b) => Buffer.concat(b).toString()), src.days[dcs.manifest.record.day as string]);
        const missing = await adminCall(s, 'PUT', `/admin/v1/projects/${'f'.repeat(32)}/encryption`, { enabled: true });
        assert.equal(missing.status, 404);

        const id = hex32();
        const t = await startServer({ engine, config: { projects: [{ id, name: 'vault' }], trust: { encryptedProjects: ['vault'] } } });
        try {
          assert.equal((await t.rt.trust.keys.status(id)).enabled, true);
        } finally {
          await t.close();
        }
        await assert.rejects(startServer({ engine, config: { trust: { encryptedProjects: ['nope'] } } }), /trust.encryptedProjects: no project "nope"/);
      });
    });

    describe(`on ${engine}, S3 store`, { skip }, () => {
      let s3: TestS3;
      let s: TestServer;
      const dir = mkdtempSync(join(tmpdir(), 'logsnap-enc-s3-'));
      before(async () => {
        s3 = await startS3();
        s = await startServer({ engine, config: { storage: { driver: 's3', s3: { endpoint: s3.endpoint, region: 'us-east-1', bucket: s3.bucket, accessKeyId: S3RVER_KEY, secretAccessKey: S3RVER_SECRET, forcePathStyle: true, partSizeMb: 5 } } } });
      });
      after(async () => {
        await s?.close();
        await s3?.close();
        rmSync(dir, { recursive: true, force: true });
      });

      test('an encrypted project gets logsnap links (decrypted on the fly), a clear one presigned S3 GETs', async () => {
        const src = makeSources();
        try {
          const other = await adminCall(s, 'POST', '/admin/v1/projects', { name: 'clear' });
          await adminCall(s, 'PUT', `/admin/v1/projects/${s.projectId}/encryption`, { enabled: true });
          const projects = [
            { id: s.projectId, client: s.client(), encrypted: true },
            { id: other.json.project.id as string, client: sdkClient(s.url, { ...other.json.credential, projectId: other.json.project.id }), encrypted: false },
          ];
          for (const p of projects) {
            const inst = await s.rt.deps.clusters.register({ projectId: p.id, service: 'dcs', name: 'r', engine: { timeZone: 'UTC', nodes: [{ replicationId: 'r1', ip: '10.0.0.7', url: REDIS_URL, logFile: src.redisLog }] } });
            await p.client.sendRequest({ method: 'POST', url: URL.dcsLogs, contentType: 'application/json', pathParams: { instance_id: inst.id }, queryParams: { log_type: 'run', query_time: 1 }, headers: {} });
            const job = (await s.rt.db.kysely.selectFrom('jobs').select('id').where('cluster_id', '=', inst.id).executeTakeFirstOrThrow()).id;
            assert.equal((await waitJob(s, job)).state, 'SUCCEEDED');
            const list: any = await p.client.sendRequest({ method: 'GET', url: URL.dcsLogs, contentType: 'application/json', pathParams: { instance_id: inst.id }, queryParams: { log_type: 'run' }, headers: {} });
            const { link } = await op(p.client, { method: 'POST', url: URL.dcsLink, pathParams: { instance_id: inst.id, id: list.file_list[0].id } });
            if (p.encrypted) {
              assert.ok(link.startsWith(`${s.url}/logsnap/v1/objects/`), `a logsnap link: ${link}`);
              // the admin link endpoint too
              const row = await s.rt.db.kysely.selectFrom('dcs_redislogs').selectAll().where('id', '=', list.file_list[0].id).executeTakeFirstOrThrow();
              const adm = await adminCall(s, 'POST', '/admin/v1/objects/link', { bucket: row.bucket, key: row.object_key });
              assert.ok(adm.json.link.startsWith(`${s.url}/logsnap/v1/objects/`), adm.json.link);
              assert.equal(await (await fetch(adm.json.link)).text(), Object.values(src.days)[1]);
            }
            else assert.ok(link.startsWith(`${s3.endpoint}/${s3.bucket}/`) && link.includes('X-Amz-Signature='), `a presigned GET: ${link}`);
            assert.equal(await (await fetch(link)).text(), Object.values(src.days)[1]);
          }
          // what S3 holds for the encrypted project is ciphertext
          const set = await s.rt.db.kysely.selectFrom('trust_artifact_sets').selectAll().where('project_id', '=', s.projectId).executeTakeFirstOrThrow();
          const { manifest } = await s.rt.trust.catalog.read(set.manifest_bucket, set.manifest_key);
          const raw = Buffer.concat(await (await s.rt.trust.store.raw.get(manifest.files[0].bucket, manifest.files[0].key)).body.toArray());
          assert.equal(raw.subarray(0, 8).toString(), 'LSNAPENC');
          for (const line of src.lines) assert.equal(raw.indexOf(line), -1);
          assert.deepEqual((await s.rt.trust.verifier.run({ trigger: 'cli' })).problems, []);
        } finally {
          rmSync(src.dir, { recursive: true, force: true });
        }
      });
    });
  }
});
