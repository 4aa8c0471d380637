import { defineRoute } from '../../../http/route.js';
import type { DwsSnapshots } from '../domain.js';
import { Type } from '@sinclair/typebox';

export const deleteSnapshotPolicy = (dws: DwsSnapshots) =>
  defineRoute({
    operationId: 'DeleteSnapshotPolicy', method: 'DELETE', url: '/v1.0/:project_id/clusters/:cluster_id/snapshot-policies/:id',
    summary: 'Delete one backup strategy of the cluster (200, no body)',
    schema: { params: Type.Object({ project_id: Type.String(), cluster_id: Type.String(), id: Type.String() }), response: { 200: Type.Null() } },
    handler: async (req, reply) => {
      await dws.deletePolicy(req.caller!.projectId, req.params.cluster_id, req.params.id);
      return reply.status(200).send();
    },
  });
