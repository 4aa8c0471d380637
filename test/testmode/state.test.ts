/**
 * State export/import: one archive with every row and object; imported into an empty logsnap (either
 * engine, from either engine) it gives identical listings through the SDK; a damaged archive, another
 * format version, a newer logsnap's archive or another master key is refused and changes nothing.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { Header, Pack, ReadEntry } from 'tar';
import { engines, postgresAvailable, type Engine, type TestServer } from '../helpers/server.js';
import { op, sdkClient } from '../helpers/sdk.js';
import { cli } from '../helpers/cli.js';
import { sql } from '../../src/db/index.js';
import { parseMasterKey, SecretBox } from '../../src/security/secrets.js';
import { stateCommand } from '../../src/cli/state.js';
import { StateArchiveError } from '../../src/testmode/errors.js';
import { adminOf, adminRaw, cssCluster, CSS, JOB, MASTER_KEY, OPEN, settledRecord, startTestMode } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'levers-state-'));
const pgOk = await postgresAvailable();
const BLOB_TYPE: Record<Engine, string> = { sqlite: 'blob', postgres: 'bytea' };

/** A table another module could add, with binary data: created on both sides. */
async function blobTable(s: TestServer, engine: Engine): Promise<void> {
  await sql`create table zz_blobs (id text primary key, data ${sql.raw(BLOB_TYPE[engine])} not null, n bigint)`.execute(s.rt.db.kysely);
}

/** Everything a client sees: SDK listings (with the source's AK/SK), admin listings, the objects' bytes, the extra table. */
async function view(s: TestServer, cred: { ak: string; sk: string; projectId: string }, clusterId: string) {
  const css = sdkClient(`${s.url}/css`, cred);
  const pp = { cluster_id: clusterId };
  const recs = await op(css, { method: 'GET', url: CSS.records, pathParams: pp });
  const jobs = [];
  for (const r of recs.clusterLogRecord) jobs.push(await op(sdkClient(s.url, cred), { method: 'GET', url: JOB, pathParams: { job_id: r.jobId } }));
  const objects: Record<string, string> = {};
  for await (const bucket of s.rt.store.buckets!()) {
    for await (const o of s.rt.store.list(bucket)) {
      const h = createHash('sha256');
      for await (const c of (await s.rt.store.get(bucket, o.key)).body) h.update(c as Buffer);
      objects[`${bucket}/${o.key}`] = h.digest('hex');
    }
  }
  const blobs = (await sql<{ id: string; data: Uint8Array; n: number }>`select * from zz_blobs order by id`.execute(s.rt.db.kysely)).rows
    .map((r) => ({ id: r.id, data: Buffer.from(r.data).toString('hex'), n: Number(r.n) }));
  return {
    clusters: await op(css, { method: 'GET', url: CSS.clusters }),
    records: recs,
    settings: await op(css, { method: 'GET', url: CSS.settings, pathParams: pp }),
    jobs,
    projects: (await adminRaw(s, 'GET', '/admin/v1/projects')).body,
    credentials: (await adminRaw(s, 'GET', `/admin/v1/projects/${cred.projectId}/credentials`)).body,
    adminClusters: (await adminRaw(s, 'GET', `/admin/v1/projects/${cred.projectId}/clusters`)).body,
    faults: (await adminRaw(s, 'GET', '/admin/v1/test/faults')).body,
    objects,
    blobs,
  };
}

/** A tar.gz with just a state header (to test refusals before anything else is read). */
async function headerOnly(file: string, header: Record<string, unknown>): Promise<void> {
  const pack = new Pack({ gzip: true, portable: true });
  const out = createWriteStream(file);
  pack.pipe(out);
  const body = Buffer.from(JSON.stringify(header));
  const e = new ReadEntry(new Header({ path: 'logsnap-state.json', size: body.length, type: 'File', mode: 0o644, mtime: new Date(0) }));
  pack.write(e);
  e.end(body);
  pack.end();
  await once(out, 'close');
}

for (const { engine, skip } of await engines()) {
  describe(`state export/import, exported from ${engine}`, { skip }, () => {
    let src: TestServer;
    let cred: { ak: string; sk: string; projectId: string };
    let clusterId: string;
    let archive: string;
    let exported: Awaited<ReturnType<typeof view>>;
    let clockAtExport: number;
    const targets: TestServer[] = [];
    before(async () => {
      src = await startTestMode({ engine });
      cred = { ak: src.ak, sk: src.sk, projectId: src.projectId };
      await blobTable(src, engine);
      await sql`insert into zz_blobs values ('a', ${randomBytes(300)}, ${2 ** 40}), ('b', ${Buffer.alloc(0)}, null)`.execute(src.rt.db.kysely);
      ({ id: clusterId } = await cssCluster(src, { 'a.log': randomBytes(5000), 'b.log': 'line\n'.repeat(2000) }));
      const css = src.client('/css');
      const pp = { cluster_id: clusterId };
      await op(css, { method: 'POST', url: CSS.open, pathParams: pp, data: { ...OPEN, auto_enable: true, period: '02:00 GMT+08:00' } });
      await op(css, { method: 'POST', url: CSS.collect, pathParams: pp });
      assert.equal((await settledRecord(css, clusterId, 'Manual')).status, 'SUCCESS');
      await adminOf(src).faults.add({ service: 'css', job: 'css.log-backup', effect: { type: 'fail', message: 'disk full' } });
      await adminOf(src).clock.advance('1d'); // the Auto backup fires, and fails
      assert.equal((await settledRecord(css, clusterId, 'Auto')).status, 'FAIL');
      await adminOf(src).faults.add({ service: 'css', operation: 'StopLogs', count: 5, effect: { type: 'error', status: 409 } });
      archive = join(tmp, `from-${engine}.tar.gz`);
      exported = await view(src, cred, clusterId);
      clockAtExport = await adminOf(src).clock.now();
      await adminOf(src).exportState(archive);
      assert.deepEqual(await view(src, cred, clusterId), exported, 'exporting changes nothing');
    });
    after(async () => {
      for (const t of targets) await t.close();
      await src?.close();
    });

    for (const target of ['sqlite', 'postgres'] as const) {
      test(`imported into an empty logsnap on ${target}: identical listings, and the clock resumes where it was`, { skip: target === 'postgres' && !pgOk ? 'PostgreSQL not reachable' : false }, async () => {
        const t = await startTestMode({ engine: target });
        targets.push(t);
        await blobTable(t, target);
        const r = await adminOf(t).importState(archive);
        assert.equal(r.objects, Object.keys(exported.objects).length);
        assert.deepEqual(await view(t, cred, clusterId), exported);
        const now = await adminOf(t).clock.now();
        assert.ok(now >= clockAtExport && now < clockAtExport + 60_000, 'test time carried over');
        // and it is a working state: the imported Auto policy fires on the next day
        await adminOf(t).clock.advance('1d');
        assert.equal((await op(sdkClient(`${t.url}/css`, cred), { method: 'GET', url: CSS.records, pathParams: { cluster_id: clusterId } })).totalSize, 3);
      });
    }

    test('a damaged, truncated, foreign or newer archive, or one from another master key, is refused and changes nothing', async () => {
      const t = await startTestMode({ engine });
      targets.push(t);
      await blobTable(t, engine);
      await adminOf(t).importState(archive);
      const before = await view(t, cred, clusterId);
      const bytes = readFileSync(archive);
      const flipped = Buffer.from(bytes);
      for (let i = Math.floor(bytes.length / 2); i < Math.floor(bytes.length / 2) + 16; i++) flipped[i] ^= 0xff;
      const cases: [string, Buffer | (() => Promise<void>), RegExp][] = [
        ['damaged', flipped, /damaged/],
        ['truncated', bytes.subarray(0, Math.floor(bytes.length * 0.6)), /damaged|incomplete|truncated/],
        ['not an archive', randomBytes(4000), /damaged or not a logsnap state archive/],
      ];
      for (const [name, body, why] of cases) {
        const file = join(tmp, `${engine}-${name}.tar.gz`);
        writeFileSync(file, body as Buffer);
        const e = await adminOf(t).importState(file).then(() => null, (err: { status: number; code: string; message: string }) => err);
        assert.ok(e, `${name}: refused`);
        assert.deepEqual([e.status, e.code], [400, 'LOGSNAP.0400'], name);
        assert.match(e.message, why, name);
      }
      const keyCheck = new SecretBox(parseMasterKey(MASTER_KEY)).keyCheck();
      const crafted: [string, Record<string, unknown>, RegExp][] = [
        ['other version', { format: 'logsnap-state', version: 99, migrations: [], master_key_check: keyCheck }, /version 99; this logsnap reads version 1/],
        ['newer logsnap', { format: 'logsnap-state', version: 1, migrations: ['0001_platform', '9999_future_table'], master_key_check: keyCheck }, /9999_future_table/],
        ['other key', { format: 'logsnap-state', version: 1, migrations: [], master_key_check: 'x' }, /another master key/],
      ];
      for (const [name, header, why] of crafted) {
        const file = join(tmp, `${engine}-${name}.tar.gz`);
        await headerOnly(file, header);
        const e = await adminOf(t).importState(file).then(() => null, (err: { status: number; message: string }) => err);
        assert.equal(e?.status, 400, name);
        assert.match(e!.message, why, name);
      }
      assert.deepEqual(await view(t, cred, clusterId), before, 'nothing changed');
      // a logsnap with another master key cannot read the archive's secrets: refused before anything is written
      const other = await startTestMode({ engine, config: { security: { masterKey: randomBytes(32).toString('hex') } } });
      targets.push(other);
      const e = await adminOf(other).importState(archive).then(() => null, (err: { status: number; message: string }) => err);
      assert.equal(e?.status, 400);
      assert.match(e!.message, /another master key.*LOGSNAP_MASTER_KEY/);
      assert.equal((await adminRaw(other, 'GET', '/admin/v1/projects')).body.projects[0].id, other.projectId);
    });

    if (engine === 'sqlite') {
      test('CLI: logsnap state export from a data dir (a real process), import into an empty one; without the master key nothing is created', async () => {
        const file = join(tmp, 'cli.tar.gz');
        const env = { LOGSNAP_DATA_DIR: src.dataDir, LOGSNAP_MASTER_KEY: MASTER_KEY, LOGSNAP_LOG_LEVEL: 'silent' };
        const ex = await cli(['state', 'export', file], env);
        assert.equal(ex.code, 0, ex.stderr);
        const exported = /exported \d+ row\(s\) of \d+ table\(s\) and (\d+) object\(s\)/.exec(ex.stdout);
        assert.ok(exported, ex.stdout);
        assert.deepEqual(readdirSync(src.dataDir).filter((f) => f === 'admin-token'), [], 'no admin token generated into the data dir');
        // (the other runs call the command in this process, with its environment: quicker than a process each)
        const lines: string[] = [];
        const state = (argv: string[], e: Record<string, string>) => stateCommand(argv, { ...e, LOGSNAP_LOG_LEVEL: 'silent' }, (l) => lines.push(l));
        // without the master key: refused before anything is created
        const bare = join(tmp, 'no-key');
        await assert.rejects(state(['import', file], { LOGSNAP_DATA_DIR: bare }), (e: Error) => e instanceof StateArchiveError && /LOGSNAP_MASTER_KEY/.test(e.message));
        assert.equal(existsSync(bare), false);
        // the target's database has the same tables as the source's (zz_blobs included)
        const dataDir = join(tmp, 'cli-target');
        const databaseUrl = `sqlite:${join(dataDir, 'logsnap.db')}`;
        const prepared = await startTestMode({ dataDir, databaseUrl, config: { core: { bootstrap: false } } });
        await blobTable(prepared, 'sqlite');
        await prepared.close({ keep: true });
        assert.equal(await state(['import', file], { LOGSNAP_DATA_DIR: dataDir, LOGSNAP_MASTER_KEY: MASTER_KEY }), 0);
        // every object exported (the backup's files, its manifest, and the artifact set's manifest) is imported
        assert.match(lines.join('\n'), new RegExp(`imported \\d+ row\\(s\\) of \\d+ table\\(s\\) and ${exported[1]} object\\(s\\)`));
        assert.ok(Number(exported[1]) >= 3);
        const t = await startTestMode({ dataDir, databaseUrl, config: { core: { bootstrap: false } } });
        try {
          // (the test helper adds a credential of its own to the project it finds)
          const got = await view(t, cred, clusterId);
          got.credentials.credentials = got.credentials.credentials.filter((c: { ak: string }) => c.ak !== t.ak);
          assert.deepEqual(got, await view(src, cred, clusterId));
        } finally {
          await t.close({ keep: true });
        }
      });
    }
  });
}
