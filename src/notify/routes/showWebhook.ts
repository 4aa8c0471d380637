import { defineRoute } from '../../http/route.js';
import type { Webhooks } from '../webhooks.js';
import { subscriptionView } from '../webhooks.js';
import { notFound, WebhookIdParams, WebhookView } from './schemas.js';

export const showWebhook = (webhooks: Webhooks) =>
  defineRoute({
    operationId: 'ShowWebhook', method: 'GET', url: '/admin/v1/projects/:project_id/webhooks/:id', auth: 'project-or-admin',
    summary: 'One webhook subscription (never its secret)',
    schema: { params: WebhookIdParams, response: { 200: WebhookView } },
    handler: async (req) => {
      const row = await webhooks.row(req.params.project_id, req.params.id);
      if (!row) throw notFound(req.params.id);
      return subscriptionView(row);
    },
  });
