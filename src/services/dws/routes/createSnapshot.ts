import { Type } from '@sinclair/typebox';
import { defineRoute } from '../../../http/route.js';
import { JOB_HEADER } from '../../../http/routes/jobs.js';
import type { DwsSnapshots } from '../domain.js';
import { CreateSnapshotBody, ProjectParams } from '../schemas.js';

export const createSnapshot = (dws: DwsSnapshots) =>
  defineRoute({
    operationId: 'CreateSnapshot', method: 'POST', url: '/v1.0/:project_id/snapshots',
    summary: 'Create a manual snapshot of a cluster (a streamed pg_dump -Fc into the object store)',
    schema: { params: ProjectParams, body: CreateSnapshotBody, response: { 200: Type.Object({ snapshot: Type.Object({ id: Type.String() }) }) } },
    handler: async (req, reply) => {
      const { snapshot, job } = await dws.create(req.caller!.projectId, req.body.snapshot);
      reply.header(JOB_HEADER, job.id);
      return { snapshot: { id: snapshot.id } };
    },
  });
