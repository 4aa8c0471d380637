import { Type } from '@sinclair/typebox';
import { defineRoute } from '../../http/route.js';
import { appError } from '../../http/errors/catalogue.js';
import type { Events } from '../events.js';
import type { Webhooks } from '../webhooks.js';
import { notFound, ProjectId } from './schemas.js';

export const redeliverWebhookDelivery = (webhooks: Webhooks, events: Events) =>
  defineRoute({
    operationId: 'RedeliverWebhookDelivery', method: 'POST', url: '/admin/v1/projects/:project_id/webhooks/:id/deliveries/:delivery_id/redeliver',
    auth: 'project-or-admin',
    summary: 'Send a delivered, failed or cancelled event again (a new delivery; the event and its id are unchanged)',
    schema: {
      params: Type.Object({ project_id: ProjectId, id: Type.String({ maxLength: 64 }), delivery_id: Type.String({ maxLength: 64 }) }),
      response: { 202: Type.Object({ id: Type.String(), event_id: Type.String() }) },
    },
    handler: async (req, reply) => {
      const { project_id: projectId, id, delivery_id: deliveryId } = req.params;
      if (!(await webhooks.row(projectId, id))) throw notFound(id);
      const out = await events.redeliver(projectId, deliveryId, id);
      if (!out) throw appError('LOGSNAP.0404', `Delivery ${deliveryId} of webhook ${id} does not exist.`);
      return reply.status(202).send(out);
    },
  });
