import { defineRoute } from '../../http/route.js';
import type { Webhooks } from '../webhooks.js';
import { asInputError, notFound, UpdateWebhookBody, WebhookIdParams, WebhookWithSecret } from './schemas.js';

export const updateWebhook = (webhooks: Webhooks) =>
  defineRoute({
    operationId: 'UpdateWebhook', method: 'PATCH', url: '/admin/v1/projects/:project_id/webhooks/:id', auth: 'project-or-admin',
    summary: 'Change a subscription\'s url, secret (rotation), events, enabled or description; pending deliveries use the new values',
    schema: { params: WebhookIdParams, body: UpdateWebhookBody, response: { 200: WebhookWithSecret } },
    handler: async (req) => {
      const out = await asInputError(() => webhooks.update(req.params.project_id, req.params.id, req.body));
      if (!out) throw notFound(req.params.id);
      return { webhook: out.subscription, ...(out.secret ? { secret: out.secret } : {}) };
    },
  });
