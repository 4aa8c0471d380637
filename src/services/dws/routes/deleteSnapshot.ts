import { Type } from '@sinclair/typebox';
import { defineRoute } from '../../../http/route.js';
import type { DwsSnapshots } from '../domain.js';
import { SnapshotParams } from '../schemas.js';

export const deleteSnapshot = (dws: DwsSnapshots) =>
  defineRoute({
    operationId: 'DeleteSnapshot', method: 'DELETE', url: '/v1.0/:project_id/snapshots/:snapshot_id',
    summary: 'Delete a manual snapshot and its archive (202, no body)',
    schema: { params: SnapshotParams, response: { 202: Type.Null() } },
    handler: async (req, reply) => {
      await dws.delete(req.caller!.projectId, req.params.snapshot_id);
      return reply.status(202).send();
    },
  });
