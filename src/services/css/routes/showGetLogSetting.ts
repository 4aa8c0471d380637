import { defineRoute } from '../../../http/route.js';
import type { CssLogs } from '../domain.js';
import { ActionQuery, ClusterParams, LogSettingResponse } from '../schemas.js';

export const showGetLogSetting = (css: CssLogs) =>
  defineRoute({
    operationId: 'ShowGetLogSetting',
    method: 'GET',
    url: '/v1.0/:project_id/clusters/:cluster_id/logs/settings',
    summary: 'Log backup settings (logConfiguration is null until log backup was first enabled)',
    schema: { params: ClusterParams, querystring: ActionQuery, response: { 200: LogSettingResponse } },
    handler: async (req) => css.showSettings(req.caller!.projectId, req.params.cluster_id),
  });
