import { Type } from '@sinclair/typebox';
import { defineRoute } from '../../../http/route.js';
import { JOB_HEADER } from '../../../http/routes/jobs.js';
import type { DcsRunLogs } from '../runLogs.js';
import { InstanceParams, LogType, NoContent } from '../schemas.js';

/** SDK DcsClient.createRedislog — collect run logs of a replica, one file per day (asynchronous). */
export function createRedislog(logs: DcsRunLogs) {
  return defineRoute({
    operationId: 'CreateRedislog',
    method: 'POST',
    url: '/v2/:project_id/instances/:instance_id/redislog',
    summary: 'Collect Redis run logs (one file per day of the last query_time days)',
    description: 'Starts a job (X-Logsnap-Job-Id header) that reads the replica\'s Redis log and stores one file per day. Poll ListRedislog until status is succeed.',
    schema: {
      params: InstanceParams,
      querystring: Type.Object({
        log_type: LogType,
        query_time: Type.Optional(Type.Unsafe<0 | 1 | 3 | 7>({ type: 'integer', enum: [0, 1, 3, 7], default: 0, description: 'Days back: 0 (today), 1, 3 or 7.' })),
        replication_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Replica; required when the instance has more than one.' })),
      }),
      response: { 204: NoContent },
    },
    handler: async (req, reply) => {
      const { jobId } = await logs.startCollection(req.params.project_id, req.params.instance_id, {
        queryTime: req.query.query_time ?? 0,
        replicationId: req.query.replication_id,
      });
      reply.header(JOB_HEADER, jobId);
      return reply.status(204).send();
    },
  });
}
