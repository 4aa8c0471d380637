import { Type } from '@sinclair/typebox';
import { defineRoute } from '../../route.js';
import { scopeOf } from '../../auth/scope.js';
import { ClusterDetail } from './schemas.js';
import type { ConsoleRouteDeps } from './deps.js';

export const showConsoleCluster = (d: ConsoleRouteDeps) =>
  defineRoute({
    operationId: 'ShowConsoleCluster', method: 'GET', url: '/logsnap/v1/clusters/:cluster_id', auth: 'project-or-admin',
    summary: 'A cluster of any service: engine (secrets masked), last run, the run in progress',
    schema: { params: Type.Object({ cluster_id: Type.String({ minLength: 1, maxLength: 64 }) }), response: { 200: ClusterDetail } },
    handler: async (req) => d.read.cluster(scopeOf(req), req.params.cluster_id),
  });
