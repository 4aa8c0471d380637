import { defineRoute } from '../../route.js';
import { scopeOf } from '../../auth/scope.js';
import type { ServiceName } from '../../../clusters/clusters.js';
import { ListClustersQuery, ListClustersResponse, paging } from './schemas.js';
import type { ConsoleRouteDeps } from './deps.js';

export const listConsoleClusters = (d: ConsoleRouteDeps) =>
  defineRoute({
    operationId: 'ListConsoleClusters', method: 'GET', url: '/logsnap/v1/clusters', auth: 'project-or-admin',
    summary: 'Clusters of every service (or one), by name, each with its last backup / collection / snapshot; paged',
    schema: { querystring: ListClustersQuery, response: { 200: ListClustersResponse } },
    handler: async (req) => {
      const q = req.query;
      return d.read.listClusters(scopeOf(req, q.project_id), { service: q.service as ServiceName | undefined, q: q.q, ...paging(q) });
    },
  });
