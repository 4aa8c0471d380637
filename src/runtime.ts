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
import * as m0050 from './db/migrations/0050_perf_counts_caches.js';
import { SecretBox, parseMasterKey, sha256hex } from './security/secrets.js';
import { newToken } from './security/ids.js';
import { Projects } from './projects/projects.js';
import { Clusters, type EngineSpec, type ServiceName } from './clusters/clusters.js';
import { FsObjectStore } from './storage/fsStore.js';
import type { S3ObjectStore } from './storage/s3Store.js';
import type { ObjectStore } from './storage/objectStore.js';
import { JobQueue, systemClock, type Clock } from './jobs/queue.js';
import { JobRunner } from './jobs/runner.js';
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

export const PLATFORM_MIGRATIONS: NamedMigrations = { '0001_platform': m0001, '0002_job_origin': m0002, '0050_perf_counts_caches': m0050 };

export interface RuntimeOptions {
  config: Config;
  clock?: Clock;
  logger?: FastifyBaseLogger;
  services?: ServiceModule[];
  /** build a different object store (S3, tests) */
  store?: (args: { config: Config; linkKey: Buffer; publicUrl: () => string }) => ObjectStore;
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
  store: ObjectStore;
  queue: JobQueue;
  runner?: JobRunner;
  scheduler?: Scheduler;
  deps: ServiceDeps;
  services: ServiceInstance[];
  start: FirstStart | null;
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
  const clock = opts.clock ?? systemClock;
  const services = opts.services ?? SERVICES;
  mkdirSync(config.core.dataDir, { recursive: true });
  const log = opts.logger ?? createLogger(config);

  const db = openDb(config.database.url, { poolSize: config.database.poolSize });
  try {
    const migrations: NamedMigrations = { ...PLATFORM_MIGRATIONS };
    for (const s of services) Object.assign(migrations, s.migrations);
    const applied = await migrate(db, migrations);
    if (applied.length) log.info({ applied, database: redactUrlPassword(config.database.url) }, 'database migrated');
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
  let store: ObjectStore;
  if (opts.store) store = opts.store({ config, linkKey, publicUrl });
  else if (config.storage.driver === 'fs') store = new FsObjectStore(config.storage.root, { key: linkKey, baseUrl: publicUrl });
  else {
    try {
      // the AWS SDK (~20 MB RSS) is loaded only by processes configured for S3
      const { S3ObjectStore, s3OptionsFromConfig } = await import('./storage/s3Store.js');
      const s3 = new S3ObjectStore(s3OptionsFromConfig(config.storage.s3));
      store = s3;
      await s3.checkBucket();
    } catch (e) {
      await db.close();
      throw e;
    }
  }

  const engines: Partial<Record<ServiceName, EngineSpec>> = {};
  for (const s of services) engines[s.name] = s.engine;
  const projects = new Projects(db, box, clock, { authCacheMs: config.security.authCacheMs });
  const clusters = new Clusters(db, box, clock, engines);
  const queue = new JobQueue(db, clock);
  const metrics = createMetrics(queue, store);

  const deps: ServiceDeps = { config, db, store, queue, clock, log, clusters, projects, publicUrl };
  const instances = services.map((s) => s.create(deps));

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

  // First start of the embedded default: a project with an AK/SK and demo clusters.
  let start: FirstStart | null = null;
  if (config.core.bootstrap) start = await bootstrap(config, db, projects, instances, adminTokenPlain);

  let runner: JobRunner | undefined;
  let scheduler: Scheduler | undefined;
  const worker = config.core.role !== 'api';
  if (worker) {
    runner = new JobRunner(db, queue, clock, log, {
      concurrency: config.jobs.concurrency,
      leaseMs: config.jobs.leaseSeconds * 1000,
      pollMs: config.jobs.pollMs,
      drainMs: config.jobs.drainSeconds * 1000,
    });
    for (const inst of instances) for (const k of inst.jobKinds) runner.register(k);
    scheduler = new Scheduler(instances.flatMap((i) => i.schedules), queue, clock, log, config.jobs.scheduleSeconds * 1000);
  }

  let draining = false;
  let appRef: FastifyInstance | undefined;
  const groups: RouteGroup[] = [
    { style: 'gateway', tag: 'platform', routes: platformRoutes({ db, metrics, app: () => appRef!, isDraining: () => draining }) },
    { style: 'gateway', tag: 'downloads', routes: downloadRoutes({ store, linkKey, clock }) },
  ];
  if (config.core.role !== 'worker') {
    groups.push({ style: 'admin', tag: 'admin', routes: adminRoutes({ projects, clusters, queue, db, store, clock, linkTtlSeconds: config.storage.linkTtlSeconds }) });
    groups.push({ style: 'gateway', tag: 'jobs', routes: jobRoutes({ queue }) });
    groups.push({ style: 'gateway', tag: 'iam', routes: iamRoutes({ projects }) });
    services.forEach((s, i) => groups.push({ style: s.name, tag: s.name, mountPrefix: `/${s.name}`, routes: instances[i].routes }));
  }
  const app = await buildApp({
    ...deps,
    metrics,
    groups,
    auth: { projects, clock, maxSkewMs: config.security.maxClockSkewSeconds * 1000, adminTokenHash: () => adminTokenHash },
  });
  appRef = app;

  let closed = false;
  return {
    config, app, db, store, queue, runner, scheduler, deps, services: instances, start,
    async listen() {
      await app.listen({ host: config.server.host, port: config.server.port });
      const addr = app.server.address();
      const port = typeof addr === 'object' && addr ? addr.port : config.server.port;
      const host = config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host;
      baseUrl = config.server.publicUrl ?? `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
      if (start?.created || existsSync(join(config.core.dataDir, 'client.json'))) writeClientProfile(config, baseUrl, start);
      if (worker) {
        await store.sweepTemporary(60 * 60 * 1000).catch(() => 0);
        runner!.start();
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
      await scheduler?.stop();
      await runner?.stop();
      await db.close();
      if (store.driver === 's3' && typeof (store as S3ObjectStore).destroy === 'function') (store as S3ObjectStore).destroy();
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
