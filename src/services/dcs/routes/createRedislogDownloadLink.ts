import { Type } from '@sinclair/typebox';
import { defineRoute } from '../../../http/route.js';
import { ResourceId } from '../../../http/schema.js';
import type { DcsRunLogs } from '../runLogs.js';
import { InstanceParams } from '../schemas.js';

/** SDK DcsClient.createRedislogDownloadLink — a time-limited download URL of one run-log file. */
export function createRedislogDownloadLink(logs: DcsRunLogs) {
  return defineRoute({
    operationId: 'CreateRedislogDownloadLink',
    method: 'POST',
    url: '/v2/:project_id/instances/:instance_id/redislog/:id/links',
    summary: 'Get a download link of a run-log file (valid 24 h by default)',
    schema: {
      params: Type.Composite([InstanceParams, Type.Object({ id: ResourceId })]),
      response: {
        200: Type.Object({
          id: Type.String({ description: 'The log ID.' }),
          backup_id: Type.String({ description: 'Background task ID (equals id).' }),
          link: Type.String({ description: 'Download URL; refused (403) after it expires or if changed.' }),
        }),
      },
    },
    handler: async (req) => logs.downloadLink(req.params.project_id, req.params.instance_id, req.params.id),
  });
}
