import { defineRoute } from '../../../http/route.js';
import { JOB_HEADER } from '../../../http/routes/jobs.js';
import { ClusterParams, CreateSnapshotResponse } from '../schemas.js';
import type { Flavor, MasterSnapshots } from '../snapshots.js';

export const API_PREFIX: Record<Flavor, string> = { standard: '/api/v3.1', autopilot: '/autopilot/v3.1' };

/** POST …/clusters/{cluster_id}/operation/snapshot for either API flavour. */
export function createSnapshotRoute(snapshots: MasterSnapshots, flavor: Flavor, operationId: string) {
  return defineRoute({
    operationId,
    method: 'POST',
    url: `${API_PREFIX[flavor]}/projects/:project_id/clusters/:cluster_id/operation/snapshot`,
    summary: `Back up the ${flavor === 'autopilot' ? 'Autopilot ' : ''}cluster's etcd (a master snapshot task streamed into the object store)`,
    description: 'Returns the task uid; follow it with the task list (phase Running → Success | Failed). 409 CCE.01409001 while a snapshot of the cluster runs.',
    schema: { params: ClusterParams, response: { 200: CreateSnapshotResponse } },
    handler: async (req, reply) => {
      const { body, jobId } = await snapshots.create(req.params.project_id, req.params.cluster_id, flavor);
      reply.header(JOB_HEADER, jobId);
      return body;
    },
  });
}

/** CceClient.createClusterMasterSnapshot */
export const createClusterMasterSnapshot = (snapshots: MasterSnapshots) => createSnapshotRoute(snapshots, 'standard', 'CreateClusterMasterSnapshot');
