import { Type } from '@sinclair/typebox';
import { defineRoute } from '../../route.js';
import { scopeOf } from '../../auth/scope.js';
import { LinkBody, LinkResponse } from './schemas.js';
import type { ConsoleRouteDeps } from './deps.js';

/** The project-credential equivalent of AdminCreateObjectLink, limited to a job's own artifacts. */
export const createArtifactLink = (d: ConsoleRouteDeps) =>
  defineRoute({
    operationId: 'CreateArtifactLink', method: 'POST', url: '/logsnap/v1/jobs/:job_id/artifacts/link', auth: 'project-or-admin',
    summary: 'A signed, expiring download link for one artifact of a job (as ListJobArtifacts names it)',
    schema: { params: Type.Object({ job_id: Type.String({ minLength: 1, maxLength: 64 }) }), body: LinkBody, response: { 200: LinkResponse } },
    handler: async (req) => d.read.link(scopeOf(req), req.params.job_id, req.body.bucket, req.body.key),
  });
