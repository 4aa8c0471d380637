import { Type } from '@sinclair/typebox';
import { defineRoute } from '../../route.js';
import { scopeOf } from '../../auth/scope.js';
import { OverviewResponse } from './schemas.js';
import type { ConsoleRouteDeps } from './deps.js';

export const showOverview = (d: ConsoleRouteDeps) =>
  defineRoute({
    operationId: 'ShowOverview', method: 'GET', url: '/logsnap/v1/overview', auth: 'project-or-admin',
    summary: 'Per service: clusters, jobs running and queued, successes and failures of the last 24 h, bytes stored',
    schema: { querystring: Type.Object({ project_id: Type.Optional(Type.String({ maxLength: 64 })) }), response: { 200: OverviewResponse } },
    handler: async (req) => d.read.overview(scopeOf(req, req.query.project_id)),
  });
