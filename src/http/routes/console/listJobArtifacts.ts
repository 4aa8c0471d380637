import { Type } from '@sinclair/typebox';
import { defineRoute } from '../../route.js';
import { scopeOf } from '../../auth/scope.js';
import { ArtifactsResponse, Paging, paging } from './schemas.js';
import type { ConsoleRouteDeps } from './deps.js';

export const listJobArtifacts = (d: ConsoleRouteDeps) =>
  defineRoute({
    operationId: 'ListJobArtifacts', method: 'GET', url: '/logsnap/v1/jobs/:job_id/artifacts', auth: 'project-or-admin',
    summary: 'What a job stored: a CSS backup\'s manifest (files, nodes, sizes, sha256), DCS day files, the CCE or DWS archive; paged',
    schema: {
      params: Type.Object({ job_id: Type.String({ minLength: 1, maxLength: 64 }) }),
      querystring: Type.Object(Paging),
      response: { 200: ArtifactsResponse },
    },
    handler: async (req) => d.read.artifacts(scopeOf(req), req.params.job_id, paging(req.query)),
  });
