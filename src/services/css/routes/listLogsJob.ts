import { defineRoute } from '../../../http/route.js';
import type { CssLogs } from '../domain.js';
import { ClusterParams, ListLogsQuery, ListLogsResponse } from '../schemas.js';

export const listLogsJob = (css: CssLogs) =>
  defineRoute({
    operationId: 'ListLogsJob',
    method: 'GET',
    url: '/v1.0/:project_id/clusters/:cluster_id/logs/records',
    summary: 'Log backup jobs of a cluster, newest first (offset is 1-based)',
    schema: { params: ClusterParams, querystring: ListLogsQuery, response: { 200: ListLogsResponse } },
    handler: async (req) => css.listRecords(req.caller!.projectId, req.params.cluster_id, req.query),
  });
