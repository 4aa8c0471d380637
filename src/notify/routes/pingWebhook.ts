import { Type } from '@sinclair/typebox';
import { defineRoute } from '../../http/route.js';
import { appError } from '../../http/errors/catalogue.js';
import { currentRequest } from '../../http/requestContext.js';
import type { Db } from '../../db/index.js';
import type { Events } from '../events.js';
import type { Webhooks } from '../webhooks.js';
import { notFound, WebhookIdParams } from './schemas.js';

export const pingWebhook = (webhooks: Webhooks, events: Events, db: Db) =>
  defineRoute({
    operationId: 'PingWebhook', method: 'POST', url: '/admin/v1/projects/:project_id/webhooks/:id/ping', auth: 'project-or-admin',
    summary: 'Send a signed logsnap.webhook.ping event to this subscription (follow it in its deliveries)',
    schema: { params: WebhookIdParams, response: { 202: Type.Object({ event_id: Type.String() }) } },
    handler: async (req, reply) => {
      const { project_id: projectId, id } = req.params;
      const sub = await webhooks.row(projectId, id);
      if (!sub) throw notFound(id);
      if (sub.enabled !== 1) throw appError('LOGSNAP.0409', undefined, `Webhook ${id} is disabled; enable it first (PATCH {"enabled": true}).`);
      const eventId = await db.kysely.transaction().execute((trx) =>
        events.emit(trx, {
          type: 'logsnap.webhook.ping', projectId, subject: id,
          data: { webhook_id: id, project_id: projectId, requested_by: currentRequest()?.caller ?? null, request_id: currentRequest()?.requestId ?? null },
        }, { only: id }),
      );
      if (!eventId) throw notFound(id); // deleted or disabled meanwhile
      return reply.status(202).send({ event_id: eventId });
    },
  });
