import { defineRoute } from '../../route.js';
import { scopeOf } from '../../auth/scope.js';
import type { ServiceName } from '../../../clusters/clusters.js';
import { ListJobsQuery, ListJobsResponse, paging } from './schemas.js';
import type { ConsoleRouteDeps } from './deps.js';

export const listConsoleJobs = (d: ConsoleRouteDeps) =>
  defineRoute({
    operationId: 'ListConsoleJobs', method: 'GET', url: '/logsnap/v1/jobs', auth: 'project-or-admin',
    summary: 'Jobs, newest first (state=ACTIVE: running now; state=FAILED&since=…: recent failures); paged',
    schema: { querystring: ListJobsQuery, response: { 200: ListJobsResponse } },
    handler: async (req) => {
      const q = req.query;
      return d.read.listJobs(scopeOf(req, q.project_id), { ...q, ...paging(q), service: q.service as ServiceName | undefined });
    },
  });
