import { Type } from '@sinclair/typebox';
import { defineRoute } from '../../../http/route.js';
import type { DwsSnapshots } from '../domain.js';
import { ListSnapshotsQuery, ProjectParams, SnapshotView, snapshotView } from '../schemas.js';

export const listSnapshots = (dws: DwsSnapshots) =>
  defineRoute({
    operationId: 'ListSnapshots', method: 'GET', url: '/v1.0/:project_id/snapshots',
    summary: "Snapshots of the project's clusters, newest first (at most 1000 per answer; count is the total)",
    schema: { params: ProjectParams, querystring: ListSnapshotsQuery, response: { 200: Type.Object({ snapshots: Type.Array(SnapshotView), count: Type.Integer() }) } },
    handler: async (req) => {
      const { rows, count } = await dws.list(req.caller!.projectId, req.query);
      return { snapshots: rows.map(snapshotView), count };
    },
  });
