import { defineRoute } from '../../route.js';
import { scopeOf } from '../../auth/scope.js';
import { currentRequest } from '../../requestContext.js';
import { SessionResponse } from './schemas.js';
import type { ConsoleRouteDeps } from './deps.js';

/** Who the caller is and what they see: how the console checks a token at sign-in. */
export const showSession = (d: ConsoleRouteDeps) =>
  defineRoute({
    operationId: 'ShowSession', method: 'GET', url: '/logsnap/v1/session', auth: 'project-or-admin',
    summary: 'The caller (admin token or project credential), the projects it sees and the services served',
    schema: { response: { 200: SessionResponse } },
    handler: async (req) => d.read.session(scopeOf(req), currentRequest()?.caller ?? (req.admin ? 'admin' : 'unknown')),
  });
