import { defineRoute } from '../../../http/route.js';
import type { DwsSnapshots } from '../domain.js';
import { Type } from '@sinclair/typebox';
import { PolicyParams } from '../schemas.js';

export const deleteSnapshotPolicy = (dws: DwsSnapshots) =>
  defineRoute({
    operationId: 'DeleteSnapshotPolicy', method: 'DELETE', url: '/v1.0/:project_id/clusters/:cluster_id/snapshot-policies/:id',
    summary: 'Delete one backup strategy of the cluster (200, no body)',
    schema: { params: PolicyParams, response: { 200: Type.Null() } },
    handler: async (req, reply) => {
      await dws.deletePolicy(req.caller!.projectId, req.params.cluster_id, req.params.id);
      return reply.status(200).send();
    },
  });
