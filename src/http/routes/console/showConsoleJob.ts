import { Type } from '@sinclair/typebox';
import { defineRoute } from '../../route.js';
import { scopeOf } from '../../auth/scope.js';
import { JobDetail } from './schemas.js';
import type { ConsoleRouteDeps } from './deps.js';

export const showConsoleJob = (d: ConsoleRouteDeps) =>
  defineRoute({
    operationId: 'ShowConsoleJob', method: 'GET', url: '/logsnap/v1/jobs/:job_id', auth: 'project-or-admin',
    summary: 'A job: state, progress, attempts, lease and last heartbeat, error, result, the request and caller that started it',
    schema: { params: Type.Object({ job_id: Type.String({ minLength: 1, maxLength: 64 }) }), response: { 200: JobDetail } },
    handler: async (req) => d.read.job(scopeOf(req), req.params.job_id),
  });
