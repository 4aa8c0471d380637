import { defineRoute } from '../../../http/route.js';
import { JOB_HEADER } from '../../../http/routes/jobs.js';
import type { CssLogs } from '../domain.js';
import { ClusterParams, Empty } from '../schemas.js';

export const createLogBackup = (css: CssLogs) =>
  defineRoute({
    operationId: 'CreateLogBackup',
    method: 'POST',
    url: '/v1.0/:project_id/clusters/:cluster_id/logs/collect',
    summary: 'Back up the cluster logs now (Manual job; answers at once, follow the X-Logsnap-Job-Id job)',
    schema: { params: ClusterParams, response: { 200: Empty } },
    handler: async (req, reply) => {
      const rec = await css.createBackup(req.caller!.projectId, req.params.cluster_id);
      reply.header(JOB_HEADER, rec.job_id);
      return {};
    },
  });
