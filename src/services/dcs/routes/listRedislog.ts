import { Type } from '@sinclair/typebox';
import { defineRoute } from '../../../http/route.js';
import { Offset0 } from '../../../http/schema.js';
import type { DcsRunLogs } from '../runLogs.js';
import { InstanceParams, LogType, NoContent, RunlogItem } from '../schemas.js';

/** SDK DcsClient.listRedislog — the instance's run-log files; 204 when there are none. */
export function listRedislog(logs: DcsRunLogs) {
  return defineRoute({
    operationId: 'ListRedislog',
    method: 'GET',
    url: '/v2/:project_id/instances/:instance_id/redislog',
    summary: 'List collected Redis run-log files (newest day first)',
    schema: {
      params: InstanceParams,
      querystring: Type.Object({
        log_type: LogType,
        offset: Type.Optional(Offset0('0-based index of the first file.')),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 10 })),
      }),
      response: {
        200: Type.Object({ total_num: Type.Integer(), file_list: Type.Array(RunlogItem) }),
        204: NoContent,
      },
    },
    handler: async (req, reply) => {
      const { total, rows } = await logs.list(req.params.project_id, req.params.instance_id, { offset: req.query.offset ?? 0, limit: req.query.limit ?? 10 });
      if (total === 0) return reply.status(204).send();
      return {
        total_num: total,
        file_list: rows.map((r) => ({
          id: r.id, file_name: r.file_name, group_name: r.group_name, replication_ip: r.replication_ip,
          status: r.status, time: r.day, backup_id: r.id,
        })),
      };
    },
  });
}
