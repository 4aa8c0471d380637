import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config/load.js';
import type { Db } from '../db/index.js';
import type { NamedMigrations } from '../db/migrate.js';
import type { ObjectStore } from '../storage/objectStore.js';
import type { Clock, JobQueue } from '../jobs/queue.js';
import type { JobKind } from '../jobs/runner.js';
import type { Schedule } from '../jobs/scheduler.js';
import type { Outbox, OutboxHandler } from '../jobs/outbox.js';
import type { RecordOwner } from '../jobs/reconciler.js';
import type { EventSink } from '../notify/events.js';
import type { Clusters, EngineSpec, ServiceName } from '../clusters/clusters.js';
import type { Projects } from '../projects/projects.js';
import type { RouteDef } from '../http/route.js';
import type { ArtifactCatalog } from '../trust/catalog.js';
import type { ArtifactAdapter } from '../trust/types.js';

/** What a service gets to work with. Everything is injected; nothing is read at import time. */
export interface ServiceDeps {
  config: Config;
  db: Db;
  store: ObjectStore;
  queue: JobQueue;
  /** durable after-commit tasks: `outbox.add(trx, topic, payload)` inside your transaction */
  outbox: Outbox;
  /** webhook events: `events.emit(trx, …)` inside the transaction of the change (deletions, expiries) */
  events: EventSink;
  clock: Clock;
  log: FastifyBaseLogger;
  clusters: Clusters;
  projects: Projects;
  /** base URL clients reach this server at (known after listen) */
  publicUrl(): string;
  /** manifests of finished artifact sets (src/trust/catalog.ts): written before a record turns final, discarded before its files */
  artifacts: ArtifactCatalog;
}

/** A running service: its routes, job kinds and periodic schedules, built from deps. */
export interface ServiceInstance {
  routes: RouteDef<any>[];
  jobKinds: JobKind[];
  schedules: Schedule[];
  /** handlers of this service's outbox topics (registered in every process, dispatched by workers) */
  outboxHandlers?: OutboxHandler[];
  /** the kinds of record this service keeps in progress while a job runs (for the reconciler) */
  records?: RecordOwner[];
  /**
   * On the embedded default's first start: register demo clusters for `projectId`
   * and return lines for the start banner.
   */
  demo?(projectId: string): Promise<string[]>;
  /** verify and catalogue rebuild of this service's artifact sets (src/trust/types.ts) */
  artifacts?: ArtifactAdapter;
}

export interface ServiceModule {
  name: ServiceName;
  /** OpenAPI tag / human name */
  title: string;
  /** numbered migrations owned by this service (see db/migrate.ts for the ranges) */
  migrations: NamedMigrations;
  engine: EngineSpec;
  create(deps: ServiceDeps): ServiceInstance;
}
