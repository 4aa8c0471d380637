/**
 * The console's read model: overview, clusters with their last run, per-cluster history, jobs,
 * job detail, artifacts and storage used, for an admin (every project) or a project caller (its
 * own). Every list is paged in SQL; nothing loads a whole table.
 */
import { sql, type Db } from '../db/index.js';
import type { JobRow, Clock } from '../jobs/queue.js';
import type { ObjectStore } from '../storage/objectStore.js';
import type { Clusters, ServiceName } from '../clusters/clusters.js';
import type { Manifest } from '../services/css/backup.js';
import { appError } from '../http/errors/catalogue.js';
import { visible, type Scope } from '../http/auth/scope.js';
import { SERVICE_RUNS, serviceOfKind, type ArtifactPage, type ServiceRuns } from './services.js';
import type {
  ClusterDetailT, ClusterRunsResponseT, ClusterSummaryT, JobDetailT, JobSummaryT, LinkResponseT, ListClustersResponseT,
  ListJobsResponseT, OverviewResponseT, RunViewT, StorageResponseT,
} from '../http/routes/console/schemas.js';

const DAY = 86_400_000;
const ALL_KINDS = SERVICE_RUNS.flatMap((s) => s.kinds);

export interface ReadModelDeps {
  db: Db;
  store: ObjectStore;
  clock: Clock;
  clusters: Clusters;
  linkTtlSeconds: number;
  /** service titles for the session answer */
  titles: Partial<Record<ServiceName, string>>;
}

type JobPick = Pick<JobRow, 'id' | 'kind' | 'state' | 'progress' | 'created_at' | 'started_at' | 'finished_at' | 'error' | 'result'>;

function runView(j: JobPick): RunViewT {
  const svc = serviceOfKind(j.kind);
  let size: number | null = null;
  if (j.state === 'SUCCEEDED' && j.result && svc) {
    try {
      size = svc.size(JSON.parse(j.result));
    } catch {
      size = null;
    }
  }
  return {
    job_id: j.id, kind: j.kind, state: j.state, progress: Number(j.progress), created_at: Number(j.created_at),
    started_at: j.started_at === null ? null : Number(j.started_at), finished_at: j.finished_at === null ? null : Number(j.finished_at),
    duration_ms: j.started_at !== null && j.finished_at !== null ? Number(j.finished_at) - Number(j.started_at) : null,
    size, error: j.error,
  };
}

function jobSummary(j: JobRow & { cluster_name?: string | null }): JobSummaryT {
  return {
    id: j.id, kind: j.kind, service: serviceOfKind(j.kind)?.service ?? null, state: j.state, progress: Number(j.progress),
    project_id: j.project_id, cluster_id: j.cluster_id, cluster_name: j.cluster_name ?? null, error: j.error,
    attempts: Number(j.attempts), created_at: Number(j.created_at),
    started_at: j.started_at === null ? null : Number(j.started_at), finished_at: j.finished_at === null ? null : Number(j.finished_at),
    heartbeat_at: j.heartbeat_at === null ? null : Number(j.heartbeat_at), created_by: j.created_by,
  };
}

/** `%text%` for LIKE … ESCAPE '\\', lower-cased, with the wildcards of `text` escaped. */
export function likeContains(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}

const runOf = (service: string): ServiceRuns => SERVICE_RUNS.find((s) => s.service === service)!;

export class ReadModel {
  /** CSS manifests are immutable: the last few read are kept for paging through their files */
  #manifests = new Map<string, Promise<Manifest>>();

  constructor(private readonly d: ReadModelDeps) {}

  get #k() {
    return this.d.db.kysely;
  }

  async session(scope: Scope, caller: string) {
    const projects = await this.#k.selectFrom('projects').select(['id', 'name'])
      .$if(!scope.admin, (q) => q.where('id', '=', scope.projectId!))
      .orderBy('created_at').orderBy('id').limit(1000).execute();
    return {
      role: scope.admin ? ('admin' as const) : ('project' as const),
      caller,
      project_id: scope.admin ? null : scope.projectId!,
      projects,
      services: SERVICE_RUNS.map((s) => ({ service: s.service, title: this.d.titles[s.service] ?? s.service.toUpperCase(), noun: s.noun })),
      server_time: this.d.clock.now(),
    };
  }

  /** Clusters (of a service) with their last run, by name, one page. */
  async listClusters(scope: Scope, q: { service?: ServiceName; q?: string; offset: number; limit: number }): Promise<ListClustersResponseT> {
    const base = this.#k.selectFrom('clusters as c')
      .$if(!!q.service, (b) => b.where('c.service', '=', q.service!))
      .$if(!!scope.projectId, (b) => b.where('c.project_id', '=', scope.projectId!))
      .$if(!!q.q, (b) => b.where(sql<boolean>`lower(c.name) like ${likeContains(q.q!)} escape '\\'`));
    const total = Number((await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst())?.n ?? 0);
    const rows = await base
      .innerJoin('projects as p', 'p.id', 'c.project_id')
      .leftJoin('jobs as j', (join) =>
        join.on((eb) =>
          eb('j.id', '=', eb.selectFrom('jobs as j2').select('j2.id')
            .whereRef('j2.cluster_id', '=', 'c.id').where('j2.kind', 'in', ALL_KINDS)
            .orderBy('j2.created_at', 'desc').orderBy('j2.id', 'desc').limit(1)),
        ),
      )
      .select([
        'c.id', 'c.project_id', 'p.name as project_name', 'c.service', 'c.name', 'c.status', 'c.created_at', 'c.updated_at',
        'j.id as j_id', 'j.kind as j_kind', 'j.state as j_state', 'j.progress as j_progress', 'j.created_at as j_created_at',
        'j.started_at as j_started_at', 'j.finished_at as j_finished_at', 'j.error as j_error', 'j.result as j_result',
      ])
      .orderBy('c.name').orderBy('c.id').offset(q.offset).limit(q.limit).execute();
    return {
      total,
      clusters: rows.map((r) => ({
        id: r.id, project_id: r.project_id, project_name: r.project_name, service: r.service, name: r.name, status: r.status,
        created_at: Number(r.created_at), updated_at: Number(r.updated_at),
        last_run: r.j_id
          ? runView({
              id: r.j_id, kind: r.j_kind!, state: r.j_state!, progress: r.j_progress!, created_at: r.j_created_at!, started_at: r.j_started_at,
              finished_at: r.j_finished_at, error: r.j_error, result: r.j_result,
            })
          : null,
      })),
    };
  }

  async #cluster(scope: Scope, id: string) {
    const c = await this.d.clusters.getAny(id);
    if (!c || !visible(scope, c.project_id)) throw appError('LOGSNAP.0404', `Cluster ${id} was not found${scope.admin ? '' : ' in this project'}.`);
    return c;
  }

  async cluster(scope: Scope, id: string): Promise<ClusterDetailT> {
    const c = await this.#cluster(scope, id);
    const svc = runOf(c.service);
    const project = await this.#k.selectFrom('projects').select('name').where('id', '=', c.project_id).executeTakeFirst();
    const recent = await this.#k.selectFrom('jobs').selectAll().where('cluster_id', '=', c.id).where('kind', 'in', [...svc.kinds, ...svc.otherKinds])
      .orderBy('created_at', 'desc').orderBy('id', 'desc').limit(5).execute();
    const last = recent.find((j) => svc.kinds.includes(j.kind));
    const running = recent.find((j) => j.state === 'QUEUED' || j.state === 'RUNNING');
    return {
      id: c.id, project_id: c.project_id, project_name: project?.name ?? '', service: c.service, name: c.name, status: c.status,
      created_at: c.created_at, updated_at: c.updated_at, last_run: last ? runView(last) : null,
      engine: this.d.clusters.redact(c).engine, noun: svc.noun, running: running ? runView(running) : null,
    };
  }

  /** The last `limit` runs of a cluster (its service's backup kinds), for charts. */
  async runs(scope: Scope, id: string, limit: number): Promise<ClusterRunsResponseT> {
    const c = await this.#cluster(scope, id);
    const svc = runOf(c.service);
    const rows = await this.#k.selectFrom('jobs')
      .select(['id', 'kind', 'state', 'progress', 'created_at', 'started_at', 'finished_at', 'error', 'result'])
      .where('cluster_id', '=', c.id).where('kind', 'in', svc.kinds)
      .orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    const runs = rows.map(runView);
    return {
      cluster_id: c.id, noun: svc.noun, runs,
      succeeded: runs.filter((r) => r.state === 'SUCCEEDED').length,
      failed: runs.filter((r) => r.state === 'FAILED').length,
    };
  }

  /** Per service: clusters, jobs running and queued, successes and failures of the last 24 h, bytes stored. */
  async overview(scope: Scope): Promise<OverviewResponseT> {
    const now = this.d.clock.now();
    const k = this.#k;
    const p = scope.projectId;
    const clusterCounts = await k.selectFrom('clusters').select(['service', (eb) => eb.fn.countAll().as('n')])
      .$if(!!p, (b) => b.where('project_id', '=', p!)).groupBy('service').execute();
    const active = await k.selectFrom('jobs').select(['kind', 'state', (eb) => eb.fn.countAll().as('n')])
      .where('state', 'in', ['QUEUED', 'RUNNING']).$if(!!p, (b) => b.where('project_id', '=', p!)).groupBy(['kind', 'state']).execute();
    const recent = await k.selectFrom('jobs').select(['kind', 'state', (eb) => eb.fn.countAll().as('n')])
      .where('state', 'in', ['SUCCEEDED', 'FAILED']).where('finished_at', '>=', now - DAY)
      .$if(!!p, (b) => b.where('project_id', '=', p!)).groupBy(['kind', 'state']).execute();
    const count = (rows: { kind?: string; state?: string; n: unknown }[], svc: ServiceRuns, state: string) =>
      rows.filter((r) => r.state === state && r.kind && svc.kinds.includes(r.kind)).reduce((s, r) => s + Number(r.n), 0);
    const services = [];
    for (const svc of SERVICE_RUNS) {
      const usage = (await svc.usage(this.d.db)).filter((u) => !p || u.project_id === p);
      services.push({
        service: svc.service, noun: svc.noun,
        clusters: Number(clusterCounts.find((c) => c.service === svc.service)?.n ?? 0),
        running: count(active, svc, 'RUNNING'), queued: count(active, svc, 'QUEUED'),
        succeeded_24h: count(recent, svc, 'SUCCEEDED'), failed_24h: count(recent, svc, 'FAILED'),
        stored_bytes: usage.reduce((s, u) => s + u.bytes, 0),
      });
    }
    return { generated_at: now, services };
  }

  /** Bytes kept in the object store per project and service. */
  async storage(scope: Scope): Promise<StorageResponseT> {
    const projects = await this.#k.selectFrom('projects').select(['id', 'name'])
      .$if(!!scope.projectId, (q) => q.where('id', '=', scope.projectId!)).orderBy('name').limit(1000).execute();
    const per = await Promise.all(SERVICE_RUNS.map(async (s) => ({ service: s.service, rows: await s.usage(this.d.db) })));
    return {
      projects: projects.map((pr) => {
        const services = per.map(({ service, rows }) => {
          const u = rows.find((r) => r.project_id === pr.id);
          return { service, bytes: u?.bytes ?? 0, items: u?.items ?? 0 };
        });
        return { project_id: pr.id, project_name: pr.name, bytes: services.reduce((s, x) => s + x.bytes, 0), services };
      }),
    };
  }

  async listJobs(scope: Scope, q: { state?: string; cluster_id?: string; service?: ServiceName; since?: number; offset: number; limit: number }): Promise<ListJobsResponseT> {
    const states = q.state === 'ACTIVE' ? ['QUEUED', 'RUNNING'] : q.state ? [q.state] : undefined;
    const kinds = q.service ? [...runOf(q.service).kinds, ...runOf(q.service).otherKinds] : undefined;
    const base = this.#k.selectFrom('jobs as j')
      .$if(!!states, (b) => b.where('j.state', 'in', states!))
      .$if(!!scope.projectId, (b) => b.where('j.project_id', '=', scope.projectId!))
      .$if(!!q.cluster_id, (b) => b.where('j.cluster_id', '=', q.cluster_id!))
      .$if(!!kinds, (b) => b.where('j.kind', 'in', kinds!))
      .$if(q.since !== undefined, (b) => b.where('j.finished_at', '>=', q.since!));
    const total = Number((await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst())?.n ?? 0);
    const byFinish = q.since !== undefined;
    const rows = await base.leftJoin('clusters as c', 'c.id', 'j.cluster_id').selectAll('j').select('c.name as cluster_name')
      .orderBy(byFinish ? 'j.finished_at' : 'j.created_at', 'desc').orderBy('j.id', 'desc')
      .offset(q.offset).limit(q.limit).execute();
    return { total, jobs: rows.map(jobSummary) };
  }

  async #job(scope: Scope, id: string): Promise<JobRow> {
    const j = await this.#k.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
    if (!j || !visible(scope, j.project_id)) throw appError('LOGSNAP.0404', `Job ${id} was not found${scope.admin ? '' : ' in this project'}.`);
    return j;
  }

  async job(scope: Scope, id: string): Promise<JobDetailT> {
    const j = await this.#job(scope, id);
    const cluster = j.cluster_id ? await this.#k.selectFrom('clusters').select('name').where('id', '=', j.cluster_id).executeTakeFirst() : undefined;
    const project = j.project_id ? await this.#k.selectFrom('projects').select('name').where('id', '=', j.project_id).executeTakeFirst() : undefined;
    let label: string | null = null;
    if (scope.admin && j.created_by?.startsWith('token:')) {
      const prefix = j.created_by.slice('token:'.length);
      const t = await this.#k.selectFrom('tokens').select('description').where('token_hash', 'like', `${prefix.replace(/[^0-9a-f]/g, '')}%`).executeTakeFirst();
      label = t?.description ?? null;
    }
    let result: unknown = null;
    try {
      result = j.result ? JSON.parse(j.result) : null;
    } catch {
      result = null;
    }
    return {
      ...jobSummary({ ...j, cluster_name: cluster?.name ?? null }),
      max_attempts: Number(j.max_attempts), run_at: Number(j.run_at), updated_at: Number(j.updated_at),
      lease_owner: j.lease_owner, lease_expires_at: j.lease_expires_at === null ? null : Number(j.lease_expires_at),
      request_id: j.request_id, created_by_label: label, project_name: project?.name ?? null,
      noun: serviceOfKind(j.kind)?.noun ?? null, result,
    };
  }

  #manifest = (bucket: string, key: string): Promise<Manifest> => {
    const id = `${bucket}/${key}`;
    let m = this.#manifests.get(id);
    if (!m) {
      m = (async () => {
        const got = await this.d.store.get(bucket, key);
        const chunks: Buffer[] = [];
        for await (const c of got.body) chunks.push(c as Buffer);
        return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Manifest;
      })();
      m.catch(() => this.#manifests.delete(id));
      this.#manifests.set(id, m);
      while (this.#manifests.size > 16) this.#manifests.delete(this.#manifests.keys().next().value!);
    }
    return m;
  };

  async artifacts(scope: Scope, jobId: string, page: { offset: number; limit: number }): Promise<ArtifactPage> {
    const j = await this.#job(scope, jobId);
    const svc = serviceOfKind(j.kind);
    if (!svc) return { total: 0, items: [], summary: null };
    return svc.artifacts(j, { db: this.d.db, store: this.d.store, manifest: this.#manifest }, page);
  }

  /**
   * A signed, expiring download link for one artifact of a job the caller sees. Only objects the
   * job lists as its artifacts (for CSS: its manifest and the files the manifest names) are linked.
   */
  async link(scope: Scope, jobId: string, bucket: string, key: string): Promise<LinkResponseT> {
    const j = await this.#job(scope, jobId);
    const svc = serviceOfKind(j.kind);
    const ctx = { db: this.d.db, store: this.d.store, manifest: this.#manifest };
    let allowed = false;
    if (svc) {
      const first = await svc.artifacts(j, ctx, { offset: 0, limit: 1 });
      const m = first.summary?.manifest as { bucket: string; key: string } | undefined;
      if (m && m.bucket === bucket && m.key === key) allowed = true;
      else if (svc.service === 'css' && m) allowed = (await this.#manifest(m.bucket, m.key)).files.some((f) => f.bucket === bucket && f.key === key);
      else {
        const all = await svc.artifacts(j, ctx, { offset: 0, limit: 1000 });
        allowed = all.items.some((a) => a.bucket === bucket && a.key === key);
      }
    }
    if (!allowed) throw appError('LOGSNAP.0404', `${bucket}/${key} is not an artifact of job ${jobId}.`);
    const info = await this.d.store.head(bucket, key);
    if (!info) throw appError('LOGSNAP.0404', `${bucket}/${key} is no longer stored.`);
    const expires_at = this.d.clock.now() + this.d.linkTtlSeconds * 1000;
    return { link: await this.d.store.presignGet(bucket, key, expires_at), expires_at, size: info.size, sha256: info.sha256 ?? null };
  }
}
