/**
 * Verify: every artifact of every service re-read and checked; one flipped byte, a truncation or
 * a deletion is named (CLI exit 1, admin API, metrics); the schedule runs once per slot across
 * two processes.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { engines, eventually, FakeClock, startServer, type TestServer } from '../helpers/server.js';
import { cli } from '../helpers/cli.js';
import { enginesSkip, flipByte, makeSources, useEtcd, produceAll, registerAll, type Clusters, type Sources } from './helpers.js';
import type { ArtifactReport } from '../../src/trust/verify.js';

const skipEngines = await enginesSkip();

describe('verify', { skip: skipEngines }, async () => {
  const etcd = useEtcd();

  for (const { engine, skip } of await engines()) {
    describe(`on ${engine}`, { skip }, () => {
      let s: TestServer;
      let src: Sources;
      let ids: Clusters;
      const clock = new FakeClock(Date.now());
      const admin = { authorization: 'Bearer test-admin-token-0123456789', 'content-type': 'application/json' };
      const objectPath = (bucket: string, key: string) => join(s.dataDir, 'objects', bucket, ...key.split('/'));
      const verify = (filter = {}) => s.rt.trust.verifier.run({ trigger: 'cli', filter });
      const env = () => ({ LOGSNAP_DATA_DIR: s.dataDir, DATABASE_URL: s.databaseUrl, LOGSNAP_LOG_LEVEL: 'silent' });

      before(async () => {
        src = makeSources();
        s = await startServer({ engine, clock });
        ids = await registerAll(s, src, etcd().endpoint);
        await produceAll(s, ids, { cssBackups: 2 });
      });
      after(async () => {
        await s?.close();
        await ids?.dwsDb.drop();
        rmSync(src.dir, { recursive: true, force: true });
      });

      /** the artifact of a service to damage: its largest data file (not a manifest) */
      const artifactOf = async (service: string): Promise<{ bucket: string; key: string }> => {
        const sets = await s.rt.db.kysely.selectFrom('trust_artifact_sets').selectAll().where('service', '=', service).execute();
        let best: { bucket: string; key: string; size: number } | undefined;
        for (const set of sets) {
          const { manifest } = await s.rt.trust.catalog.read(set.manifest_bucket, set.manifest_key);
          for (const f of manifest.files) if (f.role !== 'index' && (!best || f.stored.size > best.size)) best = { bucket: f.bucket, key: f.key, size: f.stored.size };
        }
        return best!;
      };

      test('an intact store verifies clean: every artifact of every service, through the admin API, with last-verified times and metrics', async () => {
        const sets = await s.rt.db.kysely.selectFrom('trust_artifact_sets').selectAll().execute();
        assert.deepEqual(new Set(sets.map((x) => x.service)), new Set(['css', 'dcs', 'cce', 'dws']));
        assert.equal(sets.filter((x) => x.service === 'dcs').length, 3, 'one set per run-log file');
        const started = await fetch(`${s.url}/admin/v1/verify`, { method: 'POST', headers: admin, body: '{}' });
        assert.equal(started.status, 202);
        const { job_id } = (await started.json()) as { job_id: string };
        const job = await eventually(async () => {
          const j = await s.rt.queue.get(job_id);
          return j?.state === 'SUCCEEDED' || j?.state === 'FAILED' ? j : undefined;
        }, 30_000, 'the verification job');
        assert.equal(job.state, 'SUCCEEDED', job.error ?? '');
        const state = (await (await fetch(`${s.url}/admin/v1/verify`, { headers: admin })).json()) as any;
        assert.equal(state.last_run.id, job_id);
        assert.equal(state.last_run.problems, 0);
        // 2 CSS sets (4 logs + their manifest.json + the catalogue manifest each), 3 DCS files, 1 CCE, 1 DWS (file + manifest each)
        assert.equal(state.last_run.sets, 7);
        assert.equal(state.last_run.artifacts, 2 * 6 + 5 * 2);
        assert.equal(state.sets.ok, 7);
        assert.equal(state.all_verified_since, clock.now());
        const arts = (await (await fetch(`${s.url}/admin/v1/artifacts?project_id=${s.projectId}`, { headers: admin })).json()) as any;
        assert.equal(arts.total, 7);
        for (const a of arts.artifact_sets) {
          assert.equal(a.last_status, 'ok');
          assert.equal(a.last_verified_at, clock.now());
        }
        const metrics = await (await fetch(`${s.url}/metrics`)).text();
        assert.match(metrics, new RegExp(`logsnap_verify_artifacts\\{result="ok"\\} ${state.last_run.artifacts}\\b`));
        assert.match(metrics, /logsnap_verify_artifacts\{result="altered"\} 0\b/);
        assert.match(metrics, /logsnap_artifact_sets\{state="ok"\} 7\b/);
        // a bad date is refused and starts nothing
        const bad = await fetch(`${s.url}/admin/v1/verify`, { method: 'POST', headers: admin, body: JSON.stringify({ since: 'yesterday-ish' }) });
        assert.equal(bad.status, 400);
        assert.match(((await bad.json()) as any).error_code, /^LOGSNAP\.0400$/);
      });

      test('filters: project, cluster, since', async () => {
        assert.equal((await verify({ clusterId: ids.cce })).sets, 1);
        assert.equal((await verify({ clusterId: ids.dcs })).sets, 3);
        assert.equal((await verify({ projectId: '0'.repeat(32) })).sets, 0);
        assert.equal((await verify({ since: clock.now() + 1 })).sets, 0);
        assert.equal((await verify({ since: clock.now() - 3600_000 })).sets, 7);
      });

      for (const service of ['css', 'dcs', 'cce', 'dws']) {
        test(`${service}: a flipped byte, a truncation and a deletion are each named (altered, truncated, missing)`, async () => {
          const a = await artifactOf(service);
          const path = objectPath(a.bucket, a.key);
          const original = readFileSync(path);
          const named = (r: ArtifactReport[], result: string) => r.find((p) => p.bucket === a.bucket && p.key === a.key && p.result === result);
          try {
            flipByte(path);
            let r = await verify();
            assert.ok(named(r.problems, 'altered'), `flipped: ${JSON.stringify(r.problems)}`);
            writeFileSync(path, original);
            truncateSync(path, Math.floor(original.length / 2));
            r = await verify();
            assert.ok(named(r.problems, 'truncated'), `truncated: ${JSON.stringify(r.problems)}`);
            rmSync(path);
            r = await verify();
            assert.ok(named(r.problems, 'missing'), `deleted: ${JSON.stringify(r.problems)}`);
            // only that object (and nothing else) is reported; the set is marked in the catalogue
            assert.deepEqual([...new Set(r.problems.map((p) => `${p.bucket}/${p.key}`))], [`${a.bucket}/${a.key}`]);
            const set = await s.rt.db.kysely.selectFrom('trust_artifact_sets').select(['last_status', 'last_problems']).where('service', '=', service)
              .where('last_status', '=', 'problems').execute();
            assert.ok(set.length >= 1);
          } finally {
            writeFileSync(path, original);
          }
          assert.equal((await verify()).problems.length, 0, 'restored: clean again');
        });
      }

      test('the CLI exits 1 naming every damaged object, 0 when all is well; a damaged manifest is named too', async () => {
        const gz = await artifactOf('css');
        const dump = await artifactOf('dws');
        const set = await s.rt.db.kysely.selectFrom('trust_artifact_sets').selectAll().where('service', '=', 'cce').executeTakeFirstOrThrow();
        const paths = [objectPath(gz.bucket, gz.key), objectPath(dump.bucket, dump.key), objectPath(set.manifest_bucket, set.manifest_key)];
        const originals = paths.map((p) => readFileSync(p));
        try {
          flipByte(paths[0]);
          truncateSync(paths[1], 100);
          flipByte(paths[2], 40);
          const r = await cli(['verify', '--project', s.projectId], env());
          assert.equal(r.code, 1, r.stderr);
          assert.match(r.stderr, new RegExp(`altered .*${gz.bucket}/${gz.key.replace(/[.]/g, '\\.')}`));
          assert.match(r.stderr, new RegExp(`truncated .*${dump.bucket}/${dump.key.replace(/[.]/g, '\\.')}`));
          assert.match(r.stderr, new RegExp(`altered .*manifest .*${set.manifest_key.replace(/[.]/g, '\\.')}`));
          assert.match(r.stdout, /7 sets, \d+ artifacts: \d+ ok, [3-9] with problems/, 'the reused CSS object counts once per set using it');
        } finally {
          paths.forEach((p, i) => writeFileSync(p, originals[i]));
        }
        const ok = await cli(['verify', '--quiet'], env());
        assert.equal(ok.code, 0, ok.stderr);
        assert.match(ok.stdout, /7 sets, \d+ artifacts: \d+ ok, 0 with problems/);
        const badSince = await cli(['verify', '--since', 'soon'], env());
        assert.equal(badSince.code, 2);
        assert.match(badSince.stderr, /--since "soon" is not a date/);
      });

      test('sets recorded before manifests existed: verify names the missing manifest, catalog backfill writes it', async () => {
        const old = await s.rt.db.kysely.selectFrom('trust_artifact_sets').selectAll().where('service', 'in', ['css', 'cce']).execute();
        const before_ = new Map<string, string[]>();
        for (const o of old) {
          const { manifest } = await s.rt.trust.catalog.read(o.manifest_bucket, o.manifest_key);
          before_.set(o.set_id, manifest.files.map((f) => `${f.bucket}/${f.key}:${f.size}:${f.sha256}`));
          // as a deployment upgraded from a logsnap without manifests has them
          await s.rt.trust.store.raw.delete(o.manifest_bucket, o.manifest_key);
          await s.rt.trust.catalog.forget(o.service, o.set_id);
        }
        const r = await verify();
        assert.deepEqual(new Set(r.problems.map((p) => `${p.set_id}:${p.role}:${p.result}`)), new Set(old.map((o) => `${o.set_id}:manifest:missing`)));
        assert.match(r.problems[0].detail!, /logsnap catalog backfill/);
        const b = await s.rt.trust.rebuilder.backfill();
        assert.deepEqual(b.failed, []);
        assert.deepEqual(new Set(b.written.map((w) => w.set_id)), new Set(old.map((o) => o.set_id)));
        for (const o of old) {
          const now = (await s.rt.trust.catalog.current(o.service, o.set_id))!;
          const { manifest } = await s.rt.trust.catalog.read(now.manifest_bucket, now.manifest_key);
          assert.deepEqual(manifest.files.map((f) => `${f.bucket}/${f.key}:${f.size}:${f.sha256}`), before_.get(o.set_id));
        }
        assert.deepEqual((await verify()).problems, []);
        assert.deepEqual((await s.rt.trust.rebuilder.backfill()).written, [], 'nothing left to backfill');
      });

      test('scheduled verification: one run per slot, however many processes tick', async () => {
        const b = await startServer({ engine, clock, dataDir: s.dataDir, databaseUrl: s.databaseUrl });
        try {
          const countSlots = async () => (await s.rt.db.kysely.selectFrom('jobs').select('id').where('kind', '=', 'trust.verify').where('unique_key', 'like', 'trust-verify:%').execute()).length;
          await Promise.all([s.rt.scheduler!.runOnce(), b.rt.scheduler!.runOnce()]);
          assert.equal(await countSlots(), 0, 'no run before the first slot (a day after the first start)');
          clock.advance(24 * 3600_000 + 1000);
          await Promise.all([s.rt.scheduler!.runOnce(), b.rt.scheduler!.runOnce(), s.rt.scheduler!.runOnce(), b.rt.scheduler!.runOnce()]);
          assert.equal(await countSlots(), 1);
          const run = await eventually(async () => {
            const r = await s.rt.db.kysely.selectFrom('trust_verify_runs').selectAll().where('trigger', '=', 'schedule').executeTakeFirst();
            return r?.state === 'DONE' ? r : undefined;
          }, 30_000, 'the scheduled run');
          assert.equal(run.problems, 0);
          assert.equal(run.sets, 7);
          await Promise.all([s.rt.scheduler!.runOnce(), b.rt.scheduler!.runOnce()]);
          assert.equal(await countSlots(), 1, 'the same slot is not run twice');
        } finally {
          await b.close({ keep: true });
        }
      });
    });
  }
});
