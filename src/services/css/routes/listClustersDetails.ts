import { defineRoute } from '../../../http/route.js';
import type { CssLogs } from '../domain.js';
import { ListClustersQuery, ListClustersResponse, ProjectParams } from '../schemas.js';

export const listClustersDetails = (css: CssLogs) =>
  defineRoute({
    operationId: 'ListClustersDetails',
    method: 'GET',
    url: '/v1.0/:project_id/clusters',
    summary: 'CSS clusters of the project, newest first (minimal fields; offset/start 1-based)',
    schema: { params: ProjectParams, querystring: ListClustersQuery, response: { 200: ListClustersResponse } },
    handler: async (req) => css.listClusters(req.caller!.projectId, req.query),
  });
