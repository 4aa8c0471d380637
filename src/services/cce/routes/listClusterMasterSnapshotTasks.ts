import { defineRoute } from '../../../http/route.js';
import { ClusterParams, ListSnapshotTasksQuery, ListSnapshotTasksResponse } from '../schemas.js';
import type { Flavor, MasterSnapshots } from '../snapshots.js';
import { API_PREFIX } from './createClusterMasterSnapshot.js';

/** GET …/clusters/{cluster_id}/operation/snapshot/tasks for either API flavour. */
export function listSnapshotTasksRoute(snapshots: MasterSnapshots, flavor: Flavor, operationId: string) {
  return defineRoute({
    operationId,
    method: 'GET',
    url: `${API_PREFIX[flavor]}/projects/:project_id/clusters/:cluster_id/operation/snapshot/tasks`,
    summary: `Master snapshot tasks of the ${flavor === 'autopilot' ? 'Autopilot ' : ''}cluster, newest first`,
    schema: { params: ClusterParams, querystring: ListSnapshotTasksQuery, response: { 200: ListSnapshotTasksResponse } },
    handler: async (req) => snapshots.list(req.params.project_id, req.params.cluster_id, flavor, req.query),
  });
}

/** CceClient.listClusterMasterSnapshotTasks */
export const listClusterMasterSnapshotTasks = (snapshots: MasterSnapshots) => listSnapshotTasksRoute(snapshots, 'standard', 'ListClusterMasterSnapshotTasks');
