/**
 * `logsnap/testing`: an in-process logsnap for your own test suites (node:test, Vitest, Jest).
 *
 *   import { startLogsnap } from 'logsnap/testing';
 *   const ls = await startLogsnap();
 *   // point the Huawei SDK at ls.endpoint with BasicCredentials(ls.ak, ls.sk, ls.projectId)
 *   await ls.clock.advance('25h');
 *   await ls.close();
 *
 * It starts a real server on a free loopback port over a temporary data dir (SQLite, or a
 * PostgreSQL database you name), in test mode, with a project and an AK/SK. The handles talk to
 * the server's admin API, exactly as they would to a logsnap running elsewhere. See docs/testing.md.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { deepMerge, loadConfig } from '../config/load.js';
import { createRuntime, type Runtime } from '../runtime.js';
import { AdminClient, AdminApiError, type RegisteredCluster } from '../testmode/adminClient.js';
import type { FaultInput, FaultRule } from '../testmode/faults.js';
import type { AdvanceResult } from '../testmode/levers.js';
import type { ResetResult } from '../testmode/reset.js';
import type { StateSummary } from '../testmode/state.js';

export type { AdvanceResult, FaultInput, FaultRule, RegisteredCluster, ResetResult, StateSummary };
export { AdminApiError, AdminClient };
export { parseDuration } from '../testmode/clock.js';

/**
 * The master key of test servers unless you pass one: every `startLogsnap` server shares it, so a
 * state archive exported by one imports into another. A test key for temporary data, nothing else.
 */
export const TEST_MASTER_KEY = createHash('sha256').update('logsnap/testing master key (test data only)').digest('hex');

export interface StartLogsnapOptions {
  /** `postgres://…` to keep the state in PostgreSQL (an empty database); default SQLite in the data dir */
  databaseUrl?: string;
  /** data dir (default: a new temporary folder, removed by close()) */
  dataDir?: string;
  /** a state archive (`logsnap state export`, `ls.state.export`) to start from */
  state?: string;
  /** default TEST_MASTER_KEY */
  masterKey?: string;
  /** `silent` (default), `info`, `debug`… */
  logLevel?: string;
  /** any configuration, in the config file's shape (e.g. `{ core: { timeZone: 'UTC' } }`) */
  config?: Record<string, unknown>;
}

export interface Logsnap {
  /** the base URL: `ClientBuilder.withEndpoint(ls.endpoint)` (or `${ls.endpoint}/css` …) */
  endpoint: string;
  projectId: string;
  ak: string;
  sk: string;
  /** bearer token of the admin API */
  adminToken: string;
  dataDir: string;
  clock: {
    /** test time, epoch ms */
    now(): Promise<number>;
    /** seconds, or `'90s'`, `'25h'`, `'7d'`, `'1d12h'`; what became due is scheduled before it resolves */
    advance(by: number | string): Promise<AdvanceResult>;
  };
  faults: {
    add(rule: FaultInput): Promise<FaultRule>;
    list(): Promise<FaultRule[]>;
    get(id: string): Promise<FaultRule>;
    remove(id: string): Promise<void>;
    clear(): Promise<void>;
    release(id: string): Promise<FaultRule>;
  };
  /** remove records, jobs, stored objects and faults (of every project, or one); keep projects, credentials, clusters */
  reset(opts?: { projectId?: string }): Promise<ResetResult>;
  /** register a cluster in the project (CSS nodes' log folders, DCS Redis nodes, CCE etcd endpoints, DWS PostgreSQL URL) */
  registerCluster(c: { service: 'css' | 'dcs' | 'cce' | 'dws'; name: string; engine: Record<string, unknown>; id?: string; status?: string }): Promise<RegisteredCluster>;
  state: {
    export(file: string): Promise<void>;
    import(file: string): Promise<StateSummary>;
  };
  /** the admin API client behind the handles */
  admin: AdminClient;
  /** the running server (advanced use: its database, store, job queue) */
  runtime: Runtime;
  /** stop the server; the temporary data dir is removed */
  close(): Promise<void>;
}

export async function startLogsnap(opts: StartLogsnapOptions = {}): Promise<Logsnap> {
  const ownDir = !opts.dataDir;
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'logsnap-testing-'));
  const adminToken = `lsa_test_${randomBytes(16).toString('hex')}`;
  const config = loadConfig({
    env: {},
    overrides: deepMerge(
      {
        core: { dataDir, testMode: true, bootstrap: true, demo: false },
        server: { host: '127.0.0.1', port: 0, logLevel: opts.logLevel ?? 'silent' },
        ...(opts.databaseUrl ? { database: { url: opts.databaseUrl } } : {}),
        security: { adminToken, masterKey: opts.masterKey ?? TEST_MASTER_KEY },
        // quick turns for tests: new jobs start within 50 ms, schedules tick every second, dead workers are noticed in seconds
        jobs: { pollMs: 50, leaseSeconds: 3, scheduleSeconds: 1, drainSeconds: 2 },
      },
      opts.config ?? {},
    ),
  });
  let rt: Runtime | undefined;
  try {
    rt = await createRuntime({ config });
    const endpoint = await rt.listen();
    const admin = new AdminClient(endpoint, adminToken);
    let projectId: string;
    let ak: string;
    let sk: string;
    if (rt.start?.sk) ({ projectId, ak, sk } = rt.start as { projectId: string; ak: string; sk: string });
    else {
      // a data dir or database used before: a fresh credential for this run
      projectId = rt.start?.projectId ?? (await rt.deps.projects.ensure({ name: 'default' })).id;
      ({ ak, sk } = await rt.deps.projects.addCredential(projectId, { description: 'logsnap/testing' }));
    }
    if (opts.state) {
      await admin.importState(opts.state);
      // the archive's projects and credentials replaced ours: a fresh AK/SK in its first-start project (or its first)
      const projects = await rt.deps.projects.list();
      const boot = (await rt.db.kysely.selectFrom('meta').select('value').where('key', '=', 'bootstrap_project').executeTakeFirst())?.value;
      projectId = projects.find((p) => p.id === boot)?.id ?? projects[0]?.id ?? (await rt.deps.projects.ensure({ name: 'default' })).id;
      ({ ak, sk } = await rt.deps.projects.addCredential(projectId, { description: 'logsnap/testing' }));
    }
    const running = rt;
    let closed = false;
    return {
      endpoint, projectId, ak, sk, adminToken, dataDir, admin, runtime: running,
      clock: admin.clock,
      faults: admin.faults,
      reset: (o) => admin.reset(o),
      registerCluster: (c) => admin.registerCluster(projectId, c),
      state: { export: (file) => admin.exportState(file), import: (file) => admin.importState(file) },
      async close() {
        if (closed) return;
        closed = true;
        await running.close();
        if (ownDir) rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await rt?.close().catch(() => undefined);
    if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
}
