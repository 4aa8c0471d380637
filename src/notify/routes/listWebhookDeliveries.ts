import { Type } from '@sinclair/typebox';
import { defineRoute } from '../../http/route.js';
import { appError } from '../../http/errors/catalogue.js';
import type { Db } from '../../db/index.js';
import { BadCursorError } from '../../audit/trail.js';
import { listDeliveries } from '../deliveries.js';
import type { Webhooks } from '../webhooks.js';
import { notFound, WebhookIdParams } from './schemas.js';

const N = <T extends ReturnType<typeof Type.Number>>(t: T) => Type.Union([t, Type.Null()]);
const Delivery = Type.Object({
  id: Type.String(),
  event_id: Type.String({ description: 'the CloudEvent id: the same in every attempt and redelivery' }),
  event_type: Type.String(),
  status: Type.String({ description: 'PENDING (retrying) | DELIVERED | FAILED (given up) | CANCELLED (subscription disabled)' }),
  attempts: Type.Integer(),
  created_at: Type.Number(),
  delivered_at: N(Type.Number()),
  next_attempt_at: N(Type.Number()),
  last_status_code: N(Type.Number()),
  last_error: Type.Union([Type.String(), Type.Null()]),
  attempt_log: Type.Array(Type.Object({
    attempt: Type.Integer(), at: Type.Number(), status_code: N(Type.Number()), latency_ms: Type.Number(), error: Type.Union([Type.String(), Type.Null()]),
  })),
  event: Type.Optional(Type.Unknown()),
});

export const listWebhookDeliveries = (webhooks: Webhooks, db: Db) =>
  defineRoute({
    operationId: 'ListWebhookDeliveries', method: 'GET', url: '/admin/v1/projects/:project_id/webhooks/:id/deliveries', auth: 'project-or-admin',
    summary: 'Deliveries of a subscription, newest first, with every attempt (time, status code, latency, error)',
    schema: {
      params: WebhookIdParams,
      querystring: Type.Object({
        status: Type.Optional(Type.Union(['PENDING', 'DELIVERED', 'FAILED', 'CANCELLED'].map((s) => Type.Literal(s)))),
        include: Type.Optional(Type.Literal('event', { description: 'include=event adds each CloudEvent as sent' })),
        limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
        cursor: Type.Optional(Type.String({ maxLength: 200 })),
      }),
      response: { 200: Type.Object({ deliveries: Type.Array(Delivery), next_cursor: Type.Union([Type.String(), Type.Null()]) }) },
    },
    handler: async (req) => {
      if (!(await webhooks.row(req.params.project_id, req.params.id))) throw notFound(req.params.id);
      try {
        const q = req.query;
        const out = await listDeliveries(db, req.params.id, { status: q.status, limit: q.limit, cursor: q.cursor, withEvent: q.include === 'event' });
        return { deliveries: out.deliveries, next_cursor: out.next };
      } catch (e) {
        if (e instanceof BadCursorError) throw appError('LOGSNAP.0400', undefined, e.message);
        throw e;
      }
    },
  });
