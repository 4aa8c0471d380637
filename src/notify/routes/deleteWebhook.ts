import { Type } from '@sinclair/typebox';
import { defineRoute } from '../../http/route.js';
import type { Webhooks } from '../webhooks.js';
import { notFound, WebhookIdParams } from './schemas.js';

export const deleteWebhook = (webhooks: Webhooks) =>
  defineRoute({
    operationId: 'DeleteWebhook', method: 'DELETE', url: '/admin/v1/projects/:project_id/webhooks/:id', auth: 'project-or-admin',
    summary: 'Delete a subscription with its delivery history (pending deliveries stop)',
    schema: { params: WebhookIdParams, response: { 204: Type.Null() } },
    handler: async (req, reply) => {
      if (!(await webhooks.remove(req.params.project_id, req.params.id))) throw notFound(req.params.id);
      return reply.status(204).send();
    },
  });
