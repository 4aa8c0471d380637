import { defineRoute } from '../../../http/route.js';
import type { CssLogs } from '../domain.js';
import { ActionQuery, ClusterParams, Empty, LogSettingBody } from '../schemas.js';

export const updateLogSetting = (css: CssLogs) =>
  defineRoute({
    operationId: 'UpdateLogSetting',
    method: 'POST',
    url: '/v1.0/:project_id/clusters/:cluster_id/logs/settings',
    summary: 'Change the bucket, base path, agency or policy of an enabled log backup (fields not sent are kept)',
    schema: { params: ClusterParams, querystring: ActionQuery, body: LogSettingBody, response: { 200: Empty } },
    handler: async (req) => {
      await css.updateSettings(req.caller!.projectId, req.params.cluster_id, req.body, req.query.action);
      return {};
    },
  });
