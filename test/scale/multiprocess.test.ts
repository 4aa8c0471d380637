/**
 * Issue 7, the multi-process proof: three real `logsnap serve` processes (child processes started
 * like an operator would) share ONE PostgreSQL database and ONE S3-compatible store (s3rver started
 * in this test process). Every call goes through the official Huawei SDK signer, spread over the
 * three processes. PostgreSQL only: skipped when it is unreachable, never when CI=true.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { stringify as toYaml } from 'yaml';
import { createPgDatabase, engines } from '../helpers/server.js';
import { sdkClient, type HcClient } from '../helpers/sdk.js';
import { startS3, S3RVER_KEY, S3RVER_SECRET, type TestS3 } from '../storage/s3rver.js';
import { S3ObjectStore } from '../../src/storage/s3Store.js';
import { writeLogFile } from '../../src/services/css/sampleLogs.js';
import { cssOps, OPEN } from '../css/helpers.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const pgEngine = (await engines()).find((e) => e.engine === 'postgres')!;

const PROJECT_ID = 'a11ce5ca1e0000000000000000000007';
const AK = 'SCALEAK0000000000007';
const SK = 'scale-secret-key-0123456789-abcdefghijklmnop';
const ADMIN_TOKEN = 'scale-admin-token-0123456789';
const MASTER_KEY = randomBytes(32).toString('hex');
/** short leases so a dead worker is noticed quickly, long enough for heart-beats on a loaded machine */
const LEASE_SECONDS = 6;
const BACKUP_KIND = 'css.log-backup';

const SMALL = Array.from({ length: 20 }, (_, i) => `scale-c${String(i).padStart(2, '0')}`);
const RACE = 'scale-race';
const BIG = 'scale-big';
const AUTO = 'scale-auto';
const ALL = [...SMALL, RACE, BIG, AUTO];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll `fn` until it returns a value other than undefined; bounded by `timeoutMs`. */
async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number, everyMs = 200): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${diagnostics()}`);
    await sleep(everyMs);
  }
}

interface Proc {
  name: string;
  child: ChildProcess;
  url: string;
  worker: string;
  client: HcClient;
  /** job ids this process logged as succeeded ("job succeeded" info lines) */
  succeeded: Set<string>;
  tail: string[];
  exited: boolean;
}
const procs: Proc[] = [];
const children: ChildProcess[] = [];

function diagnostics(): string {
  return procs.map((p) => `--- ${p.name} (${p.worker}${p.exited ? ', exited' : ''}) last lines:\n${p.tail.slice(-15).join('\n')}`).join('\n');
}

/** Start `logsnap serve --config <yaml>`; resolves once the banner and the worker id were printed. */
function serve(name: string, configFile: string, env: Record<string, string>): Promise<Proc> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src', 'cli', 'main.ts'), 'serve', '--config', configFile], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const p: Proc = { name, child, url: '', worker: '', client: undefined as unknown as HcClient, succeeded: new Set(), tail: [], exited: false };
  return new Promise<Proc>((resolve, reject) => {
    let buf = '';
    const onLine = (line: string) => {
      p.tail.push(line);
      if (p.tail.length > 200) p.tail.shift();
      if (line.startsWith('{')) {
        try {
          const j = JSON.parse(line) as { msg?: string; worker?: string; job_id?: string };
          if (j.msg === 'job worker started' && j.worker) p.worker = j.worker;
          if (j.msg === 'job succeeded' && j.job_id) p.succeeded.add(j.job_id);
        } catch {
          /* not a log line */
        }
      } else {
        const m = /listening on (http:\/\/\S+)/.exec(line);
        if (m) p.url = m[1];
      }
      if (p.url && p.worker && !p.client) {
        p.client = sdkClient(`${p.url}/css`, { ak: AK, sk: SK, projectId: PROJECT_ID });
        resolve(p);
      }
    };
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        onLine(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
    });
    child.stderr!.on('data', (d: Buffer) => {
      p.tail.push(`[stderr] ${d.toString('utf8').trimEnd()}`);
      if (p.tail.length > 200) p.tail.shift();
    });
    child.on('exit', (code, signal) => {
      p.exited = true;
      reject(new Error(`${name} exited (${code ?? signal}) before it was ready:\n${p.tail.join('\n')}`));
    });
  });
}

async function killAll(): Promise<void> {
  await Promise.all(
    children.map(async (c) => {
      if (c.exitCode !== null || c.signalCode !== null) return;
      const gone = new Promise((r) => c.once('exit', r));
      c.kill('SIGKILL');
      await gone;
    }),
  );
}

describe('three logsnap processes on one PostgreSQL and one S3 store', { skip: pgEngine.skip, timeout: 15 * 60_000 }, () => {
  let s3: TestS3;
  let db: Awaited<ReturnType<typeof createPgDatabase>> | undefined;
  let sql: pg.Client;
  let store: S3ObjectStore;
  let tmp: string;

  const jobsOf = async (clusterIds: string[]) =>
    (await sql.query<{ id: string; state: string; attempts: number; lease_owner: string | null; progress: number; error: string | null; unique_key: string | null; cluster_id: string }>(
      'SELECT id, state, attempts, lease_owner, progress, error, unique_key, cluster_id FROM jobs WHERE kind = $1 AND cluster_id = ANY($2) ORDER BY created_at',
      [BACKUP_KIND, clusterIds],
    )).rows;
  const alive = () => procs.filter((p) => !p.exited);
  const records = async (c: HcClient, id: string) => (await cssOps(c, id).records({ limit: 1000 })).clusterLogRecord as { jobId: string; status: string; jobTypes: string; createAt: number; failedMsg: string | null }[];
  /** wait until the record of `jobId` is no longer RUNNING (polled through the live processes in turn) */
  const finished = async (id: string, jobId: string, timeoutMs = 180_000) => {
    let turn = 0;
    return waitFor(`record ${jobId} of ${id} to finish`, async () => {
      const live = alive();
      const rec = (await records(live[turn++ % live.length].client, id)).find((r) => r.jobId === jobId);
      return rec && rec.status !== 'RUNNING' ? rec : undefined;
    }, timeoutMs, 250);
  };

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'logsnap-scale-'));
    s3 = await startS3('logsnap-scale');
    db = await createPgDatabase('logsnap_scale');
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    store = new S3ObjectStore({ endpoint: s3.endpoint, region: 'us-east-1', bucket: s3.bucket, credentials: { accessKeyId: S3RVER_KEY, secretAccessKey: S3RVER_SECRET }, forcePathStyle: true, partSize: 8 << 20 });

    // log folders: tiny ones for the many-jobs test; a medium one for the race (its backup lasts a few
    // seconds, far longer than the burst of 50 requests takes to arrive, so every other request meets
    // an active backup); a large one for the kill (several seconds, several objects)
    const logDir = (id: string) => join(tmp, 'logs', id, 'es-1');
    for (const id of [...SMALL, AUTO]) {
      for (let f = 0; f < 3; f++) await writeLogFile(join(logDir(id), f === 0 ? `${id}.log` : `${id}.log.${f}`), 2048 + f * 1000, { seed: f + 1 });
    }
    for (let f = 0; f < 4; f++) await writeLogFile(join(logDir(RACE), `race.log.${f + 1}`), 40 << 20, { seed: f + 1 });
    for (let f = 0; f < 10; f++) await writeLogFile(join(logDir(BIG), `big.log.${f + 1}`), 48 << 20, { seed: f + 11 });

    const config = {
      projects: [{
        id: PROJECT_ID,
        name: 'scale',
        credentials: [{ ak: AK, sk: SK, description: 'scale test' }],
        clusters: ALL.map((id) => ({ id, service: 'css', name: id, engine: { nodes: [{ name: 'es-1', ip: '10.0.0.1', logDir: logDir(id) }] } })),
      }],
    };
    const configFile = join(tmp, 'logsnap.yaml');
    writeFileSync(configFile, toYaml(config));
    const env = (i: number): Record<string, string> => {
      const dataDir = join(tmp, `data-${i}`);
      mkdirSync(dataDir);
      return {
        DATABASE_URL: db!.url,
        LOGSNAP_DATA_DIR: dataDir,
        LOGSNAP_PORT: '0',
        LOGSNAP_HOST: '127.0.0.1',
        LOGSNAP_MASTER_KEY: MASTER_KEY,
        LOGSNAP_ADMIN_TOKEN: ADMIN_TOKEN,
        LOGSNAP_BOOTSTRAP: 'false',
        LOGSNAP_DEMO: 'false',
        LOGSNAP_ROLE: 'all',
        LOGSNAP_LOG_LEVEL: 'info',
        LOGSNAP_JOB_LEASE_SECONDS: String(LEASE_SECONDS),
        LOGSNAP_SCHEDULE_SECONDS: '1',
        LOGSNAP_JOB_POLL_MS: '100',
        LOGSNAP_STORAGE: 's3',
        LOGSNAP_S3_ENDPOINT: s3.endpoint,
        LOGSNAP_S3_BUCKET: s3.bucket,
        LOGSNAP_S3_ACCESS_KEY_ID: S3RVER_KEY,
        LOGSNAP_S3_SECRET_ACCESS_KEY: S3RVER_SECRET,
        LOGSNAP_S3_FORCE_PATH_STYLE: 'true',
      };
    };
    // started together: migrations (advisory lock) and the config seeding race on purpose
    const started = await Promise.all([0, 1, 2].map((i) => serve(`p${i}`, configFile, env(i))));
    for (const p of started) {
      procs.push(p);
      p.child.on('exit', () => (p.exited = true));
    }
    assert.equal(new Set(procs.map((p) => p.worker)).size, 3, 'three distinct worker ids');
    // log backup on for every cluster (any process)
    await Promise.all(ALL.map((id, i) => cssOps(procs[i % 3].client, id).open(OPEN)));
  }, { timeout: 300_000 });

  after(async () => {
    await killAll();
    store?.destroy();
    await sql?.end().catch(() => undefined);
    await db?.drop();
    await s3?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  test('50 concurrent CreateLogBackup for one cluster over 3 processes: one 200, 49 × 409 CSS.0011; the backup succeeds', async () => {
    const results = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => cssOps(procs[i % 3].client, RACE).collect()));
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as { httpStatusCode: number; errorCode?: string }] : []));
    assert.equal(ok.length, 1, `exactly one accepted; refusals: ${JSON.stringify(refused.slice(0, 3))}`);
    assert.equal((ok[0] as PromiseFulfilledResult<{ httpStatusCode: number }>).value.httpStatusCode, 200);
    assert.equal(refused.length, 49);
    for (const e of refused) assert.deepEqual([e.httpStatusCode, e.errorCode], [409, 'CSS.0011']);
    const recs = await records(procs[1].client, RACE);
    assert.equal(recs.length, 1, 'the refused requests left no record');
    const done = await finished(RACE, recs[0].jobId);
    assert.equal(done.status, 'SUCCESS', JSON.stringify(done));
    const jobs = await jobsOf([RACE]);
    assert.deepEqual(jobs.map((j) => [j.id, j.state, j.attempts]), [[recs[0].jobId, 'SUCCEEDED', 1]]);
    // the artifacts are in the shared S3 bucket
    const manifest = await store.head('css-logs', `css/log/${RACE}/${recs[0].jobId}/manifest.json`);
    assert.ok(manifest && manifest.size > 0, 'manifest.json in the S3 store');
  });

  test('200 backups over 20 clusters, requests spread over the processes: each runs exactly once', async () => {
    const PER_CLUSTER = 10;
    await Promise.all(
      SMALL.map(async (id, c) => {
        const seen = new Set<string>();
        for (let i = 0; i < PER_CLUSTER; i++) {
          const p = procs[(c + i) % 3];
          assert.equal((await cssOps(p.client, id).collect()).httpStatusCode, 200);
          const fresh = (await records(procs[(c + i + 1) % 3].client, id)).filter((r) => !seen.has(r.jobId));
          assert.equal(fresh.length, 1, `one new record for ${id} after backup #${i + 1}`);
          seen.add(fresh[0].jobId);
          const done = await finished(id, fresh[0].jobId);
          assert.equal(done.status, 'SUCCESS', `${id} backup #${i + 1}: ${JSON.stringify(done)}`);
        }
      }),
    );
    // every record, through each process
    for (const [c, id] of SMALL.entries()) {
      const recs = await records(procs[c % 3].client, id);
      assert.equal(recs.length, PER_CLUSTER, id);
      assert.ok(recs.every((r) => r.status === 'SUCCESS' && r.jobTypes === 'Manual'), id);
    }
    // the jobs table: 200 backup jobs, each claimed once and succeeded
    const jobs = await jobsOf(SMALL);
    assert.equal(jobs.length, SMALL.length * PER_CLUSTER);
    const bad = jobs.filter((j) => j.state !== 'SUCCEEDED' || Number(j.attempts) !== 1);
    assert.deepEqual(bad, [], 'every job SUCCEEDED at its first attempt');
    // which worker ran each job: every job id is logged as succeeded by exactly one process
    const ranBy = new Map<string, string[]>();
    for (const p of procs) for (const id of p.succeeded) ranBy.set(id, [...(ranBy.get(id) ?? []), p.worker]);
    const distribution: Record<string, number> = Object.fromEntries(procs.map((p) => [p.worker, 0]));
    for (const j of jobs) {
      const owners = ranBy.get(j.id) ?? [];
      assert.equal(owners.length, 1, `job ${j.id} ran on ${owners.length} workers (${owners.join(', ')})`);
      distribution[owners[0]]++;
    }
    console.log(`# jobs per worker: ${JSON.stringify(distribution)}`);
    assert.ok(Object.values(distribution).filter((n) => n > 0).length > 1, `more than one worker took part: ${JSON.stringify(distribution)}`);
  });

  test('SIGKILL of the worker running a backup: the job ends FAILED, its record FAIL, no object left; the others keep serving', async () => {
    const starter = procs[0];
    assert.equal((await cssOps(starter.client, BIG).collect()).httpStatusCode, 200);
    const jobId = (await records(starter.client, BIG))[0].jobId;
    const prefix = `css/log/${BIG}/${jobId}/`;
    const keys = async () => {
      const out: string[] = [];
      for await (const o of store.list('css-logs', prefix)) out.push(o.key);
      return out;
    };
    // the job is RUNNING, has made progress and already stored objects, and we know whose lease it is
    const running = await waitFor('the large backup to be RUNNING with progress > 0 and a first object stored', async () => {
      const stored = await keys();
      const j = (await jobsOf([BIG])).find((x) => x.id === jobId);
      if (j && j.state !== 'QUEUED' && j.state !== 'RUNNING') throw new Error(`the large backup ended before it could be killed: ${JSON.stringify(j)}`);
      return j?.state === 'RUNNING' && Number(j.progress) > 0 && j.lease_owner && stored.length > 0 ? { ...j, stored } : undefined;
    }, 120_000, 100);
    const victim = procs.find((p) => p.worker === running.lease_owner);
    assert.ok(victim, `the lease owner ${running.lease_owner} is one of ${procs.map((p) => p.worker).join(', ')}`);
    console.log(`# killing ${victim.name} (${victim.worker}) at progress ${running.progress}% with ${running.stored.length} object(s) stored`);
    const gone = new Promise((r) => victim.child.once('exit', r));
    victim.child.kill('SIGKILL');
    await gone;
    victim.exited = true;

    const rec = await finished(BIG, jobId, 120_000);
    assert.equal(rec.status, 'FAIL');
    assert.ok(rec.failedMsg?.includes(`the worker running this job (${victim.worker}) stopped responding; its lease expired at `), rec.failedMsg ?? 'no failedMsg');
    assert.match(rec.failedMsg ?? '', /this kind of job is not retried automatically: start it again/);
    const [job] = (await jobsOf([BIG])).filter((j) => j.id === jobId);
    assert.deepEqual([job.state, Number(job.attempts)], ['FAILED', 1], 'not retried');
    assert.equal(job.error, rec.failedMsg);
    // the failure committed the record FAIL with a clean-up item; the outbox deletes the objects just after
    await waitFor(`no object of the killed backup to be visible in the S3 store (before the kill: ${running.stored.join(', ')})`, async () => ((await keys()).length === 0 ? true : undefined), 30_000, 100);

    // the two survivors keep serving: a new backup of the same cluster (its active key was released) succeeds
    const survivors = alive();
    assert.equal(survivors.length, 2);
    const second = survivors[1];
    assert.equal((await cssOps(second.client, BIG).collect()).httpStatusCode, 200);
    const again = (await records(survivors[0].client, BIG)).find((r) => r.jobId !== jobId)!;
    assert.equal((await finished(BIG, again.jobId, 300_000)).status, 'SUCCESS');
  });

  test('the daily automatic backup fires exactly once for its slot across the surviving processes', async () => {
    const survivors = alive();
    assert.ok(survivors.length >= 2);
    // the next whole UTC minute at least 20 s ahead; the slot is due from that instant on
    const slot = Math.ceil((Date.now() + 20_000) / 60_000) * 60_000;
    const d = new Date(slot);
    const period = `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')} GMT+00:00`;
    const policy = await cssOps(survivors[0].client, AUTO).policy(period);
    assert.equal(policy.httpStatusCode, 200);
    const settings = (await cssOps(survivors[1].client, AUTO).settings()).logConfiguration;
    assert.deepEqual([settings.autoEnable, settings.period], [true, period]);
    assert.deepEqual(await records(survivors[1].client, AUTO), [], 'nothing before the slot');

    const auto = await waitFor(`the Auto record of the ${period} slot`, async () => {
      const recs = await records(survivors[0].client, AUTO);
      return recs.length ? recs : undefined;
    }, 180_000, 500);
    assert.equal(auto.length, 1);
    assert.equal(auto[0].jobTypes, 'Auto');
    assert.ok(auto[0].createAt >= slot, 'not before its slot');
    assert.equal((await finished(AUTO, auto[0].jobId)).status, 'SUCCESS');
    // a few more scheduler ticks in each process (every second) must not add another
    await sleep(5_000);
    for (const p of survivors) {
      const recs = await records(p.client, AUTO);
      assert.deepEqual(recs.map((r) => [r.jobId, r.jobTypes]), [[auto[0].jobId, 'Auto']], `one Auto record, seen from ${p.name}`);
    }
    const jobs = await jobsOf([AUTO]);
    assert.deepEqual(jobs.map((j) => [j.id, j.state, j.unique_key]), [[auto[0].jobId, 'SUCCEEDED', `css-auto:${AUTO}:${slot}`]]);
  });
});
