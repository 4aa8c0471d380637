import { Type } from '@sinclair/typebox';
import { defineRoute, type RouteDef } from '../http/route.js';
import { appError } from '../http/errors/catalogue.js';
import { JobConflictError } from '../jobs/queue.js';
import type { Projects } from '../projects/projects.js';
import { KeyUnavailableError } from './keys.js';
import type { Trust } from './index.js';
import type { SetFilter } from './types.js';

const ProjectId = Type.String({ pattern: '^[a-f0-9]{32}$' });
const PP = Type.Object({ project_id: ProjectId });
const N = Type.Union([Type.Number(), Type.Null()]);
const S = Type.Union([Type.String(), Type.Null()]);

const EncryptionStatus = Type.Object({
  project_id: Type.String(),
  enabled: Type.Boolean(),
  key: Type.Union([Type.Object({ key_id: Type.String(), version: Type.Integer(), created_at: Type.Number(), exported_at: N }), Type.Null()]),
  retiring: Type.Array(Type.Integer()),
  data_keys: Type.Integer(),
});
const Problem = Type.Object({
  service: Type.String(), set_id: Type.String(), project_id: Type.String(), cluster_id: Type.String(),
  bucket: Type.String(), key: Type.String(), role: Type.String(), result: Type.String(), detail: Type.Optional(Type.String()),
});
const Run = Type.Object({
  id: Type.String(), trigger: Type.String(), filter: Type.Unknown(), state: Type.String(), job_id: S,
  started_at: Type.Number(), finished_at: N, sets: Type.Integer(), artifacts: Type.Integer(), ok: Type.Integer(), problems: Type.Integer(),
  counts: Type.Union([Type.Record(Type.String(), Type.Integer()), Type.Null()]), error: S,
});
const RunDetail = Type.Composite([Run, Type.Object({ problem_list: Type.Array(Problem) })]);
const ArtifactSet = Type.Object({
  service: Type.String(), set_id: Type.String(), project_id: Type.String(), cluster_id: Type.String(), job_id: S,
  manifest: Type.String(), files: Type.Integer(), bytes: Type.Number(), encrypted: Type.Boolean(),
  finished_at: Type.Number(), last_verified_at: N, last_status: S, problems: Type.Array(Problem),
});
const VerifyFilter = Type.Object({
  project_id: Type.Optional(ProjectId),
  cluster_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  /** ISO date or date-time: only sets finished since then */
  since: Type.Optional(Type.String({ minLength: 10, maxLength: 40 })),
});

/** `YYYY-MM-DD` or an ISO date-time → epoch ms; undefined when not a date. */
export function parseSince(s: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(s)) return undefined;
  const t = Date.parse(s.length === 10 ? `${s}T00:00:00Z` : s);
  return Number.isNaN(t) ? undefined : t;
}

type RunRow = { id: string; trigger: string; filter: string; state: string; job_id: string | null; started_at: number; finished_at: number | null; sets: number; artifacts: number; ok: number; problems: number; report: string | null; error: string | null };

function runView(r: RunRow) {
  const report = r.report ? (JSON.parse(r.report) as { counts: Record<string, number>; problems: unknown[] }) : null;
  return {
    id: r.id, trigger: r.trigger, filter: JSON.parse(r.filter), state: r.state, job_id: r.job_id, started_at: r.started_at, finished_at: r.finished_at,
    sets: r.sets, artifacts: r.artifacts, ok: r.ok, problems: r.problems, counts: report?.counts ?? null, error: r.error,
  };
}

/** Admin API of the trust module: verification, catalogue, encryption at rest (admin token). */
export function trustRoutes(trust: Trust, deps: { projects: Projects }): RouteDef<any>[] {
  const mustProject = async (id: string) => {
    if (!(await deps.projects.get(id))) throw appError('LOGSNAP.0404', `Project ${id} does not exist.`);
  };
  /** A key operation on an existing project; a key that cannot be used is a 4xx with the reason. */
  const keyOp = async <T>(projectId: string, code: 'LOGSNAP.0400' | 'LOGSNAP.0409', fn: () => Promise<T>): Promise<T> => {
    await mustProject(projectId);
    try {
      return await fn();
    } catch (e) {
      if (e instanceof KeyUnavailableError) throw appError(code, e.message);
      throw e;
    }
  };
  return [
    defineRoute({
      operationId: 'AdminStartVerify', method: 'POST', url: '/admin/v1/verify', auth: 'admin',
      summary: 'Verify stored artifacts now (a job: re-reads every artifact, checks sizes, sha256, encryption and the engine check)',
      schema: { body: Type.Optional(VerifyFilter), response: { 202: Type.Object({ job_id: Type.String(), run_id: Type.String() }) } },
      handler: async (req, reply) => {
        const b = req.body ?? {};
        const filter: SetFilter = {};
        if (b.project_id) filter.projectId = b.project_id;
        if (b.cluster_id) filter.clusterId = b.cluster_id;
        if (b.since !== undefined) {
          const t = parseSince(b.since);
          if (t === undefined) throw appError('LOGSNAP.0400', `since: ${JSON.stringify(b.since)} is not a date; use YYYY-MM-DD or an ISO 8601 date-time.`);
          filter.since = t;
        }
        try {
          const job = (await trust.enqueueVerify(filter, 'admin'))!;
          return reply.status(202).send({ job_id: job.id, run_id: job.id });
        } catch (e) {
          if (e instanceof JobConflictError) throw appError('LOGSNAP.0409', 'A verification is already running; follow it with GET /admin/v1/verify.');
          throw e;
        }
      },
    }),
    defineRoute({
      operationId: 'AdminShowVerify', method: 'GET', url: '/admin/v1/verify', auth: 'admin',
      summary: 'Verification state: the last run, when every set was last verified, sets by result',
      schema: {
        response: {
          200: Type.Object({
            last_run: Type.Union([Run, Type.Null()]),
            running: Type.Union([Run, Type.Null()]),
            /** the oldest last-verified time over every set (null while a set was never verified) */
            all_verified_since: N,
            sets: Type.Object({ total: Type.Integer(), ok: Type.Integer(), problems: Type.Integer(), unverified: Type.Integer() }),
          }),
        },
      },
      handler: async () => trust.verifyState(runView),
    }),
    defineRoute({
      operationId: 'AdminShowVerifyRun', method: 'GET', url: '/admin/v1/verify/runs/:run_id', auth: 'admin',
      summary: 'One verification run with the artifacts it found missing, truncated, altered or invalid',
      schema: { params: Type.Object({ run_id: Type.String({ minLength: 1, maxLength: 64 }) }), response: { 200: RunDetail } },
      handler: async (req) => {
        const r = await trust.run(req.params.run_id);
        if (!r) throw appError('LOGSNAP.0404', `No verification run ${req.params.run_id}.`);
        return { ...runView(r), problem_list: r.report ? (JSON.parse(r.report) as { problems: never[] }).problems : [] };
      },
    }),
    defineRoute({
      operationId: 'AdminListArtifactSets', method: 'GET', url: '/admin/v1/artifacts', auth: 'admin',
      summary: 'Artifact sets in the catalogue (their manifest) with their last verification',
      schema: {
        querystring: Type.Object({
          project_id: Type.Optional(ProjectId), cluster_id: Type.Optional(Type.String({ maxLength: 64 })),
          service: Type.Optional(Type.Union(['css', 'dcs', 'cce', 'dws'].map((s) => Type.Literal(s)))),
          status: Type.Optional(Type.Union(['ok', 'problems', 'unverified'].map((s) => Type.Literal(s)))),
          limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }), offset: Type.Integer({ minimum: 0, default: 0 }),
        }),
        response: { 200: Type.Object({ total: Type.Integer(), artifact_sets: Type.Array(ArtifactSet) }) },
      },
      handler: async (req) => trust.listSets(req.query),
    }),
    defineRoute({
      operationId: 'AdminRebuildCatalog', method: 'POST', url: '/admin/v1/catalog/rebuild', auth: 'admin',
      summary: 'Recreate missing records, tasks, snapshots and run-log files from the manifests in the store (idempotent)',
      schema: { response: { 200: Type.Unknown() } },
      handler: async () => trust.rebuilder.rebuild(),
    }),
    defineRoute({
      operationId: 'AdminBackfillCatalog', method: 'POST', url: '/admin/v1/catalog/backfill', auth: 'admin',
      summary: 'Write the manifests of sets recorded before manifests existed (once, after an upgrade)',
      schema: { response: { 200: Type.Unknown() } },
      handler: async () => trust.rebuilder.backfill(),
    }),
    defineRoute({
      operationId: 'AdminShowEncryption', method: 'GET', url: '/admin/v1/projects/:project_id/encryption', auth: 'admin',
      summary: "A project's encryption at rest: on or off, its key id and version (never the key)",
      schema: { params: PP, response: { 200: EncryptionStatus } },
      handler: async (req) => {
        await mustProject(req.params.project_id);
        return trust.keys.status(req.params.project_id);
      },
    }),
    defineRoute({
      operationId: 'AdminUpdateEncryption', method: 'PUT', url: '/admin/v1/projects/:project_id/encryption', auth: 'admin',
      summary: 'Turn encryption at rest of new artifacts on or off (turning it off keeps the key: existing artifacts stay readable)',
      schema: { params: PP, body: Type.Object({ enabled: Type.Boolean() }), response: { 200: EncryptionStatus } },
      handler: async (req) => keyOp(req.params.project_id, 'LOGSNAP.0409', () => trust.keys.setEncryption(req.params.project_id, req.body.enabled)),
    }),
    defineRoute({
      operationId: 'AdminRotateProjectKey', method: 'POST', url: '/admin/v1/projects/:project_id/encryption/rotate', auth: 'admin',
      summary: 'A new project key; every data key is re-wrapped (artifacts are not rewritten) and the old key destroyed',
      schema: {
        params: PP,
        response: { 200: Type.Object({ version: Type.Integer(), key_id: Type.String(), rewrapped: Type.Integer(), manifests: Type.Integer(), retired: Type.Array(Type.Integer()) }) },
      },
      handler: async (req) => keyOp(req.params.project_id, 'LOGSNAP.0409', () => trust.rotate(req.params.project_id)),
    }),
    defineRoute({
      operationId: 'AdminExportProjectKey', method: 'POST', url: '/admin/v1/projects/:project_id/encryption/export', auth: 'admin',
      summary: 'The project key for offline decryption (`logsnap decrypt`): shown in this response only, never logged',
      schema: {
        params: PP,
        response: {
          200: Type.Object({
            format: Type.String(), formatVersion: Type.Integer(), projectId: Type.String(), version: Type.Integer(), keyId: Type.String(), key: Type.String(), exportedAt: Type.String(),
          }),
        },
      },
      handler: async (req, reply) => {
        reply.header('Cache-Control', 'no-store');
        return keyOp(req.params.project_id, 'LOGSNAP.0409', () => trust.keys.export(req.params.project_id));
      },
    }),
    defineRoute({
      operationId: 'AdminImportProjectKey', method: 'POST', url: '/admin/v1/projects/:project_id/encryption/import', auth: 'admin',
      summary: 'Put an exported project key back (after the master key was lost): it is wrapped by the current master key',
      schema: { params: PP, body: Type.Object({ key: Type.String({ minLength: 20, maxLength: 2000 }) }), response: { 200: EncryptionStatus } },
      handler: async (req) => keyOp(req.params.project_id, 'LOGSNAP.0400', () => trust.keys.import(req.params.project_id, req.body.key)),
    }),
  ];
}
