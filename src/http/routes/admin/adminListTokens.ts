import { Type } from '@sinclair/typebox';
import { defineRoute } from '../../route.js';
import { mustProject, ProjectId } from './shared.js';
import type { AdminConsoleDeps } from './deps.js';

export const adminListTokens = (d: AdminConsoleDeps) =>
  defineRoute({
    operationId: 'AdminListTokens', method: 'GET', url: '/admin/v1/projects/:project_id/tokens', auth: 'admin',
    summary: 'The X-Auth-Tokens of a project (never the tokens: an id = the first 12 hex of their sha256, as job origins record it)',
    schema: {
      params: Type.Object({ project_id: ProjectId }),
      response: {
        200: Type.Object({
          tokens: Type.Array(Type.Object({
            id: Type.String(), description: Type.Union([Type.String(), Type.Null()]), created_at: Type.Number(),
            expires_at: Type.Union([Type.Number(), Type.Null()]),
          })),
        }),
      },
    },
    handler: async (req) => {
      await mustProject(d.projects, req.params.project_id);
      return { tokens: await d.projects.listTokens(req.params.project_id) };
    },
  });
