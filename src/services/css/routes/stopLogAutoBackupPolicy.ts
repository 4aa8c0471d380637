import { defineRoute } from '../../../http/route.js';
import type { CssLogs } from '../domain.js';
import { ClusterParams, Empty } from '../schemas.js';

export const stopLogAutoBackupPolicy = (css: CssLogs) =>
  defineRoute({
    operationId: 'StopLogAutoBackupPolicy',
    method: 'PUT',
    url: '/v1.0/:project_id/clusters/:cluster_id/logs/policy/close',
    summary: 'Stop the daily automatic log backup; 415 CSS.0004 when it is not enabled',
    schema: { params: ClusterParams, response: { 200: Empty } },
    handler: async (req) => {
      await css.stopPolicy(req.caller!.projectId, req.params.cluster_id);
      return {};
    },
  });
