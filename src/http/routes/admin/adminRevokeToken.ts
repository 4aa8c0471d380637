import { Type } from '@sinclair/typebox';
import { defineRoute } from '../../route.js';
import { appError } from '../../errors/catalogue.js';
import { ProjectId } from './shared.js';
import type { AdminConsoleDeps } from './deps.js';

export const adminRevokeToken = (d: AdminConsoleDeps) =>
  defineRoute({
    operationId: 'AdminRevokeToken', method: 'DELETE', url: '/admin/v1/projects/:project_id/tokens/:token_id', auth: 'admin',
    summary: 'Revoke an X-Auth-Token (by its id from AdminListTokens)',
    schema: { params: Type.Object({ project_id: ProjectId, token_id: Type.String({ pattern: '^[0-9a-f]{12}$' }) }), response: { 204: Type.Null() } },
    handler: async (req, reply) => {
      if (!(await d.projects.revokeToken(req.params.project_id, req.params.token_id))) throw appError('LOGSNAP.0404', 'Token not found.');
      return reply.status(204).send();
    },
  });
