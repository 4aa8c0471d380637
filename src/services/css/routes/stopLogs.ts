import { defineRoute } from '../../../http/route.js';
import type { CssLogs } from '../domain.js';
import { ActionQuery, ClusterParams, Empty } from '../schemas.js';

export const stopLogs = (css: CssLogs) =>
  defineRoute({
    operationId: 'StopLogs',
    method: 'PUT',
    url: '/v1.0/:project_id/clusters/:cluster_id/logs/close',
    summary: 'Disable log backup (manual and automatic); 415 CSS.0004 when it is not enabled',
    schema: { params: ClusterParams, querystring: ActionQuery, response: { 200: Empty } },
    handler: async (req) => {
      await css.stopLogs(req.caller!.projectId, req.params.cluster_id, req.query.action);
      return {};
    },
  });
