import { Type } from '@sinclair/typebox';
import { defineRoute } from '../../route.js';
import { scopeOf } from '../../auth/scope.js';
import { StorageResponse } from './schemas.js';
import type { ConsoleRouteDeps } from './deps.js';

export const showStorageUsage = (d: ConsoleRouteDeps) =>
  defineRoute({
    operationId: 'ShowStorageUsage', method: 'GET', url: '/logsnap/v1/storage', auth: 'project-or-admin',
    summary: 'Bytes kept in the object store per project and service (successful runs that are still stored)',
    schema: { querystring: Type.Object({ project_id: Type.Optional(Type.String({ maxLength: 64 })) }), response: { 200: StorageResponse } },
    handler: async (req) => d.read.storage(scopeOf(req, req.query.project_id)),
  });
