import { Type } from '@sinclair/typebox';
import { defineRoute } from '../../http/route.js';
import type { Projects } from '../../projects/projects.js';
import type { Webhooks } from '../webhooks.js';
import { mustProject, WebhookParams, WebhookView } from './schemas.js';

export const listWebhooks = (webhooks: Webhooks, projects: Projects) =>
  defineRoute({
    operationId: 'ListWebhooks', method: 'GET', url: '/admin/v1/projects/:project_id/webhooks', auth: 'project-or-admin',
    summary: 'The project\'s webhook subscriptions (never their secrets)',
    schema: { params: WebhookParams, response: { 200: Type.Object({ webhooks: Type.Array(WebhookView) }) } },
    handler: async (req) => {
      await mustProject(projects, req.params.project_id);
      return { webhooks: await webhooks.list(req.params.project_id) };
    },
  });
