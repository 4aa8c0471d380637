import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { Db } from '../db/index.js';
import type { Database } from '../db/types.js';
import type { Clock, JobRow } from '../jobs/queue.js';
import type { JobEvents, JobKind, JobTransition } from '../jobs/runner.js';
import type { Outbox, OutboxHandler } from '../jobs/outbox.js';
import type { Schedule } from '../jobs/scheduler.js';
import { uuid } from '../security/ids.js';
import type { EventType } from './catalogue.js';
import { cloudEvent, CLOUDEVENTS_CONTENT_TYPE, sourceOf } from './cloudEvents.js';
import { postWebhook } from './deliver.js';
import { jobEvent, type JobEventSpec } from './jobEvents.js';
import type { NotifyMetrics } from './metrics.js';
import { SIGNATURE_HEADER, signatureHeader } from './signature.js';
import type { SubscriptionRow, Webhooks } from './webhooks.js';

export const DELIVERY_TOPIC = 'webhook.deliver';
const DONE: Promise<void> = Promise.resolve();

export interface EmitInput {
  type: EventType;
  projectId: string;
  /** the record, task, snapshot or file the event is about */
  subject?: string | null;
  /** for the CloudEvents source: /projects/<p>/<service>/clusters/<cluster> */
  service?: string | null;
  clusterId?: string | null;
  data: Record<string, unknown>;
  /** epoch ms of the change (default: the clock's now) */
  time?: number;
}

/** What services get (`deps.events`): write an event in the transaction of the change it reports. */
export interface EventSink {
  /**
   * Inside `trx`: the event, one delivery per enabled subscription that wants its type, and one
   * outbox item per delivery. Nothing is written when no subscription wants it. Returns the event
   * id (stable across every retry of every delivery), or null.
   */
  emit(trx: Kysely<Database>, e: EmitInput): Promise<string | null>;
}

export interface DeliverySettings {
  allowPrivate: boolean;
  timeoutMs: number;
  retryForMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  retentionMs: number;
}

interface DeliveryPayload {
  deliveryId: string;
}

/** Events and their durable, signed delivery (one outbox item per event and subscription). */
export class Events implements EventSink {
  constructor(
    private readonly db: Db,
    private readonly outbox: Outbox,
    private readonly webhooks: Webhooks,
    private readonly clock: Clock,
    private readonly log: FastifyBaseLogger,
    private readonly metrics: NotifyMetrics,
    private readonly settings: DeliverySettings,
  ) {}

  async emit(trx: Kysely<Database>, e: EmitInput, opts: { only?: string } = {}): Promise<string | null> {
    let subs = await this.webhooks.matching(trx, e.projectId, e.type);
    if (opts.only) subs = subs.filter((s) => s.id === opts.only);
    if (subs.length === 0) return null;
    const id = uuid();
    const now = this.clock.now();
    const body = JSON.stringify(cloudEvent({
      id, type: e.type, source: sourceOf(e.projectId, e.service, e.clusterId), subject: e.subject, time: e.time ?? now, data: e.data,
    }));
    await trx.insertInto('webhook_events').values({ id, project_id: e.projectId, type: e.type, subject: e.subject ?? null, body, created_at: now }).execute();
    for (const s of subs) await this.#deliver(trx, id, e.type, s, now);
    this.metrics.events.inc({ type: e.type });
    return id;
  }

  /** A delivery of an event to a subscription, and its outbox item (same id). */
  async #deliver(trx: Kysely<Database>, eventId: string, type: string, s: Pick<SubscriptionRow, 'id' | 'project_id'>, now: number): Promise<string> {
    const id = uuid();
    await trx.insertInto('webhook_deliveries').values({
      id, event_id: eventId, subscription_id: s.id, project_id: s.project_id, event_type: type, status: 'PENDING',
      attempts: 0, last_status_code: null, last_error: null, created_at: now, updated_at: now, delivered_at: null,
    }).execute();
    await this.outbox.add(trx, DELIVERY_TOPIC, { deliveryId: id } satisfies DeliveryPayload, { id });
    return id;
  }

  /** Send an event again to one subscription (a new delivery; the event and its id are the same). */
  async redeliver(projectId: string, deliveryId: string, subscriptionId: string): Promise<{ id: string; event_id: string } | null> {
    return this.db.kysely.transaction().execute(async (trx) => {
      const d = await trx.selectFrom('webhook_deliveries').selectAll()
        .where('id', '=', deliveryId).where('project_id', '=', projectId).where('subscription_id', '=', subscriptionId).executeTakeFirst();
      if (!d) return null;
      const id = await this.#deliver(trx, d.event_id, d.event_type, { id: d.subscription_id, project_id: projectId }, this.clock.now());
      return { id, event_id: d.event_id };
    });
  }

  /** The runner's transition hook: each job kind with an `events` spec reports its transitions. */
  jobEvents(kinds: JobKind[]): JobEvents {
    const specs = new Map<string, JobEventSpec>();
    for (const k of kinds) if (k.events) specs.set(k.kind, k.events);
    const report = async (spec: JobEventSpec, trx: Kysely<Database>, job: JobRow, to: JobTransition, info: { message?: string; result?: unknown }) => {
      const e = jobEvent(spec, job, to, info, this.clock.now());
      if (e) await this.emit(trx, e);
    };
    return {
      // kinds without events add nothing to their transition's transaction, not even an await
      transition: (trx, job, to, info) => {
        const spec = specs.get(job.kind);
        return spec ? report(spec, trx, job, to, info) : DONE;
      },
    };
  }

  /** Delivers one (event, subscription): signed POST, attempt recorded, thrown on failure (the outbox retries). */
  handler(): OutboxHandler<DeliveryPayload> {
    const s = this.settings;
    return {
      topic: DELIVERY_TOPIC,
      retry: { baseMs: s.backoffBaseMs, maxMs: s.backoffMaxMs, giveUpAfterMs: s.retryForMs, timeoutMs: s.timeoutMs },
      run: async ({ deliveryId }, ctx) => {
        const k = this.db.kysely;
        const d = await k.selectFrom('webhook_deliveries as d')
          .innerJoin('webhook_events as e', 'e.id', 'd.event_id')
          .innerJoin('webhook_subscriptions as s', 's.id', 'd.subscription_id')
          .select(['d.id', 'd.status', 'e.id as event_id', 'e.type', 'e.body', 's.url', 's.enabled', 's.secret_enc'])
          .where('d.id', '=', deliveryId)
          .executeTakeFirst();
        if (!d || d.status !== 'PENDING') return; // deleted with its subscription, or already delivered (a retry after a crash)
        const now = this.clock.now();
        if (d.enabled !== 1) {
          await k.updateTable('webhook_deliveries').set({ status: 'CANCELLED', last_error: 'the subscription is disabled', updated_at: now })
            .where('id', '=', d.id).where('status', '=', 'PENDING').execute();
          this.metrics.deliveries.inc({ outcome: 'cancelled' });
          return;
        }
        const secret = this.webhooks.secretOf({ secret_enc: d.secret_enc } as SubscriptionRow);
        const headers = {
          'Content-Type': CLOUDEVENTS_CONTENT_TYPE,
          // the receiver's replay window is on wall-clock time, like the AK/SK signature window
          [SIGNATURE_HEADER]: signatureHeader(secret, d.body, Date.now()),
          'Logsnap-Event-Id': d.event_id,
          'Logsnap-Event-Type': d.type,
          'Logsnap-Delivery-Id': d.id,
          'Logsnap-Delivery-Attempt': String(ctx.attempt),
        };
        const r = await postWebhook(d.url, d.body, headers, { allowPrivate: s.allowPrivate, signal: ctx.signal });
        const at = this.clock.now();
        const delivered = r.error === null;
        await k.transaction().execute(async (trx) => {
          await trx.insertInto('webhook_attempts')
            .values({ delivery_id: d.id, attempt: ctx.attempt, at, status_code: r.status, latency_ms: r.latencyMs, error: r.error, worker: this.outbox.owner })
            .onConflict((oc) => oc.columns(['delivery_id', 'attempt']).doNothing()).execute();
          await trx.updateTable('webhook_deliveries')
            .set({ attempts: ctx.attempt, last_status_code: r.status, last_error: r.error, updated_at: at, ...(delivered ? { status: 'DELIVERED', delivered_at: at } : {}) })
            .where('id', '=', d.id).where('status', '=', 'PENDING').execute();
        });
        if (delivered) {
          this.metrics.deliveries.inc({ outcome: 'delivered' });
          return;
        }
        this.metrics.deliveries.inc({ outcome: /SSRF guard/.test(r.error!) ? 'refused' : 'failed' });
        throw new Error(`webhook delivery ${d.id} (event ${d.event_id}) to ${redactUrl(d.url)}: ${r.error}`);
      },
    };
  }

  /** Deliveries the outbox gave up on become FAILED; old events go with their deliveries. */
  schedule(): Schedule {
    let lastPrune = 0;
    return {
      name: 'webhook-deliveries',
      tick: async (now) => {
        const k = this.db.kysely;
        // reads first: a tick with nothing to do takes no write lock
        const given = await k.selectFrom('webhook_deliveries as d').innerJoin('outbox as o', 'o.id', 'd.id')
          .select('d.id').where('d.status', '=', 'PENDING').where('o.topic', '=', DELIVERY_TOPIC).where('o.state', '=', 'DEAD')
          .limit(500).execute();
        const dead = given.length === 0 ? undefined : await k.updateTable('webhook_deliveries')
          .set({ status: 'FAILED', updated_at: now })
          .where('status', '=', 'PENDING').where('id', 'in', given.map((g) => g.id))
          .executeTakeFirst();
        const n = Number(dead?.numUpdatedRows ?? 0);
        if (n) {
          this.metrics.deliveries.inc({ outcome: 'gave_up' }, n);
          this.log.warn({ deliveries: n }, 'webhook deliveries given up after webhooks.retryForSeconds');
        }
        if (now - lastPrune < 60_000 && now >= lastPrune) return;
        lastPrune = now;
        const cutoff = now - this.settings.retentionMs;
        if (!(await k.selectFrom('webhook_events').select('id').where('created_at', '<', cutoff).limit(1).executeTakeFirst())) return;
        const old = await k.deleteFrom('webhook_events')
          .where('created_at', '<', cutoff)
          .where((eb) => eb.not(eb.exists(eb.selectFrom('webhook_deliveries as d').select('d.id').whereRef('d.event_id', '=', 'webhook_events.id').where('d.status', '=', 'PENDING'))))
          .executeTakeFirst();
        if (Number(old.numDeletedRows)) this.log.info({ deleted: Number(old.numDeletedRows) }, 'webhook events past their retention deleted');
      },
    };
  }
}

/** A URL for logs: path and query may carry tokens of the receiver; keep scheme, host and port. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/…`;
  } catch {
    return '(invalid url)';
  }
}
