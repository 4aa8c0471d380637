import { randomBytes } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Db } from '../db/index.js';
import type { Database } from '../db/types.js';
import type { Clock } from '../jobs/queue.js';
import { uuid } from '../security/ids.js';
import type { SecretBox } from '../security/secrets.js';
import { filterProblem, wants } from './catalogue.js';
import { checkTarget, systemResolver, TargetRefusedError, type Resolver } from './ssrf.js';

export interface WebhookSubscriptionTable {
  id: string;
  project_id: string;
  url: string;
  /** the signing secret, encrypted with the master key (security/secrets.ts); never returned after creation */
  secret_enc: string;
  /** JSON array of type filters (`*` wildcards); `["*"]` = every event */
  events: string | null;
  enabled: number;
  description: string | null;
  created_by: string | null;
  created_at: number;
  updated_at: number;
}

/** An event, stored once, in the transaction of the change it reports. `body` is the exact CloudEvent sent. */
export interface WebhookEventTable {
  id: string;
  project_id: string;
  type: string;
  subject: string | null;
  body: string;
  created_at: number;
}

/** One event to one subscription; worked by the outbox item with the same id. */
export interface WebhookDeliveryTable {
  id: string;
  event_id: string;
  subscription_id: string;
  project_id: string;
  event_type: string;
  /** PENDING (being retried) | DELIVERED | FAILED (given up) | CANCELLED (subscription disabled) */
  status: string;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
  delivered_at: number | null;
}

export interface WebhookAttemptTable {
  delivery_id: string;
  attempt: number;
  at: number;
  status_code: number | null;
  latency_ms: number;
  error: string | null;
  /** the outbox dispatcher (process) that made the attempt */
  worker: string | null;
}

declare module '../db/types.js' {
  interface Database {
    webhook_subscriptions: WebhookSubscriptionTable;
    webhook_events: WebhookEventTable;
    webhook_deliveries: WebhookDeliveryTable;
    webhook_attempts: WebhookAttemptTable;
  }
}

export type SubscriptionRow = Selectable<WebhookSubscriptionTable>;
export type DeliveryRow = Selectable<WebhookDeliveryTable>;
export type AttemptRow = Selectable<WebhookAttemptTable>;
export type DeliveryStatus = 'PENDING' | 'DELIVERED' | 'FAILED' | 'CANCELLED';

/** A subscription request that cannot be accepted; the message says what to change. */
export class WebhookInputError extends Error {}

export const MAX_SUBSCRIPTIONS_PER_PROJECT = 25;

export interface SubscriptionInput {
  url: string;
  secret?: string;
  events?: string[];
  enabled?: boolean;
  description?: string;
}

export interface SubscriptionView {
  id: string;
  project_id: string;
  url: string;
  events: string[];
  enabled: boolean;
  description: string | null;
  created_by: string | null;
  created_at: number;
  updated_at: number;
}

export function subscriptionView(r: SubscriptionRow): SubscriptionView {
  return {
    id: r.id, project_id: r.project_id, url: r.url, events: r.events ? JSON.parse(r.events) : ['*'], enabled: r.enabled === 1,
    description: r.description, created_by: r.created_by, created_at: Number(r.created_at), updated_at: Number(r.updated_at),
  };
}

export const newWebhookSecret = (): string => `whsec_${randomBytes(32).toString('base64url')}`;

/** Webhook subscriptions of projects (the admin API and the CLI manage them). */
export class Webhooks {
  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
    private readonly clock: Clock,
    private readonly opts: { allowPrivate: boolean; resolve?: Resolver },
  ) {}

  get allowPrivate(): boolean {
    return this.opts.allowPrivate;
  }

  /** URL rules and the SSRF guard (at subscription time; delivery checks again at connect time). */
  async checkUrl(raw: string): Promise<string> {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new WebhookInputError(`url ${JSON.stringify(raw.slice(0, 200))} is not an absolute URL; send e.g. "https://hooks.example.com/logsnap"`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new WebhookInputError(`url must be http:// or https:// (got ${url.protocol})`);
    if (url.username || url.password) {
      throw new WebhookInputError('url must not carry a user name or password (it is shown in listings); the receiver authenticates logsnap by the Logsnap-Signature header made with the secret');
    }
    url.hash = '';
    try {
      await checkTarget(url, this.opts.allowPrivate, this.opts.resolve ?? systemResolver);
    } catch (e) {
      if (e instanceof TargetRefusedError) throw new WebhookInputError(e.message);
      throw e;
    }
    return url.toString();
  }

  #events(events: string[] | undefined): string[] {
    if (events === undefined) return ['*'];
    if (events.length === 0) throw new WebhookInputError('events must name at least one event type; leave it out to receive every event');
    for (const e of events) {
      const p = filterProblem(e);
      if (p) throw new WebhookInputError(p);
    }
    return [...new Set(events)];
  }

  #secret(secret: string | undefined): { plain: string; generated: boolean } {
    if (secret === undefined) return { plain: newWebhookSecret(), generated: true };
    if (secret.length < 16) throw new WebhookInputError('secret must be at least 16 characters (leave it out and logsnap generates one, shown once)');
    return { plain: secret, generated: false };
  }

  /** Create a subscription; returns the secret only when logsnap generated it (shown this once). */
  async create(projectId: string, input: SubscriptionInput, createdBy: string | null): Promise<{ subscription: SubscriptionView; secret?: string }> {
    const url = await this.checkUrl(input.url);
    const events = this.#events(input.events);
    const secret = this.#secret(input.secret);
    const count = await this.db.kysely.selectFrom('webhook_subscriptions').select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('project_id', '=', projectId).executeTakeFirstOrThrow();
    if (Number(count.n) >= MAX_SUBSCRIPTIONS_PER_PROJECT) {
      throw new WebhookInputError(`a project has at most ${MAX_SUBSCRIPTIONS_PER_PROJECT} webhook subscriptions; delete one first`);
    }
    const now = this.clock.now();
    const row: SubscriptionRow = {
      id: uuid(), project_id: projectId, url, secret_enc: this.box.encrypt(secret.plain), events: JSON.stringify(events),
      enabled: input.enabled === false ? 0 : 1, description: input.description ?? null, created_by: createdBy, created_at: now, updated_at: now,
    };
    await this.db.kysely.insertInto('webhook_subscriptions').values(row).execute();
    return { subscription: subscriptionView(row), ...(secret.generated ? { secret: secret.plain } : {}) };
  }

  async list(projectId: string): Promise<SubscriptionView[]> {
    const rows = await this.db.kysely.selectFrom('webhook_subscriptions').selectAll().where('project_id', '=', projectId).orderBy('created_at').orderBy('id').execute();
    return rows.map(subscriptionView);
  }

  async row(projectId: string, id: string): Promise<SubscriptionRow | undefined> {
    return this.db.kysely.selectFrom('webhook_subscriptions').selectAll().where('project_id', '=', projectId).where('id', '=', id).executeTakeFirst();
  }

  /** Change url, secret, events, enabled or description; pending deliveries use the new values. */
  async update(projectId: string, id: string, patch: Partial<SubscriptionInput>): Promise<{ subscription: SubscriptionView; secret?: string } | undefined> {
    const cur = await this.row(projectId, id);
    if (!cur) return undefined;
    const set: Partial<WebhookSubscriptionTable> = { updated_at: this.clock.now() };
    if (patch.url !== undefined) set.url = await this.checkUrl(patch.url);
    if (patch.events !== undefined) set.events = JSON.stringify(this.#events(patch.events));
    if (patch.enabled !== undefined) set.enabled = patch.enabled ? 1 : 0;
    if (patch.description !== undefined) set.description = patch.description;
    let secret: { plain: string; generated: boolean } | undefined;
    if (patch.secret !== undefined) {
      secret = this.#secret(patch.secret || undefined);
      set.secret_enc = this.box.encrypt(secret.plain);
    }
    await this.db.kysely.updateTable('webhook_subscriptions').set(set).where('id', '=', id).where('project_id', '=', projectId).execute();
    return { subscription: subscriptionView({ ...cur, ...set } as SubscriptionRow), ...(secret?.generated ? { secret: secret.plain } : {}) };
  }

  /** Delete a subscription with its delivery history (pending deliveries stop). */
  async remove(projectId: string, id: string): Promise<boolean> {
    const r = await this.db.kysely.deleteFrom('webhook_subscriptions').where('project_id', '=', projectId).where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /** The enabled subscriptions of a project that want `type` (read in the caller's transaction). */
  async matching(trx: Kysely<Database>, projectId: string, type: string): Promise<SubscriptionRow[]> {
    const rows = await trx.selectFrom('webhook_subscriptions').selectAll().where('project_id', '=', projectId).where('enabled', '=', 1).execute();
    return rows.filter((r) => wants(r.events ? JSON.parse(r.events) : null, type));
  }

  secretOf(row: SubscriptionRow): string {
    return this.box.decrypt(row.secret_enc);
  }
}
