import { Type } from '@sinclair/typebox';
import { defineRoute } from '../../route.js';
import { appError } from '../../errors/catalogue.js';
import { ClusterValidationError } from '../../../clusters/clusters.js';
import { mustProject, ProjectId } from './shared.js';
import type { AdminConsoleDeps } from './deps.js';

/** Rename a cluster, change its status or its engine (validated by the service's engine schema). */
export const adminUpdateCluster = (d: AdminConsoleDeps) =>
  defineRoute({
    operationId: 'AdminUpdateCluster', method: 'PATCH', url: '/admin/v1/projects/:project_id/clusters/:cluster_id', auth: 'admin',
    summary: 'Change a cluster\'s name, status or engine (masked secrets sent back unchanged are kept)',
    schema: {
      params: Type.Object({ project_id: ProjectId, cluster_id: Type.String({ minLength: 1, maxLength: 64 }) }),
      body: Type.Object({
        name: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
        status: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
        engine: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
      }, { additionalProperties: false }),
      response: {
        200: Type.Object({
          id: Type.String(), project_id: Type.String(), service: Type.String(), name: Type.String(), status: Type.String(),
          engine: Type.Unknown(), created_at: Type.Number(), updated_at: Type.Number(),
        }),
      },
    },
    handler: async (req) => {
      await mustProject(d.projects, req.params.project_id);
      try {
        const c = await d.clusters.update(req.params.project_id, req.params.cluster_id, req.body);
        if (!c) throw appError('LOGSNAP.0404', `Cluster ${req.params.cluster_id} does not exist in this project.`);
        return d.clusters.redact(c);
      } catch (e) {
        if (e instanceof ClusterValidationError) throw appError('LOGSNAP.0400', e.message);
        throw e;
      }
    },
  });
