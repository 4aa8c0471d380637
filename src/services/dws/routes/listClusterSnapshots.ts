import { Type } from '@sinclair/typebox';
import { defineRoute } from '../../../http/route.js';
import type { DwsSnapshots } from '../domain.js';
import { ClusterParams, ListClusterSnapshotsQuery, SnapshotView, snapshotView } from '../schemas.js';

export const listClusterSnapshots = (dws: DwsSnapshots) =>
  defineRoute({
    operationId: 'ListClusterSnapshots', method: 'GET', url: '/v1.0/:project_id/clusters/:cluster_id/snapshots',
    summary: 'Snapshots of one cluster, paged (offset = page number − 1) and sorted',
    schema: {
      params: ClusterParams, querystring: ListClusterSnapshotsQuery,
      response: { 200: Type.Object({ snapshots: Type.Array(SnapshotView), project_id: Type.String(), cluster_id: Type.String(), count: Type.Integer() }) },
    },
    handler: async (req) => {
      const { rows, count } = await dws.listForCluster(req.caller!.projectId, req.params.cluster_id, req.query);
      return { snapshots: rows.map(snapshotView), project_id: req.caller!.projectId, cluster_id: req.params.cluster_id, count };
    },
  });
