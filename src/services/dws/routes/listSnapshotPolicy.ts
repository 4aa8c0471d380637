import { defineRoute } from '../../../http/route.js';
import { MAX_CLUSTER_STRATEGIES, type DwsSnapshots } from '../domain.js';
import { ClusterParams, PolicyView, policyView } from '../schemas.js';

export const listSnapshotPolicy = (dws: DwsSnapshots, now: () => number) =>
  defineRoute({
    operationId: 'ListSnapshotPolicy', method: 'GET', url: '/v2/:project_id/clusters/:cluster_id/snapshot-policies',
    summary: "A cluster's automated-snapshot policy: retention and backup strategies with their next fire time",
    schema: { params: ClusterParams, response: { 200: PolicyView } },
    handler: async (req) => {
      const { policy, strategies } = await dws.policy(req.caller!.projectId, req.params.cluster_id);
      const t = now();
      return policyView(policy, strategies, (e) => dws.nextFire(e, t), MAX_CLUSTER_STRATEGIES);
    },
  });
