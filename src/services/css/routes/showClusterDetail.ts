import { defineRoute } from '../../../http/route.js';
import type { CssLogs } from '../domain.js';
import { ClusterParams, ClusterView } from '../schemas.js';

export const showClusterDetail = (css: CssLogs) =>
  defineRoute({
    operationId: 'ShowClusterDetail',
    method: 'GET',
    url: '/v1.0/:project_id/clusters/:cluster_id',
    summary: 'One CSS cluster (minimal fields); 403 CSS.0015 when unknown',
    schema: { params: ClusterParams, response: { 200: ClusterView } },
    handler: async (req) => css.clusterDetail(req.caller!.projectId, req.params.cluster_id),
  });
