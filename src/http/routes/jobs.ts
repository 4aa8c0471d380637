import { Type, type Static } from '@sinclair/typebox';
import { defineRoute, type RouteDef } from '../route.js';
import { appError } from '../errors/catalogue.js';
import type { JobQueue, JobRow } from '../../jobs/queue.js';

export const JobView = Type.Object({
  id: Type.String(), kind: Type.String(), state: Type.String(), progress: Type.Number(),
  cluster_id: Type.Union([Type.String(), Type.Null()]), error: Type.Union([Type.String(), Type.Null()]),
  attempts: Type.Integer(), created_at: Type.Number(),
  started_at: Type.Union([Type.Number(), Type.Null()]), finished_at: Type.Union([Type.Number(), Type.Null()]),
  result: Type.Unknown(),
  request_id: Type.Union([Type.String(), Type.Null()]),
  created_by: Type.Union([Type.String(), Type.Null()]),
});

export function jobView(j: JobRow): Static<typeof JobView> {
  return {
    id: j.id, kind: j.kind, state: j.state, progress: j.progress, cluster_id: j.cluster_id, error: j.error,
    attempts: j.attempts, created_at: j.created_at, started_at: j.started_at, finished_at: j.finished_at,
    result: j.result ? JSON.parse(j.result) : null,
    request_id: j.request_id, created_by: j.created_by,
  };
}

/** Header set by every operation that starts a job; `logsnap call --wait` follows it. */
export const JOB_HEADER = 'X-Logsnap-Job-Id';

/** A job of the caller's project: how the CLI (and anyone) follows asynchronous work. */
export function jobRoutes(deps: { queue: JobQueue }): RouteDef<any>[] {
  return [
    defineRoute({
      operationId: 'ShowJob', method: 'GET', url: '/logsnap/v1/:project_id/jobs/:job_id',
      summary: 'State and progress of a job started by an API call (see the X-Logsnap-Job-Id response header)',
      schema: { params: Type.Object({ project_id: Type.String(), job_id: Type.String() }), response: { 200: JobView } },
      handler: async (req) => {
        const job = await deps.queue.get(req.params.job_id);
        if (!job || job.project_id !== req.params.project_id) throw appError('LOGSNAP.0404', 'Job not found.');
        return jobView(job);
      },
    }),
  ];
}
