import { Type } from '@sinclair/typebox';
import { defineRoute } from '../../../http/route.js';
import type { DwsSnapshots } from '../domain.js';
import { SnapshotParams, SnapshotView, snapshotView } from '../schemas.js';

export const listSnapshotDetails = (dws: DwsSnapshots) =>
  defineRoute({
    operationId: 'ListSnapshotDetails', method: 'GET', url: '/v1.0/:project_id/snapshots/:snapshot_id',
    summary: 'One snapshot (a missing one answers 400 DWS.5149, as the real service does)',
    schema: { params: SnapshotParams, response: { 200: Type.Object({ snapshot: SnapshotView }) } },
    handler: async (req) => ({ snapshot: snapshotView(await dws.get(req.caller!.projectId, req.params.snapshot_id)) }),
  });
