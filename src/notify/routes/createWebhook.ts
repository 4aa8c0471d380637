import { defineRoute } from '../../http/route.js';
import { currentRequest } from '../../http/requestContext.js';
import type { Projects } from '../../projects/projects.js';
import type { Webhooks } from '../webhooks.js';
import { asInputError, CreateWebhookBody, mustProject, WebhookParams, WebhookWithSecret } from './schemas.js';

export const createWebhook = (webhooks: Webhooks, projects: Projects) =>
  defineRoute({
    operationId: 'CreateWebhook', method: 'POST', url: '/admin/v1/projects/:project_id/webhooks', auth: 'project-or-admin',
    summary: 'Subscribe a URL to the project\'s events (signed CloudEvents; the secret is shown only when generated, here)',
    schema: { params: WebhookParams, body: CreateWebhookBody, response: { 201: WebhookWithSecret } },
    handler: async (req, reply) => {
      await mustProject(projects, req.params.project_id);
      const out = await asInputError(() => webhooks.create(req.params.project_id, req.body, currentRequest()?.caller ?? null));
      return reply.status(201).send({ webhook: out.subscription, ...(out.secret ? { secret: out.secret } : {}) });
    },
  });
