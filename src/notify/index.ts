import type { FastifyBaseLogger } from 'fastify';
import type { Registry } from 'prom-client';
import type { Config } from '../config/load.js';
import type { Db } from '../db/index.js';
import type { NamedMigrations } from '../db/migrate.js';
import type { Clock } from '../jobs/queue.js';
import type { Outbox } from '../jobs/outbox.js';
import type { JobEvents, JobKind } from '../jobs/runner.js';
import type { Schedule } from '../jobs/scheduler.js';
import type { RouteDef } from '../http/route.js';
import type { Projects } from '../projects/projects.js';
import type { SecretBox } from '../security/secrets.js';
import { AuditTrail } from '../audit/trail.js';
import { adminListAudit } from '../audit/adminListAudit.js';
import * as m0020 from '../audit/migrations/0020_notify_audit.js';
import * as m0021 from './migrations/0021_notify_webhooks.js';
import { notifyMetrics } from './metrics.js';
import { Webhooks } from './webhooks.js';
import type { Resolver } from './ssrf.js';
import { createWebhook } from './routes/createWebhook.js';
import { listWebhooks } from './routes/listWebhooks.js';
import { showWebhook } from './routes/showWebhook.js';
import { updateWebhook } from './routes/updateWebhook.js';
import { deleteWebhook } from './routes/deleteWebhook.js';
import { listWebhookDeliveries } from './routes/listWebhookDeliveries.js';
import { pingWebhook } from './routes/pingWebhook.js';
import { redeliverWebhookDelivery } from './routes/redeliverWebhookDelivery.js';
import { Events } from './events.js';

export const NOTIFY_MIGRATIONS: NamedMigrations = { '0020_notify_audit': m0020, '0021_notify_webhooks': m0021 };

export interface NotifyDeps {
  config: Config;
  db: Db;
  box: SecretBox;
  clock: Clock;
  log: FastifyBaseLogger;
  registry: Registry;
  projects: Projects;
  outbox: Outbox;
  /** DNS for the subscription-time SSRF check (tests) */
  resolve?: Resolver;
}

/** The audit trail and webhooks, built from injected deps (wired by runtime.ts). */
export function createNotify(d: NotifyDeps) {
  const metrics = notifyMetrics(d.registry);
  const audit = new AuditTrail(d.db, d.clock, d.log, { retentionMs: d.config.audit.retentionDays * 86_400_000, metrics: metrics.audit });
  const w = d.config.webhooks;
  const webhooks = new Webhooks(d.db, d.box, d.clock, { allowPrivate: w.allowPrivate, resolve: d.resolve });
  const events = new Events(d.db, d.outbox, webhooks, d.clock, d.log, metrics, {
    allowPrivate: w.allowPrivate, timeoutMs: Math.round(w.timeoutSeconds * 1000), retryForMs: Math.round(w.retryForSeconds * 1000),
    backoffBaseMs: w.backoffBaseMs, backoffMaxMs: Math.max(w.backoffBaseMs, w.backoffMaxMs), retentionMs: w.retentionDays * 86_400_000,
  });
  d.outbox.register(events.handler());
  const routes: RouteDef<any>[] = [
    adminListAudit(audit),
    createWebhook(webhooks, d.projects), listWebhooks(webhooks, d.projects), showWebhook(webhooks), updateWebhook(webhooks), deleteWebhook(webhooks),
    listWebhookDeliveries(webhooks, d.db), pingWebhook(webhooks, events, d.db), redeliverWebhookDelivery(webhooks, events),
  ];
  const schedules: Schedule[] = [audit.schedule(), events.schedule()];
  /** the runner's transition hook for these job kinds, chained with another observer (tests) */
  const jobEvents = (kinds: JobKind[], also?: JobEvents): JobEvents => {
    const mine = events.jobEvents(kinds);
    return also ? { transition: async (...a) => { await mine.transition(...a); await also.transition(...a); } } : mine;
  };
  return { audit, webhooks, events, routes, schedules, metrics, jobEvents };
}
export type Notify = ReturnType<typeof createNotify>;
