import { defineRoute } from '../../../http/route.js';
import type { CssLogs } from '../domain.js';
import { ClusterParams, Empty, PolicyBody } from '../schemas.js';

export const startLogAutoBackupPolicy = (css: CssLogs) =>
  defineRoute({
    operationId: 'StartLogAutoBackupPolicy',
    method: 'POST',
    url: '/v1.0/:project_id/clusters/:cluster_id/logs/policy/update',
    summary: 'Back logs up automatically once a day at "HH:MM GMT+hh:mm"',
    schema: { params: ClusterParams, body: PolicyBody, response: { 200: Empty } },
    handler: async (req) => {
      await css.startPolicy(req.caller!.projectId, req.params.cluster_id, req.body.period);
      return {};
    },
  });
