import { Type } from '@sinclair/typebox';
import { defineRoute } from '../../../http/route.js';
import type { DwsSnapshots } from '../domain.js';
import { ClusterParams, PutPolicyBody } from '../schemas.js';

export const createSnapshotPolicy = (dws: DwsSnapshots) =>
  defineRoute({
    operationId: 'CreateSnapshotPolicy', method: 'PUT', url: '/v2/:project_id/clusters/:cluster_id/snapshot-policies',
    summary: 'Set retention (keep_day) and add or update backup strategies (automated snapshots)',
    schema: { params: ClusterParams, body: PutPolicyBody, response: { 200: Type.Object({}) } },
    handler: async (req) => {
      await dws.putPolicy(req.caller!.projectId, req.params.cluster_id, req.body);
      return {};
    },
  });
