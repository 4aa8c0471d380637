/**
 * Wire schemas of the console's read API (/logsnap/v1/…), declared once: Fastify validates and
 * serialises with them, /openapi.json documents them, and the console (src/console) imports their
 * static types.
 */
import { Type, type Static } from '@sinclair/typebox';

const Nullable = <T extends import('@sinclair/typebox').TSchema>(t: T) => Type.Union([t, Type.Null()]);
export const ServiceName = Type.Union([Type.Literal('css'), Type.Literal('dcs'), Type.Literal('cce'), Type.Literal('dws')]);
const JobState = Type.Union(['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED'].map((s) => Type.Literal(s)));

/** Query paging (defaults filled in by validation). */
export const Paging = {
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0, description: '0-based index of the first item' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
};
/** The paging a validated query carries (validation fills the defaults in). */
export function paging(q: { offset?: number; limit?: number }): { offset: number; limit: number } {
  return { offset: q.offset ?? 0, limit: q.limit ?? 50 };
}

/** One run (backup, collection, snapshot, restore) of a cluster: a job. */
export const RunView = Type.Object({
  job_id: Type.String(),
  kind: Type.String(),
  state: Type.String({ description: 'QUEUED | RUNNING | SUCCEEDED | FAILED' }),
  progress: Type.Number(),
  created_at: Type.Number(),
  started_at: Nullable(Type.Number()),
  finished_at: Nullable(Type.Number()),
  duration_ms: Nullable(Type.Number({ description: 'finished − started' })),
  size: Nullable(Type.Number({ description: 'bytes the run covers (CSS: log bytes; DCS: day files; CCE, DWS: the archive)' })),
  error: Nullable(Type.String()),
});
export type RunViewT = Static<typeof RunView>;

export const ClusterSummary = Type.Object({
  id: Type.String(),
  project_id: Type.String(),
  project_name: Type.String(),
  service: Type.String(),
  name: Type.String(),
  status: Type.String(),
  created_at: Type.Number(),
  updated_at: Type.Number(),
  last_run: Nullable(RunView),
});
export type ClusterSummaryT = Static<typeof ClusterSummary>;

export const ClusterDetail = Type.Composite([
  ClusterSummary,
  Type.Object({
    engine: Type.Unknown({ description: 'the engine connection, secrets masked' }),
    noun: Type.String({ description: 'what one run of this service is called' }),
    running: Nullable(RunView),
  }),
]);
export type ClusterDetailT = Static<typeof ClusterDetail>;

export const ListClustersQuery = Type.Object({
  service: Type.Optional(ServiceName),
  project_id: Type.Optional(Type.String({ maxLength: 64 })),
  q: Type.Optional(Type.String({ maxLength: 64, description: 'name contains (case-insensitive)' })),
  ...Paging,
});
export const ListClustersResponse = Type.Object({ total: Type.Integer(), clusters: Type.Array(ClusterSummary) });
export type ListClustersResponseT = Static<typeof ListClustersResponse>;

export const ClusterRunsResponse = Type.Object({
  cluster_id: Type.String(),
  noun: Type.String(),
  runs: Type.Array(RunView, { description: 'newest first' }),
  succeeded: Type.Integer(),
  failed: Type.Integer(),
});
export type ClusterRunsResponseT = Static<typeof ClusterRunsResponse>;

export const ServiceStats = Type.Object({
  service: Type.String(),
  noun: Type.String(),
  clusters: Type.Integer(),
  running: Type.Integer(),
  queued: Type.Integer(),
  succeeded_24h: Type.Integer(),
  failed_24h: Type.Integer(),
  stored_bytes: Type.Number(),
});
export const OverviewResponse = Type.Object({ generated_at: Type.Number(), services: Type.Array(ServiceStats) });
export type OverviewResponseT = Static<typeof OverviewResponse>;

export const StorageResponse = Type.Object({
  projects: Type.Array(Type.Object({
    project_id: Type.String(),
    project_name: Type.String(),
    bytes: Type.Number(),
    services: Type.Array(Type.Object({ service: Type.String(), bytes: Type.Number(), items: Type.Integer() })),
  })),
});
export type StorageResponseT = Static<typeof StorageResponse>;

/** The fields every job view shares (lists, detail, live events). */
const JobCore = {
  id: Type.String(),
  kind: Type.String(),
  state: Type.String(),
  progress: Type.Number(),
  project_id: Nullable(Type.String()),
  cluster_id: Nullable(Type.String()),
  error: Nullable(Type.String()),
  attempts: Type.Integer(),
  created_at: Type.Number(),
  started_at: Nullable(Type.Number()),
  finished_at: Nullable(Type.Number()),
  heartbeat_at: Nullable(Type.Number()),
};
const Lease = {
  lease_owner: Nullable(Type.String()),
  lease_expires_at: Nullable(Type.Number()),
  updated_at: Type.Number(),
};

export const JobSummary = Type.Object({
  ...JobCore,
  service: Nullable(Type.String()),
  cluster_name: Nullable(Type.String()),
  created_by: Nullable(Type.String()),
});
export type JobSummaryT = Static<typeof JobSummary>;

export const ListJobsQuery = Type.Object({
  state: Type.Optional(Type.Union([JobState, Type.Literal('ACTIVE')], { description: 'ACTIVE = QUEUED or RUNNING' })),
  project_id: Type.Optional(Type.String({ maxLength: 64 })),
  cluster_id: Type.Optional(Type.String({ maxLength: 64 })),
  service: Type.Optional(ServiceName),
  since: Type.Optional(Type.Integer({ minimum: 0, description: 'finished at or after (epoch ms); with state FAILED/SUCCEEDED, newest finished first' })),
  ...Paging,
});
export const ListJobsResponse = Type.Object({ total: Type.Integer(), jobs: Type.Array(JobSummary) });
export type ListJobsResponseT = Static<typeof ListJobsResponse>;

export const JobDetail = Type.Composite([
  JobSummary,
  Type.Object({
    ...Lease,
    max_attempts: Type.Integer(),
    run_at: Type.Number(),
    request_id: Nullable(Type.String()),
    created_by_label: Nullable(Type.String({ description: 'for token callers: the token description (admin only)' })),
    project_name: Nullable(Type.String()),
    noun: Nullable(Type.String()),
    result: Type.Unknown(),
  }),
]);
export type JobDetailT = Static<typeof JobDetail>;

export const Artifact = Type.Object({
  name: Type.String(),
  bucket: Nullable(Type.String()),
  key: Nullable(Type.String()),
  size: Nullable(Type.Number()),
  sha256: Nullable(Type.String()),
  stored_size: Type.Optional(Nullable(Type.Number())),
  stored_sha256: Type.Optional(Nullable(Type.String())),
  encoding: Type.Optional(Type.String()),
  reused: Type.Optional(Type.Boolean()),
  node: Type.Optional(Type.String()),
  path: Type.Optional(Type.String()),
  day: Type.Optional(Type.String()),
  status: Type.Optional(Type.String()),
  note: Type.Optional(Nullable(Type.String())),
});
export const ArtifactsResponse = Type.Object({
  total: Type.Integer(),
  items: Type.Array(Artifact),
  summary: Nullable(Type.Record(Type.String(), Type.Unknown())),
});
export type ArtifactsResponseT = Static<typeof ArtifactsResponse>;
export type ArtifactT = Static<typeof Artifact>;

export const LinkBody = Type.Object({
  bucket: Type.String({ minLength: 3, maxLength: 63 }),
  key: Type.String({ minLength: 1, maxLength: 1024 }),
});
export const LinkResponse = Type.Object({ link: Type.String(), expires_at: Type.Number(), size: Type.Number(), sha256: Nullable(Type.String()) });
export type LinkResponseT = Static<typeof LinkResponse>;

export const SessionResponse = Type.Object({
  role: Type.Union([Type.Literal('admin'), Type.Literal('project')]),
  caller: Type.String({ description: 'admin, ak:<AK> or token:<12 hex of its sha256>' }),
  project_id: Nullable(Type.String({ description: 'a project caller\'s project' })),
  projects: Type.Array(Type.Object({ id: Type.String(), name: Type.String() }), { description: 'the projects this caller sees' }),
  services: Type.Array(Type.Object({ service: Type.String(), title: Type.String(), noun: Type.String() })),
  server_time: Type.Number(),
});
export type SessionResponseT = Static<typeof SessionResponse>;

/** One event of GET /logsnap/v1/events (server-sent events, `event: job`). */
export const JobEvent = Type.Object({ ...JobCore, ...Lease });
export type JobEventT = Static<typeof JobEvent>;

/** A test-connection answer (POST /admin/v1/projects/{id}/clusters/probe). */
export const ProbeResponse = Type.Object({
  ok: Type.Boolean(),
  service: Type.String(),
  took_ms: Type.Number(),
  checks: Type.Array(Type.Object({
    target: Type.String(),
    ok: Type.Boolean(),
    message: Type.String(),
    details: Type.Array(Type.String()),
  })),
});
export type ProbeResponseT = Static<typeof ProbeResponse>;
