import type { Db } from '../db/index.js';
import { BadCursorError } from '../audit/trail.js';
import { DELIVERY_TOPIC } from './events.js';
import type { AttemptRow, DeliveryRow } from './webhooks.js';

export interface DeliveryView {
  id: string;
  event_id: string;
  event_type: string;
  /** PENDING (retrying) | DELIVERED | FAILED (given up) | CANCELLED (subscription disabled) */
  status: string;
  attempts: number;
  created_at: number;
  delivered_at: number | null;
  /** PENDING only: when the next attempt is due */
  next_attempt_at: number | null;
  last_status_code: number | null;
  last_error: string | null;
  attempt_log: { attempt: number; at: number; status_code: number | null; latency_ms: number; error: string | null }[];
  /** with `include=event`: the CloudEvent exactly as sent */
  event?: unknown;
}

const encode = (d: { created_at: number; id: string }) => Buffer.from(`${d.created_at}.${d.id}`).toString('base64url');
function decode(cursor: string): { at: number; id: string } {
  const m = /^(\d{1,16})\.([0-9a-f-]{36})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw new BadCursorError('cursor is not one this API returned; start again without it');
  return { at: Number(m[1]), id: m[2] };
}

/** A subscription's deliveries, newest first, each with its attempts (time, status code, latency, error). */
export async function listDeliveries(
  db: Db,
  subscriptionId: string,
  q: { status?: string; limit: number; cursor?: string; withEvent?: boolean },
): Promise<{ deliveries: DeliveryView[]; next: string | null }> {
  const k = db.kysely;
  const after = q.cursor ? decode(q.cursor) : undefined;
  const rows = await k.selectFrom('webhook_deliveries as d')
    .leftJoin('outbox as o', (j) => j.onRef('o.id', '=', 'd.id').on('o.topic', '=', DELIVERY_TOPIC))
    .selectAll('d')
    .select(['o.run_at as next_at', 'o.state as outbox_state'])
    .where('d.subscription_id', '=', subscriptionId)
    .$if(q.status !== undefined, (b) => b.where('d.status', '=', q.status!))
    .$if(after !== undefined, (b) => b.where((eb) => eb.or([eb('d.created_at', '<', after!.at), eb.and([eb('d.created_at', '=', after!.at), eb('d.id', '<', after!.id)])])))
    .orderBy('d.created_at', 'desc').orderBy('d.id', 'desc')
    .limit(q.limit + 1)
    .execute();
  const page = rows.slice(0, q.limit);
  const ids = page.map((r) => r.id);
  const attempts: AttemptRow[] = ids.length ? await k.selectFrom('webhook_attempts').selectAll().where('delivery_id', 'in', ids).orderBy('attempt').execute() : [];
  const events = q.withEvent && ids.length
    ? new Map((await k.selectFrom('webhook_events').select(['id', 'body']).where('id', 'in', page.map((r) => r.event_id)).execute()).map((e) => [e.id, e.body]))
    : undefined;
  const deliveries = page.map((r): DeliveryView => {
    const pendingInOutbox = r.status === 'PENDING' && r.outbox_state === 'PENDING';
    return {
      id: r.id, event_id: r.event_id, event_type: r.event_type,
      status: r.status === 'PENDING' && r.outbox_state === 'DEAD' ? 'FAILED' : r.status,
      attempts: Number(r.attempts), created_at: Number(r.created_at), delivered_at: r.delivered_at === null ? null : Number(r.delivered_at),
      next_attempt_at: pendingInOutbox && r.next_at !== null ? Number(r.next_at) : null,
      last_status_code: r.last_status_code === null ? null : Number(r.last_status_code), last_error: r.last_error,
      attempt_log: attempts.filter((a) => a.delivery_id === r.id).map((a) => ({
        attempt: Number(a.attempt), at: Number(a.at), status_code: a.status_code === null ? null : Number(a.status_code), latency_ms: Number(a.latency_ms), error: a.error,
      })),
      ...(events ? { event: JSON.parse(events.get(r.event_id) ?? 'null') } : {}),
    };
  });
  return { deliveries, next: rows.length > q.limit ? encode(page[page.length - 1] as DeliveryRow) : null };
}
