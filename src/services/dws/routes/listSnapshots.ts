import { Type } from '@sinclair/typebox';
import { defineRoute } from '../../../http/route.js';
import type { DwsSnapshots } from '../domain.js';
import { ProjectParams, SnapshotView, snapshotView } from '../schemas.js';

export const listSnapshots = (dws: DwsSnapshots) =>
  defineRoute({
    operationId: 'ListSnapshots', method: 'GET', url: '/v1.0/:project_id/snapshots',
    summary: "All snapshots of the project's clusters, newest first",
    schema: { params: ProjectParams, response: { 200: Type.Object({ snapshots: Type.Array(SnapshotView), count: Type.Integer() }) } },
    handler: async (req) => {
      const rows = await dws.list(req.caller!.projectId);
      return { snapshots: rows.map(snapshotView), count: rows.length };
    },
  });
