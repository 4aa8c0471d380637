/**
 * The failure-path crash harness (docs/jobs.md, "Failure model"). A real logsnap child process
 * runs one job of each kind under test at once; every job fails in its final commit (an injected
 * error in the SUCCEEDED transition), so its FAILED write, its record's failure and its clean-up's
 * outbox items commit together; the child takes the clean-up items and hangs in them (or, with
 * `no-outbox`, never takes them); it is SIGKILLed. A restarted logsnap on the same database and
 * folder must leave every record failed with its job's message, every job FAILED and nothing of the
 * jobs stored, within one lease plus one scheduler tick.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { openDb, type Db } from '../../src/db/index.js';
import { FsObjectStore } from '../../src/storage/fsStore.js';
import type { ObjectStore } from '../../src/storage/objectStore.js';
import type { OutboxRow } from '../../src/jobs/outbox.js';
import { eventually, PG_ADMIN_URL, startServer, type Engine, type TestServer } from '../helpers/server.js';
import { sdkClient, type HcClient } from '../helpers/sdk.js';

export const LEASE_S = 3;
export const TICK_S = 1;
export const FAILPATH_CONFIG = { jobs: { leaseSeconds: LEASE_S, scheduleSeconds: TICK_S, pollMs: 50, concurrency: 8, outboxConcurrency: 32 } };
/** one lease + one scheduler tick, plus room for a loaded shared machine (process start, polling) */
export const WITHIN_MS = (LEASE_S + TICK_S) * 1000 + 10_000;
export const INJECTED = 'injected: the success commit failed (test)';
export const INJECTED_MESSAGE = `internal error: ${INJECTED}`;

const CHILD = fileURLToPath(new URL('./child.ts', import.meta.url));

export interface Parts {
  db: Db;
  store: ObjectStore;
}

export interface Scenario<C = any> {
  name: string;
  /** on a first server (same data): clusters, settings, snapshots the job needs */
  prepare(s: TestServer): Promise<C>;
  /** start the job through the child's API; its job id */
  start(client: (prefix?: string) => HcClient, ctx: C): Promise<string>;
  /** what of this job is still stored (object keys, databases) */
  leftovers(p: Parts, ctx: C, jobId: string): Promise<string[]>;
  /** the service record as stored: failed (neither in progress nor done), and the message it shows */
  record(p: Parts, ctx: C, jobId: string): Promise<{ failed: boolean; message: string | null }>;
}

export interface Outcome {
  /** per scenario name */
  ctx: Record<string, any>;
  jobIds: Record<string, string>;
  /** the restarted logsnap (close with done()) */
  server: TestServer;
  done(): Promise<void>;
}

async function cleanupItems(db: Db, jobId: string): Promise<OutboxRow[]> {
  const rows = await db.kysely.selectFrom('outbox').selectAll().execute();
  return rows.filter((r) => r.payload.includes(jobId));
}

export async function crashAfterFailedCommit(engine: Engine, mode: 'hang' | 'no-outbox', scenarios: Scenario[]): Promise<Outcome> {
  const prep = await startServer({ engine, config: FAILPATH_CONFIG });
  const { dataDir, databaseUrl, ak, sk, projectId } = prep;
  const ctx: Record<string, any> = {};
  try {
    for (const sc of scenarios) ctx[sc.name] = await sc.prepare(prep);
  } finally {
    await prep.close({ keep: true });
  }
  const drop = async () => {
    rmSync(dataDir, { recursive: true, force: true });
    if (engine === 'postgres') {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${new URL(databaseUrl).pathname.slice(1)} WITH (FORCE)`);
      await c.end();
    }
  };
  const parts: Parts = {
    db: openDb(databaseUrl),
    store: new FsObjectStore(join(dataDir, 'objects'), { key: Buffer.alloc(32), baseUrl: () => 'http://unused' }),
  };
  const jobIds: Record<string, string> = {};
  let server: TestServer | undefined;
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify({ dataDir, databaseUrl, mode })], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const { url } = await new Promise<{ url: string }>((resolve, reject) => {
        let buf = '';
        child.stdout!.on('data', (d) => {
          buf += d;
          if (buf.includes('\n')) resolve(JSON.parse(buf.split('\n')[0]));
        });
        child.on('exit', (code) => reject(new Error(`the logsnap child exited early (${code})`)));
      });
      const client = (prefix = '') => sdkClient(url + prefix, { ak, sk, projectId });
      for (const sc of scenarios) jobIds[sc.name] = await sc.start(client, ctx[sc.name]);
      for (const sc of scenarios) {
        const jobId = jobIds[sc.name];
        const failed = await eventually(async () => {
          const j = await parts.db.kysely.selectFrom('jobs').selectAll().where('id', '=', jobId).executeTakeFirst();
          return j?.state === 'FAILED' ? j : undefined;
        }, 60_000, `${sc.name}: the child's job to fail in its commit`);
        assert.equal(failed.error, INJECTED_MESSAGE, sc.name);
        // committed together with FAILED: the record's failure and the clean-up's outbox items
        assert.deepEqual(await sc.record(parts, ctx[sc.name], jobId), { failed: true, message: INJECTED_MESSAGE }, `${sc.name}: the record failed in the FAILED transaction`);
        const items = await eventually(async () => {
          const rows = await cleanupItems(parts.db, jobId);
          // hang: the child took every clean-up item and hangs in it; no-outbox: nobody took them
          return rows.length > 0 && rows.every((r) => r.state === 'PENDING' && (mode === 'hang' ? r.lease_owner !== null : r.attempts === 0)) ? rows : undefined;
        }, 10_000, `${sc.name}: the clean-up to be pending${mode === 'hang' ? ' in the child' : ''}`);
        assert.ok(items.length > 0);
        assert.notDeepEqual(await sc.leftovers(parts, ctx[sc.name], jobId), [], `${sc.name}: the job left something behind when its process died`);
      }
    } finally {
      child.kill('SIGKILL');
      await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r)));
    }
    // restart on the same database and folder
    server = await startServer({ dataDir, databaseUrl, config: FAILPATH_CONFIG });
    for (const sc of scenarios) {
      const jobId = jobIds[sc.name];
      await eventually(async () => (await sc.leftovers(parts, ctx[sc.name], jobId)).length === 0, WITHIN_MS, `${sc.name}: nothing of the job to remain, within one lease + one tick`);
      assert.deepEqual(await sc.record(parts, ctx[sc.name], jobId), { failed: true, message: INJECTED_MESSAGE }, sc.name);
      const j = await server.rt.queue.get(jobId);
      assert.equal(j?.state, 'FAILED', sc.name);
      assert.equal(j?.active_key, null, sc.name);
      const items = await eventually(async () => {
        const rows = await cleanupItems(parts.db, jobId);
        return rows.every((r) => r.state === 'DONE') ? rows : undefined;
      }, WITHIN_MS, `${sc.name}: the clean-up items to be done`);
      // hang: the dead child's attempt, then the restarted process's once the child's lease expired
      for (const r of items) assert.equal(r.attempts, mode === 'hang' ? 2 : 1, `${sc.name}: ${r.topic} attempts`);
    }
    await parts.db.close();
    const s = server;
    return {
      ctx, jobIds, server: s,
      async done() {
        await s.close({ keep: true });
        await drop();
      },
    };
  } catch (e) {
    await parts.db.close().catch(() => undefined);
    await server?.close({ keep: true });
    await drop();
    throw e;
  }
}

export async function keysUnder(store: ObjectStore, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of store.list(bucket, prefix)) keys.push(o.key);
  return keys;
}
