import type { JobRow } from '../jobs/queue.js';
import type { JobTransition } from '../jobs/runner.js';
import type { EmitInput } from './events.js';
import type { EventType } from './catalogue.js';

/** A stored artifact a job produced, as its event reports it. */
export interface Artifact {
  bucket?: string;
  key?: string;
  /** bytes stored */
  size: number;
  sha256: string | null;
}

/**
 * What a job kind's events say (declared next to each kind, `events: {…}` on the JobKind):
 * `logsnap.<service>.<family>.started` at each claim, `.succeeded` with the result's artifacts,
 * `.failed` with the failure message the API shows.
 */
export interface JobEventSpec<P = any> {
  service: 'css' | 'dcs' | 'cce' | 'dws';
  family: string;
  /** the SDK operation that starts such a job through the API (scheduled jobs say trigger "schedule") */
  operation: string;
  /** what the subject id names: record (CSS), collection (DCS), task (CCE), snapshot or cluster (DWS) */
  resource: string;
  /** the id the API shows for this job's record (CSS record id, CCE task uid, DWS snapshot id …) */
  subject(job: JobRow, payload: P): string;
  /** stored artifacts, from the job's result (succeeded only) */
  artifacts?(result: any): Artifact[];
  /** more facts of a success, from the job's result (totals, files, etcd revision …) */
  details?(result: any): Record<string, unknown>;
}

declare module '../jobs/runner.js' {
  interface JobKind<P> {
    /** this kind's webhook events (src/notify/jobEvents.ts); kinds without it send none */
    events?: JobEventSpec<P>;
  }
}

const SUFFIX: Record<JobTransition, string> = { RUNNING: 'started', SUCCEEDED: 'succeeded', FAILED: 'failed' };
const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(Number(ms)).toISOString());

/** The event of one job transition (null for jobs outside a project). */
export function jobEvent(spec: JobEventSpec, job: JobRow, to: JobTransition, info: { message?: string; result?: unknown }, now: number): EmitInput | null {
  if (!job.project_id) return null;
  const payload = JSON.parse(job.payload || '{}');
  const subject = spec.subject(job, payload);
  const ok = to === 'SUCCEEDED';
  const artifacts = ok && spec.artifacts ? spec.artifacts(info.result) : [];
  return {
    type: `logsnap.${spec.service}.${spec.family}.${SUFFIX[to]}` as EventType,
    projectId: job.project_id,
    service: spec.service,
    clusterId: job.cluster_id,
    subject,
    time: now,
    data: {
      service: spec.service,
      operation: spec.operation,
      trigger: job.created_by?.startsWith('scheduler:') ? 'schedule' : job.created_by === 'system' ? 'system' : 'api',
      project_id: job.project_id,
      cluster_id: job.cluster_id,
      resource: spec.resource,
      resource_id: subject,
      job_id: job.id,
      job_kind: job.kind,
      state: to,
      attempt: job.attempts,
      created_by: job.created_by,
      request_id: job.request_id,
      created_at: iso(job.created_at),
      started_at: iso(job.started_at ?? (to === 'RUNNING' ? now : null)),
      finished_at: to === 'RUNNING' ? null : iso(now),
      artifacts,
      size: ok ? artifacts.reduce((s, a) => s + a.size, 0) : null,
      sha256: ok && artifacts.length === 1 ? artifacts[0].sha256 : null,
      ...(ok && spec.details ? spec.details(info.result) : {}),
      error: to === 'FAILED' ? (info.message ?? null) : null,
    },
  };
}
