import { defineRoute } from '../../../http/route.js';
import type { CssLogs } from '../domain.js';
import { ActionQuery, ClusterParams, Empty, LogSettingBody } from '../schemas.js';

export const startLogs = (css: CssLogs) =>
  defineRoute({
    operationId: 'StartLogs',
    method: 'POST',
    url: '/v1.0/:project_id/clusters/:cluster_id/logs/open',
    summary: 'Enable log backup to a bucket/base path (accepts log_bucket|logBucket, log_base_path|logBasePath)',
    schema: { params: ClusterParams, querystring: ActionQuery, body: LogSettingBody, response: { 200: Empty } },
    handler: async (req) => {
      await css.startLogs(req.caller!.projectId, req.params.cluster_id, req.body, req.query.action);
      return {};
    },
  });
