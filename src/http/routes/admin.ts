import { Type } from '@sinclair/typebox';
import { defineRoute, type RouteDef } from '../route.js';
import { appError } from '../errors/catalogue.js';
import { ClusterExistsError, ClusterValidationError, SERVICE_NAMES, type Clusters, type ServiceName } from '../../clusters/clusters.js';
import { ProjectExistsError, type Projects } from '../../projects/projects.js';
import type { JobQueue } from '../../jobs/queue.js';
import { adminJobView, AdminJobView } from './jobs.js';
import type { Db } from '../../db/index.js';
import { validateBucket, validateKey, type ObjectStore } from '../../storage/objectStore.js';
import type { Clock } from '../../jobs/queue.js';

const ProjectId = Type.String({ pattern: '^[a-f0-9]{32}$' });
const Project = Type.Object({ id: Type.String(), name: Type.String(), created_at: Type.Number() });
const Credential = Type.Object({ ak: Type.String(), description: Type.Union([Type.String(), Type.Null()]), created_at: Type.Number() });
const NewCredential = Type.Object({ ak: Type.String(), sk: Type.String() });
const Service = Type.Union(SERVICE_NAMES.map((s) => Type.Literal(s)));
const Cluster = Type.Object({
  id: Type.String(), project_id: Type.String(), service: Type.String(), name: Type.String(), status: Type.String(),
  engine: Type.Unknown(), created_at: Type.Number(), updated_at: Type.Number(),
});
const PP = Type.Object({ project_id: ProjectId });

/** The admin API: projects, credentials, tokens and clusters at run time (admin token). */
export function adminRoutes(deps: { projects: Projects; clusters: Clusters; queue: JobQueue; db: Db; store: ObjectStore; clock: Clock; linkTtlSeconds: number }): RouteDef<any>[] {
  const mustProject = async (id: string) => {
    if (!(await deps.projects.get(id))) throw appError('LOGSNAP.0404', `Project ${id} does not exist.`);
  };
  return [
    defineRoute({
      operationId: 'AdminCreateProject', method: 'POST', url: '/admin/v1/projects', auth: 'admin',
      summary: 'Create a project and its first AK/SK (the SK is shown only here)',
      schema: {
        body: Type.Object({ id: Type.Optional(ProjectId), name: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$' }) }),
        response: { 201: Type.Object({ project: Project, credential: NewCredential }) },
      },
      handler: async (req, reply) => {
        try {
          const project = await deps.projects.create(req.body);
          const credential = await deps.projects.addCredential(project.id);
          return reply.status(201).send({ project, credential });
        } catch (e) {
          if (e instanceof ProjectExistsError) throw appError('LOGSNAP.0409', e.message);
          throw e;
        }
      },
    }),
    defineRoute({
      operationId: 'AdminListProjects', method: 'GET', url: '/admin/v1/projects', auth: 'admin', summary: 'List projects',
      schema: { response: { 200: Type.Object({ projects: Type.Array(Project) }) } },
      handler: async () => ({ projects: await deps.projects.list() }),
    }),
    defineRoute({
      operationId: 'AdminDeleteProject', method: 'DELETE', url: '/admin/v1/projects/:project_id', auth: 'admin',
      summary: 'Delete a project with its credentials, tokens and clusters (stored objects stay)',
      schema: { params: PP, response: { 204: Type.Null() } },
      handler: async (req, reply) => {
        if (!(await deps.projects.delete(req.params.project_id))) throw appError('LOGSNAP.0404', 'Project not found.');
        return reply.status(204).send();
      },
    }),
    defineRoute({
      operationId: 'AdminCreateCredential', method: 'POST', url: '/admin/v1/projects/:project_id/credentials', auth: 'admin',
      summary: 'Add an AK/SK to a project (the SK is shown only here)',
      schema: {
        params: PP,
        body: Type.Optional(Type.Object({ description: Type.Optional(Type.String({ maxLength: 255 })) })),
        response: { 201: NewCredential },
      },
      handler: async (req, reply) => {
        await mustProject(req.params.project_id);
        return reply.status(201).send(await deps.projects.addCredential(req.params.project_id, { description: req.body?.description }));
      },
    }),
    defineRoute({
      operationId: 'AdminListCredentials', method: 'GET', url: '/admin/v1/projects/:project_id/credentials', auth: 'admin',
      summary: 'List the AKs of a project (never the SKs)',
      schema: { params: PP, response: { 200: Type.Object({ credentials: Type.Array(Credential) }) } },
      handler: async (req) => {
        await mustProject(req.params.project_id);
        return { credentials: await deps.projects.listCredentials(req.params.project_id) };
      },
    }),
    defineRoute({
      operationId: 'AdminDeleteCredential', method: 'DELETE', url: '/admin/v1/projects/:project_id/credentials/:ak', auth: 'admin',
      summary: 'Revoke an AK/SK', schema: { params: Type.Object({ project_id: ProjectId, ak: Type.String() }), response: { 204: Type.Null() } },
      handler: async (req, reply) => {
        if (!(await deps.projects.deleteCredential(req.params.project_id, req.params.ak))) throw appError('LOGSNAP.0404', 'Credential not found.');
        return reply.status(204).send();
      },
    }),
    defineRoute({
      operationId: 'AdminIssueToken', method: 'POST', url: '/admin/v1/projects/:project_id/tokens', auth: 'admin',
      summary: 'Issue an X-Auth-Token for a project (for curl and scripts)',
      schema: {
        params: PP,
        body: Type.Optional(Type.Object({ ttl_seconds: Type.Optional(Type.Integer({ minimum: 60, maximum: 31536000 })), description: Type.Optional(Type.String({ maxLength: 255 })) })),
        response: { 201: Type.Object({ token: Type.String(), expires_at: Type.Union([Type.Number(), Type.Null()]) }) },
      },
      handler: async (req, reply) => {
        await mustProject(req.params.project_id);
        return reply.status(201).send(await deps.projects.issueToken(req.params.project_id, { ttlSeconds: req.body?.ttl_seconds ?? 86400, description: req.body?.description }));
      },
    }),
    defineRoute({
      operationId: 'AdminCreateCluster', method: 'POST', url: '/admin/v1/projects/:project_id/clusters', auth: 'admin',
      summary: 'Register a cluster (CSS nodes, DCS Redis nodes, CCE etcd endpoints, DWS PostgreSQL URL)',
      schema: {
        params: PP,
        body: Type.Object({
          id: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9-]{0,63}$' })),
          service: Service,
          name: Type.String({ minLength: 1, maxLength: 64 }),
          status: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
          engine: Type.Record(Type.String(), Type.Unknown()),
        }),
        response: { 201: Cluster },
      },
      handler: async (req, reply) => {
        await mustProject(req.params.project_id);
        try {
          const c = await deps.clusters.register({ ...req.body, projectId: req.params.project_id, service: req.body.service as ServiceName });
          return reply.status(201).send(deps.clusters.redact(c));
        } catch (e) {
          if (e instanceof ClusterValidationError) throw appError('LOGSNAP.0400', e.message);
          if (e instanceof ClusterExistsError) throw appError('LOGSNAP.0409', e.message);
          throw e;
        }
      },
    }),
    defineRoute({
      operationId: 'AdminListClusters', method: 'GET', url: '/admin/v1/projects/:project_id/clusters', auth: 'admin',
      summary: 'List clusters (engine secrets masked)',
      schema: { params: PP, querystring: Type.Object({ service: Type.Optional(Service) }), response: { 200: Type.Object({ clusters: Type.Array(Cluster) }) } },
      handler: async (req) => {
        await mustProject(req.params.project_id);
        const list = await deps.clusters.list(req.params.project_id, req.query.service as ServiceName | undefined);
        return { clusters: list.map((c) => deps.clusters.redact(c)) };
      },
    }),
    defineRoute({
      operationId: 'AdminDeleteCluster', method: 'DELETE', url: '/admin/v1/projects/:project_id/clusters/:cluster_id', auth: 'admin',
      summary: 'Unregister a cluster (its stored backups stay)',
      schema: { params: Type.Object({ project_id: ProjectId, cluster_id: Type.String() }), response: { 204: Type.Null() } },
      handler: async (req, reply) => {
        if (!(await deps.clusters.delete(req.params.project_id, req.params.cluster_id))) throw appError('LOGSNAP.0404', 'Cluster not found.');
        return reply.status(204).send();
      },
    }),
    defineRoute({
      operationId: 'AdminCreateObjectLink', method: 'POST', url: '/admin/v1/objects/link', auth: 'admin',
      summary: 'A signed, expiring download link for a stored object (e.g. a CSS backup manifest)',
      schema: {
        body: Type.Object({
          /** `<bucket>/<key>` as jobs report it (e.g. a CSS manifest), or bucket and key apart */
          path: Type.Optional(Type.String({ minLength: 5, maxLength: 1100 })),
          bucket: Type.Optional(Type.String({ minLength: 3, maxLength: 63 })),
          key: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
          ttl_seconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 604800 })),
        }),
        response: { 200: Type.Object({ link: Type.String(), size: Type.Number(), sha256: Type.Union([Type.String(), Type.Null()]), expires_at: Type.Number() }) },
      },
      handler: async (req) => {
        const slash = req.body.path?.indexOf('/') ?? -1;
        const bucket = req.body.path ? req.body.path.slice(0, slash) : req.body.bucket;
        const key = req.body.path ? req.body.path.slice(slash + 1) : req.body.key;
        if (!bucket || !key) throw appError('LOGSNAP.0400', 'Send "path": "<bucket>/<key>", or "bucket" and "key".');
        try {
          validateBucket(bucket);
          validateKey(key);
        } catch (e) {
          throw appError('LOGSNAP.0400', (e as Error).message);
        }
        const info = await deps.store.head(bucket, key);
        if (!info) throw appError('LOGSNAP.0404', `No object ${bucket}/${key}.`);
        const expires_at = deps.clock.now() + (req.body.ttl_seconds ?? deps.linkTtlSeconds) * 1000;
        return { link: await deps.store.presignGet(bucket, key, expires_at), size: info.size, sha256: info.sha256 ?? null, expires_at };
      },
    }),
    defineRoute({
      operationId: 'AdminListJobs', method: 'GET', url: '/admin/v1/jobs', auth: 'admin',
      summary: 'List jobs, newest first',
      schema: {
        querystring: Type.Object({
          project_id: Type.Optional(Type.String()), cluster_id: Type.Optional(Type.String()), kind: Type.Optional(Type.String()),
          state: Type.Optional(Type.Union(['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED'].map((s) => Type.Literal(s)))),
          limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
        }),
        response: { 200: Type.Object({ jobs: Type.Array(AdminJobView) }) },
      },
      handler: async (req) => {
        const q = req.query;
        const rows = await deps.db.kysely.selectFrom('jobs').selectAll()
          .$if(!!q.project_id, (b) => b.where('project_id', '=', q.project_id!))
          .$if(!!q.cluster_id, (b) => b.where('cluster_id', '=', q.cluster_id!))
          .$if(!!q.kind, (b) => b.where('kind', '=', q.kind!))
          .$if(!!q.state, (b) => b.where('state', '=', q.state!))
          .orderBy('created_at', 'desc').limit(q.limit).execute();
        return { jobs: rows.map(adminJobView) };
      },
    }),
  ];
}
