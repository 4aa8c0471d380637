/**
 * Start a real logsnap server for a test: fresh data dir, fresh database (a SQLite file,
 * or a new PostgreSQL database on 127.0.0.1:5432), free port, first-start project with AK/SK.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { deepMerge, loadConfig } from '../../src/config/load.js';
import { createRuntime, type Runtime, type RuntimeOptions } from '../../src/runtime.js';
import type { Clock } from '../../src/jobs/queue.js';
import { hex32 } from '../../src/security/ids.js';
import { sdkClient, type HcClient } from './sdk.js';

export type Engine = 'sqlite' | 'postgres';

export const PG_ADMIN_URL = process.env.LOGSNAP_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

let pgAvailable: Promise<boolean> | undefined;
export function postgresAvailable(): Promise<boolean> {
  pgAvailable ??= (async () => {
    const c = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
    try {
      await c.connect();
      await c.query('select 1');
      return true;
    } catch {
      return false;
    } finally {
      await c.end().catch(() => undefined);
    }
  })();
  return pgAvailable;
}

/**
 * The engines to run a suite on. PostgreSQL is skipped (with a reason) when not reachable,
 * except under CI=true, where a missing engine is a failure.
 */
export async function engines(): Promise<{ engine: Engine; skip: string | false }[]> {
  const ok = await postgresAvailable();
  if (!ok && process.env.CI === 'true') throw new Error(`CI=true but PostgreSQL is not reachable at ${PG_ADMIN_URL}`);
  return [
    { engine: 'sqlite', skip: false },
    { engine: 'postgres', skip: ok ? false : `PostgreSQL not reachable at ${PG_ADMIN_URL}` },
  ];
}

/** Create an empty PostgreSQL database; returns its URL and a drop function. */
export async function createPgDatabase(prefix = 'logsnap_t'): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `${prefix}_${hex32().slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    name,
    async drop() {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** An empty database of either engine (a SQLite file in a temp folder, or a new PostgreSQL database). */
export async function scratchDatabase(engine: Engine, prefix = 'logsnap_x'): Promise<{ url: string; cleanup(): Promise<void> }> {
  if (engine === 'postgres') {
    const d = await createPgDatabase(prefix);
    return { url: d.url, cleanup: d.drop };
  }
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  return { url: `sqlite:${join(dir, 'x.db')}`, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
}

export class FakeClock implements Clock {
  constructor(public t = Date.now()) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

export interface TestServer {
  url: string;
  rt: Runtime;
  projectId: string;
  ak: string;
  sk: string;
  adminToken: string;
  dataDir: string;
  databaseUrl: string;
  /** an official-SDK client signed with the first-start AK/SK; optional path prefix (e.g. '/css') */
  client(prefix?: string): HcClient;
  /** stop the server; keep=true leaves the data dir and database (restart tests) */
  close(opts?: { keep?: boolean }): Promise<void>;
}

export interface StartOptions {
  engine?: Engine;
  clock?: Clock;
  /** config overrides (same shape as the YAML file) */
  config?: Record<string, unknown>;
  env?: Record<string, string>;
  /** reuse an existing data dir / database (restart) */
  dataDir?: string;
  databaseUrl?: string;
  services?: RuntimeOptions['services'];
  store?: RuntimeOptions['store'];
  jobEvents?: RuntimeOptions['jobEvents'];
  /** the clock stored objects' ages are measured against (default: the wall clock) */
  storeClock?: Clock;
  /** capture the JSON log lines (secrets-in-logs tests) */
  logLines?: string[];
}

export async function startServer(opts: StartOptions = {}): Promise<TestServer> {
  const engine = opts.engine ?? 'sqlite';
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'logsnap-test-'));
  let dropDb: (() => Promise<void>) | undefined;
  let databaseUrl = opts.databaseUrl;
  if (!databaseUrl) {
    if (engine === 'postgres') {
      const d = await createPgDatabase();
      databaseUrl = d.url;
      dropDb = d.drop;
    } else databaseUrl = `sqlite:${join(dataDir, 'logsnap.db')}`;
  }
  const config = loadConfig({
    env: { ...(opts.env ?? {}) },
    overrides: deepMerge(
      {
        core: { dataDir, demo: false },
        server: { port: 0, logLevel: process.env.LOGSNAP_TEST_LOG ?? 'silent' },
        database: { url: databaseUrl },
        security: { adminToken: 'test-admin-token-0123456789' },
        jobs: { pollMs: 50, leaseSeconds: 6, scheduleSeconds: 1, drainSeconds: 5 },
      },
      opts.config ?? {},
    ),
  });
  const logger = opts.logLines
    ? (pino({ level: 'debug' }, { write: (line: string) => void opts.logLines!.push(line) }) as unknown as RuntimeOptions['logger'])
    : undefined;
  const rt = await createRuntime({ config, clock: opts.clock, services: opts.services, store: opts.store, logger, jobEvents: opts.jobEvents, storeClock: opts.storeClock });
  const url = await rt.listen();
  let projectId: string;
  let ak: string;
  let sk: string;
  if (rt.start?.sk) {
    ({ projectId, ak, sk } = rt.start as { projectId: string; ak: string; sk: string });
  } else {
    const p = rt.start?.projectId ?? (await rt.deps.projects.ensure({ name: 'default' })).id;
    projectId = p;
    ({ ak, sk } = await rt.deps.projects.addCredential(p));
  }
  return {
    url, rt, projectId, ak, sk, dataDir, databaseUrl,
    adminToken: 'test-admin-token-0123456789',
    client: (prefix = '') => sdkClient(url + prefix, { ak, sk, projectId }),
    async close({ keep = false } = {}) {
      await rt.close();
      if (!keep) {
        await dropDb?.();
        if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}

/** Poll until fn returns a truthy value (jobs are asynchronous); fails after timeoutMs. */
export async function eventually<T>(fn: () => Promise<T | undefined | null | false>, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
