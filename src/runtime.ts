import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import pino from 'pino';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import type { Config } from './config/load.js';
import { ConfigError } from './config/section.js';
import { openDb, type Db } from './db/index.js';
import { migrate, type NamedMigrations } from './db/migrate.js';
import * as m0001 from './db/migrations/0001_platform.js';
import * as m0002 from './db/migrations/0002_job_origin.js';
import * as m0010 from './jobs/migrations/0010_failpath_outbox.js';
import * as m0011 from './jobs/migrations/0011_failpath_reconcile_slots.js';
import * as m0050 from './db/migrations/0050_perf_counts_caches.js';
import * as m0060 from './db/migrations/0060_console_job_indexes.js';
import { SecretBox, parseMasterKey, sha256hex } from './security/secrets.js';
import { newToken } from './security/ids.js';
import { Projects } from './projects/projects.js';
import { Clusters, type EngineSpec, type ServiceName } from './clusters/clusters.js';
import { FsObjectStore } from './storage/fsStore.js';
import type { S3ObjectStore } from './storage/s3Store.js';
import type { ObjectStore } from './storage/objectStore.js';
import { JobQueue, systemClock, type Clock } from './jobs/queue.js';
import { JobRunner, type JobEvents } from './jobs/runner.js';
import { Outbox } from './jobs/outbox.js';
import { Reconciler } from './jobs/reconciler.js';
import { deleteObjectsHandler } from './storage/cleanup.js';
import { Scheduler } from './jobs/scheduler.js';
import { createMetrics } from './observability/metrics.js';
import { platformRoutes } from './http/routes/platform.js';
import { adminRoutes } from './http/routes/admin.js';
import { jobRoutes } from './http/routes/jobs.js';
import { iamRoutes } from './http/routes/iam.js';
import { downloadRoutes } from './http/routes/downloads.js';
import type { RouteGroup } from './http/route.js';
import { SERVICES } from './services/index.js';
import type { ServiceDeps, ServiceInstance, ServiceModule } from './services/types.js';
import { redactUrlPassword } from './security/redact.js';
import { Trust, TRUST_MIGRATIONS } from './trust/index.js';
import { trustRoutes } from './trust/routes.js';
import { createNotify, NOTIFY_MIGRATIONS, type Notify } from './notify/index.js';
import { FaultyStore, Faults, TestClock, TestLevers, TEST_MODE_MIGRATIONS, installTestHooks, loadClockOffset, testRoutes } from './testmode/index.js';
import { ReadModel } from './readModel/readModel.js';
import { LiveJobs } from './readModel/live.js';
import { consoleRoutes } from './http/routes/console/index.js';
import { adminConsoleRoutes } from './http/routes/admin/index.js';
import { consoleAssetRoutes, defaultConsoleDir } from './http/routes/console/consoleAssets.js';

export const PLATFORM_MIGRATIONS: NamedMigrations = {
  '0001_platform': m0001, '0002_job_origin': m0002, '0010_failpath_outbox': m0010, '0011_failpath_reconcile_slots': m0011,
  '0050_perf_counts_caches': m0050, '0060_console_job_indexes': m0060, ...NOTIFY_MIGRATIONS, ...TEST_MODE_MIGRATIONS, ...TRUST_MIGRATIONS,
};

export interface RuntimeOptions {
  config: Config;
  clock?: Clock;
  logger?: FastifyBaseLogger;
  services?: ServiceModule[];
  /** build a different object store (S3, tests) */
  store?: (args: { config: Config; linkKey: Buffer; publicUrl: () => string }) => ObjectStore;
  /** observe job transitions inside their transactions (see JobEvents) */
  jobEvents?: JobEvents;
  /** what stored objects' ages are measured against (default: the wall clock; see jobs/reconciler.ts) */
  storeClock?: Clock;
}

export interface FirstStart {
  projectId: string;
  ak: string;
  sk?: string;
  adminToken?: string;
  demo: string[];
  created: boolean;
}

export interface Runtime {
  config: Config;
  app: FastifyInstance;
  db: Db;
  /** the store services write through (the encryption layer over the configured fs or S3 store) */
  store: ObjectStore;
  queue: JobQueue;
  /** manifests, verification, catalogue rebuild, encryption at rest */
  trust: Trust;
  /** after-commit tasks; dispatched by worker processes */
  outbox: Outbox;
  runner?: JobRunner;
  scheduler?: Scheduler;
  /** worker processes: the repair pass the scheduler ticks (tests call it directly) */
  reconciler?: Reconciler;
  deps: ServiceDeps;
  /** the audit trail and webhooks */
  notify: Notify;
  services: ServiceInstance[];
  start: FirstStart | null;
  /** test mode (core.testMode): the test clock, fault rules, reset and state export/import */
  levers?: TestLevers;
  /** listen, then start the worker; returns the base URL */
  listen(): Promise<string>;
  /** stop accepting requests, drain jobs, close the database */
  close(): Promise<void>;
}

export function createLogger(config: Config): FastifyBaseLogger {
  return pino({
    level: config.server.logLevel,
    base: { pid: process.pid },
    redact: {
      paths: ['sk', '*.sk', 'secretKey', '*.secretKey', 'password', '*.password', 'token', '*.token', 'authorization', '*.authorization', 'headers.authorization', 'headers["x-auth-token"]', 'masterKey', 'adminToken'],
      censor: '***',
    },
  }) as unknown as FastifyBaseLogger;
}

function readOrCreateMasterKey(config: Config): Buffer {
  if (config.security.masterKey) return parseMasterKey(config.security.masterKey);
  const file = join(config.core.dataDir, 'master.key');
  if (existsSync(file)) return parseMasterKey(readFileSync(file, 'utf8'));
  const key = randomBytes(32);
  writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  return key;
}

async function metaGet(db: Db, key: string): Promise<string | undefined> {
  return (await db.kysely.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst())?.value;
}
async function metaSetOnce(db: Db, key: string, value: string): Promise<string> {
  await db.kysely.insertInto('meta').values({ key, value }).onConflict((oc) => oc.column('key').doNothing()).execute();
  return (await metaGet(db, key))!;
}

export async function createRuntime(opts: RuntimeOptions): Promise<Runtime> {
  const { config } = opts;
  // Test mode: the clock is the (injected or wall) clock plus an offset shared through the database.
  const testMode = config.core.testMode;
  const testClock = testMode ? new TestClock(opts.clock ?? systemClock) : undefined;
  const clock: Clock = testClock ?? opts.clock ?? systemClock;
  const services = opts.services ?? SERVICES;
  mkdirSync(config.core.dataDir, { recursive: true });
  const log = opts.logger ?? createLogger(config);

  const db = openDb(config.database.url, { poolSize: config.database.poolSize });
  try {
    const migrations: NamedMigrations = { ...PLATFORM_MIGRATIONS };
    for (const s of services) Object.assign(migrations, s.migrations);
    const applied = await migrate(db, migrations);
    if (applied.length) log.info({ applied, database: redactUrlPassword(config.database.url) }, 'database migrated');
    if (testClock) await loadClockOffset(db, testClock);
  } catch (e) {
    await db.close();
    throw new ConfigError([`database ${redactUrlPassword(config.database.url)}: ${(e as Error).message}; check DATABASE_URL`]);
  }

  // Master key: encrypts SKs and engine secrets; a check value catches a mismatched key.
  const box = new SecretBox(readOrCreateMasterKey(config));
  if ((await metaSetOnce(db, 'master_key_check', box.keyCheck())) !== box.keyCheck()) {
    await db.close();
    throw new ConfigError(['security.masterKey: this database was initialised with a different master key; start every process with the same LOGSNAP_MASTER_KEY (or the same data/master.key)']);
  }

  // Admin token: configured, or generated once and kept in <dataDir>/admin-token.
  let adminTokenPlain: string | undefined;
  let adminTokenHash: string;
  if (config.security.adminToken) {
    adminTokenHash = sha256hex(config.security.adminToken);
  } else {
    const existing = await metaGet(db, 'admin_token_hash');
    if (existing) adminTokenHash = existing;
    else {
      adminTokenPlain = newToken('lsa');
      adminTokenHash = await metaSetOnce(db, 'admin_token_hash', sha256hex(adminTokenPlain));
      if (adminTokenHash === sha256hex(adminTokenPlain)) {
        const f = join(config.core.dataDir, 'admin-token');
        writeFileSync(f, adminTokenPlain + '\n', { mode: 0o600 });
        chmodSync(f, 0o600);
      } else adminTokenPlain = undefined;
    }
  }

  const linkKey = box.derive('download-links');
  let baseUrl = config.server.publicUrl ?? `http://${config.server.host}:${config.server.port}`;
  const publicUrl = () => baseUrl;
  let realStore: ObjectStore;
  if (opts.store) realStore = opts.store({ config, linkKey, publicUrl });
  else if (config.storage.driver === 'fs') realStore = new FsObjectStore(config.storage.root, { key: linkKey, baseUrl: publicUrl });
  else {
    try {
      // the AWS SDK (~20 MB RSS) is loaded only by processes configured for S3
      const { S3ObjectStore, s3OptionsFromConfig } = await import('./storage/s3Store.js');
      const s3 = new S3ObjectStore(s3OptionsFromConfig(config.storage.s3));
      realStore = s3;
      await s3.checkBucket();
    } catch (e) {
      await db.close();
      throw e;
    }
  }

  // Test mode: jobs write through a store that applies the job fault rules (the real store otherwise),
  // under the encryption layer, so a fault meets the bytes exactly where the store would.
  const faults = testMode ? new Faults(db, clock, log) : undefined;
  let levers: TestLevers | undefined;
  const raw: ObjectStore = faults ? new FaultyStore(realStore, faults, db, clock, () => levers!.sync(), log) : realStore;

  const engines: Partial<Record<ServiceName, EngineSpec>> = {};
  for (const s of services) engines[s.name] = s.engine;
  const projects = new Projects(db, box, clock, { authCacheMs: config.security.authCacheMs });
  const clusters = new Clusters(db, box, clock, engines);
  const queue = new JobQueue(db, clock);
  const outbox = new Outbox(db, clock, log, {
    concurrency: config.jobs.outboxConcurrency,
    pollMs: config.jobs.pollMs,
    leaseMs: config.jobs.leaseSeconds * 1000,
  });
  // every service writes through the encryption layer; manifests and verification come with it
  const trust = new Trust({ config, db, box, clock, log, queue, raw, linkKey, publicUrl });
  const store: ObjectStore = trust.store;
  const metrics = createMetrics(queue, store, { outbox, clock });
  trust.registerMetrics(metrics.registry);
  const notify = createNotify({ config, db, box, clock, log, registry: metrics.registry, projects, outbox });
  const titles = Object.fromEntries(services.map((s) => [s.name, s.title]));
  const read = new ReadModel({ db, store, clock, clusters, linkTtlSeconds: config.storage.linkTtlSeconds, titles });
  const live = new LiveJobs(db, clock, log, { intervalMs: config.console.liveIntervalMs });

  const deps: ServiceDeps = { config, db, store, queue, outbox, events: notify.events, clock, log, clusters, projects, publicUrl, artifacts: trust.catalog };
  const instances = services.map((s) => s.create(deps));
  trust.useAdapters(instances.flatMap((i) => (i.artifacts ? [i.artifacts] : [])));
  outbox.register(deleteObjectsHandler(store));
  for (const inst of instances) for (const h of inst.outboxHandlers ?? []) outbox.register(h);
  if (faults) {
    faults.catalog = Object.fromEntries(services.map((s, i) => [s.name, { operations: instances[i].routes.map((r) => r.operationId), jobs: instances[i].jobKinds.map((k) => k.kind) }]));
  }
  const schedules = [...instances.flatMap((i) => i.schedules), trust.schedule(), ...notify.schedules];

  // Projects, credentials and clusters declared in the config file (idempotent).
  for (const p of config.projects) {
    const project = await projects.ensure({ id: p.id, name: p.name });
    for (const c of p.credentials ?? []) await projects.ensureCredential(project.id, c.ak, c.sk, c.description);
    for (const [i, c] of (p.clusters ?? []).entries()) {
      try {
        // without an id, the id is derived from project, service and name: stable across restarts and processes
        await clusters.ensure({ ...c, id: c.id ?? stableUuid(`${project.id}:${c.service}:${c.name}`), projectId: project.id });
      } catch (e) {
        throw new ConfigError([`projects.${p.name}.clusters.${i} (${c.name}): ${(e as Error).message}`]);
      }
    }
  }

  try {
    await trust.applyConfig();
    // a fresh database over a store that already holds backups: take the history back from the manifests
    const rebuilt = await trust.rebuildOnStart();
    if (rebuilt) log.info({ restored: rebuilt.restored.length, unattached: rebuilt.unattached, unreadable: rebuilt.unreadable.length }, 'catalogue rebuilt from the store at start (trust.rebuildOnStart)');
  } catch (e) {
    await db.close();
    throw e;
  }

  // First start of the embedded default: a project with an AK/SK and demo clusters.
  let start: FirstStart | null = null;
  if (config.core.bootstrap) start = await bootstrap(config, db, projects, instances, adminTokenPlain);

  let runner: JobRunner | undefined;
  let scheduler: Scheduler | undefined;
  let reconciler: Reconciler | undefined;
  const worker = config.core.role !== 'api';
  if (worker) {
    runner = new JobRunner(db, queue, clock, log, {
      concurrency: config.jobs.concurrency,
      leaseMs: config.jobs.leaseSeconds * 1000,
      pollMs: config.jobs.pollMs,
      drainMs: config.jobs.drainSeconds * 1000,
      events: notify.jobEvents(instances.flatMap((i) => i.jobKinds), opts.jobEvents),
    });
    for (const inst of instances) for (const k of inst.jobKinds) runner.register(k);
    runner.register(trust.jobKind());
    reconciler = new Reconciler(
      { db, store, clock, storeClock: opts.storeClock ?? systemClock, log, owner: runner.owner, owners: instances.flatMap((i) => i.records ?? []), onTempReclaimed: (r) => metrics.tempReclaimed(r) },
      {
        slotMs: config.jobs.scheduleSeconds * 1000,
        objectsEveryMs: config.jobs.reconcileObjectsSeconds * 1000,
        orphanGraceMs: config.jobs.orphanGraceSeconds * 1000,
        tempMaxAgeMs: config.jobs.tempMaxAgeSeconds * 1000,
        jobGraceMs: config.jobs.leaseSeconds * 1000,
      },
    );
    schedules.push(reconciler.schedule());
    scheduler = new Scheduler(schedules, queue, clock, log, config.jobs.scheduleSeconds * 1000);
  }
  if (testMode) {
    // the clock advance sweeps expired leases in-process, also where no worker runs (role api)
    let sweeper = runner;
    if (!sweeper) {
      sweeper = new JobRunner(db, queue, clock, log, { concurrency: 1, leaseMs: config.jobs.leaseSeconds * 1000, pollMs: config.jobs.pollMs, drainMs: 0 });
      for (const inst of instances) for (const k of inst.jobKinds) sweeper.register(k);
    }
    levers = new TestLevers({
      db, clock: testClock!, faults: faults!, store: realStore, queue, log, schedules, sweeper, runner,
      leaseMs: config.jobs.leaseSeconds * 1000, keyCheck: box.keyCheck(),
      onStateReplaced: () => projects.invalidateAuthCache(),
    });
    await levers.sync();
  }

  let draining = false;
  let appRef: FastifyInstance | undefined;
  const groups: RouteGroup[] = [
    { style: 'gateway', tag: 'platform', routes: platformRoutes({ db, metrics, app: () => appRef!, isDraining: () => draining }) },
    { style: 'gateway', tag: 'downloads', routes: downloadRoutes({ store, linkKey, clock }) },
  ];
  if (config.core.role !== 'worker') {
    groups.push({ style: 'admin', tag: 'admin', routes: adminRoutes({ projects, clusters, queue, db, store, clock, linkTtlSeconds: config.storage.linkTtlSeconds }) });
    groups.push({ style: 'admin', tag: 'trust', routes: trustRoutes(trust, { projects }) });
    groups.push({ style: 'admin', tag: 'notify', routes: notify.routes });
    groups.push({ style: 'admin', tag: 'admin', routes: adminConsoleRoutes({ projects, clusters, engines: Object.fromEntries(services.map((s) => [s.name, { ...s.engine, title: s.title }])), probeTimeoutMs: 5000 }) });
    groups.push({ style: 'admin', tag: 'console', routes: consoleRoutes({ read, live }) });
    if (config.console.enabled) groups.push({ style: 'gateway', tag: 'console', routes: consoleAssetRoutes({ dir: config.console.dir ?? defaultConsoleDir() }) });
    groups.push({ style: 'gateway', tag: 'jobs', routes: jobRoutes({ queue }) });
    groups.push({ style: 'gateway', tag: 'iam', routes: iamRoutes({ projects }) });
    services.forEach((s, i) => groups.push({ style: s.name, tag: s.name, mountPrefix: `/${s.name}`, routes: instances[i].routes }));
    if (levers) groups.push({ style: 'admin', tag: 'test', routes: testRoutes(levers, faults!, testClock!) });
  }
  const app = await buildApp({
    ...deps,
    metrics,
    groups,
    audit: notify.audit,
    // the AK/SK signature window is judged by the process's real clock (an injected one in tests), never by the test
    // clock's offset: SDK clients sign with their own real clock
    auth: { projects, clock, wallClock: opts.clock ?? systemClock, maxSkewMs: config.security.maxClockSkewSeconds * 1000, adminTokenHash: () => adminTokenHash },
  });
  if (levers) installTestHooks(app, levers, faults!, config.server.bodyLimit);
  appRef = app;
  // server-sent event streams stay open: end them before the server waits for its connections
  app.addHook('preClose', async () => live.close());

  let closed = false;
  return {
    config, app, db, store, queue, trust, outbox, runner, scheduler, reconciler, deps, notify, services: instances, start, levers,
    async listen() {
      await app.listen({ host: config.server.host, port: config.server.port });
      const addr = app.server.address();
      const port = typeof addr === 'object' && addr ? addr.port : config.server.port;
      const host = config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host;
      baseUrl = config.server.publicUrl ?? `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
      if (start?.created || existsSync(join(config.core.dataDir, 'client.json'))) writeClientProfile(config, baseUrl, start);
      levers?.start();
      if (worker) {
        runner!.start();
        outbox.start();
        scheduler!.start();
        log.info({ worker: runner!.owner, concurrency: config.jobs.concurrency, kinds: runner!.kinds }, 'job worker started');
      }
      return baseUrl;
    },
    async close() {
      if (closed) return;
      closed = true;
      draining = true;
      await app.close();
      levers?.stop();
      await scheduler?.stop();
      await runner?.stop();
      await outbox.stop();
      await db.close();
      if (realStore.driver === 's3' && typeof (realStore as S3ObjectStore).destroy === 'function') (realStore as S3ObjectStore).destroy();
    },
  };
}

async function bootstrap(config: Config, db: Db, projects: Projects, instances: ServiceInstance[], adminToken: string | undefined): Promise<FirstStart | null> {
  const existing = await metaGet(db, 'bootstrap_project');
  if (existing) {
    const creds = await projects.listCredentials(existing);
    return creds.length ? { projectId: existing, ak: creds[0].ak, demo: [], created: false } : null;
  }
  const project = await projects.ensure({ name: 'default' });
  if ((await metaSetOnce(db, 'bootstrap_project', project.id)) !== project.id) return null; // another process won
  const cred = await projects.addCredential(project.id, { description: 'created at first start' });
  const demo: string[] = [];
  if (config.core.demo) for (const inst of instances) if (inst.demo) demo.push(...(await inst.demo(project.id)));
  return { projectId: project.id, ak: cred.ak, sk: cred.sk, adminToken, demo, created: true };
}

/** A UUID-shaped id derived from a name (same name → same id). */
export function stableUuid(name: string): string {
  const h = createHash('sha256').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** <dataDir>/client.json: what `logsnap call` signs with by default (mode 0600). */
function writeClientProfile(config: Config, endpoint: string, start: FirstStart | null): void {
  const file = join(config.core.dataDir, 'client.json');
  let profile: Record<string, unknown> = {};
  if (existsSync(file)) {
    try {
      profile = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      profile = {};
    }
  }
  profile.endpoint = endpoint;
  if (start?.created) Object.assign(profile, { project_id: start.projectId, ak: start.ak, sk: start.sk });
  writeFileSync(file, JSON.stringify(profile, null, 2) + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
}
