import { Type } from '@sinclair/typebox';
import { defineRoute } from '../../route.js';
import { scopeOf } from '../../auth/scope.js';
import { ClusterRunsResponse } from './schemas.js';
import type { ConsoleRouteDeps } from './deps.js';

export const listClusterRuns = (d: ConsoleRouteDeps) =>
  defineRoute({
    operationId: 'ListClusterRuns', method: 'GET', url: '/logsnap/v1/clusters/:cluster_id/runs', auth: 'project-or-admin',
    summary: 'The last N backups / collections / snapshots of a cluster with size, duration and outcome (charts)',
    schema: {
      params: Type.Object({ cluster_id: Type.String({ minLength: 1, maxLength: 64 }) }),
      querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })) }),
      response: { 200: ClusterRunsResponse },
    },
    handler: async (req) => d.read.runs(scopeOf(req), req.params.cluster_id, req.query.limit ?? 50),
  });
