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

/** The operator's view (admin API, console): who holds the job and until when, so a slow job and a dead holder differ. */
export const AdminJobView = Type.Composite([
  JobView,
  Type.Object({
    /** the worker holding the job while RUNNING (`w-…`); null otherwise */
    lease_owner: Type.Union([Type.String(), Type.Null()]),
    /** epoch ms: the job is the sweep's after this unless renewed by a heartbeat */
    lease_expires_at: Type.Union([Type.Number(), Type.Null()]),
    /** epoch ms of the holder's last heartbeat (also progress writes) */
    heartbeat_at: Type.Union([Type.Number(), Type.Null()]),
    max_attempts: Type.Integer(),
    /** epoch ms: not run before (back-off of a re-queued job) */
    run_at: Type.Number(),
    updated_at: Type.Number(),
  }),
]);

export function adminJobView(j: JobRow): Static<typeof AdminJobView> {
  return {
    ...jobView(j),
    lease_owner: j.lease_owner, lease_expires_at: j.lease_expires_at, heartbeat_at: j.heartbeat_at,
    max_attempts: j.max_attempts, run_at: j.run_at, updated_at: j.updated_at,
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
