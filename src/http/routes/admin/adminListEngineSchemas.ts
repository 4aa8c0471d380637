import { Type } from '@sinclair/typebox';
import { defineRoute } from '../../route.js';
import type { AdminConsoleDeps } from './deps.js';

/**
 * The JSON Schema of each service's engine connection: the very schemas AdminCreateCluster and
 * AdminUpdateCluster validate with, so forms (the console's) check what the API will check.
 */
export const adminListEngineSchemas = (d: AdminConsoleDeps) =>
  defineRoute({
    operationId: 'AdminListEngineSchemas', method: 'GET', url: '/admin/v1/engine-schemas', auth: 'admin',
    summary: 'JSON Schema of each service\'s cluster engine (what cluster registration validates)',
    schema: {
      response: {
        200: Type.Object({
          services: Type.Array(Type.Object({ service: Type.String(), title: Type.String(), default_status: Type.String(), schema: Type.Unknown() })),
        }),
      },
    },
    handler: async () => ({
      services: Object.entries(d.engines).map(([service, spec]) => ({
        service, title: spec!.title ?? service, default_status: spec!.defaultStatus,
        // TypeBox schemas are JSON Schema; JSON drops its symbol-keyed markers
        schema: JSON.parse(JSON.stringify(spec!.schema)),
      })),
    }),
  });
