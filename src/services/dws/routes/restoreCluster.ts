import { Type } from '@sinclair/typebox';
import { defineRoute } from '../../../http/route.js';
import { JOB_HEADER } from '../../../http/routes/jobs.js';
import type { DwsSnapshots } from '../domain.js';
import { RestoreBody, SnapshotParams } from '../schemas.js';

export const restoreCluster = (dws: DwsSnapshots) =>
  defineRoute({
    operationId: 'RestoreCluster', method: 'POST', url: '/v1.0/:project_id/snapshots/:snapshot_id/actions',
    summary: "Restore a snapshot into a new database on the source cluster's server, registered as a new cluster",
    schema: {
      params: SnapshotParams, body: RestoreBody,
      response: { 200: Type.Object({ cluster: Type.Object({ id: Type.String() }), job_id: Type.String() }) },
    },
    handler: async (req, reply) => {
      const { cluster, job } = await dws.restore(req.caller!.projectId, req.params.snapshot_id, req.body.restore);
      reply.header(JOB_HEADER, job.id);
      return { cluster: { id: cluster.id }, job_id: job.id };
    },
  });
