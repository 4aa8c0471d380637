import { pipeline, Transform } from 'node:stream';
import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../../db/types.js';
import { deleteObjectsLater } from '../../storage/cleanup.js';
import { stuckRecords, type RecordOwner } from '../../jobs/reconciler.js';
import { appError } from '../../http/errors/catalogue.js';
import { JobConflictError } from '../../jobs/queue.js';
import { JobFailure, type JobKind } from '../../jobs/runner.js';
import { uuid } from '../../security/ids.js';
import type { ServiceDeps } from '../types.js';
import { MAX_PAGE } from '../../db/paging.js';
import type { Cluster } from '../../clusters/clusters.js';
import type { CceEngineT } from './engine.js';
import { EtcdUnreachableError, openSnapshot } from './etcd.js';
import { formatGoTime, type Zone } from './goTime.js';
import { integrityCheck, SnapshotIntegrityError } from './integrity.js';
import type { CreateSnapshotT, ListSnapshotTasksT, SnapshotTaskT } from './schemas.js';
import { cceSet } from './artifacts.js';
import { snapshotEvents } from './events.js';

export interface CceSnapshotTaskTable {
  /** the task uid; also the id of the job doing the work */
  id: string;
  project_id: string;
  cluster_id: string;
  /** Running | Success | Failed */
  phase: string;
  /** 0–100 */
  progress: number;
  /** why a task failed (user-actionable, no secrets) */
  message: string | null;
  /** the etcd member the snapshot was streamed from */
  endpoint: string | null;
  etcd_version: string | null;
  revision: string | null;
  db_size: number | null;
  bucket: string | null;
  object_key: string | null;
  /** stored object size (database + etcd's 32-byte sha256) and its sha256 */
  size: number | null;
  sha256: string | null;
  created_at: number;
  updated_at: number;
  completed_at: number | null;
}

declare module '../../db/types.js' {
  interface Database {
    cce_snapshot_tasks: CceSnapshotTaskTable;
  }
}

export type SnapshotTaskRow = Selectable<CceSnapshotTaskTable>;

/** Which API a cluster is addressed through: /api/v3.1 (standard) or /autopilot/v3.1. */
export type Flavor = 'standard' | 'autopilot';

export const SNAPSHOT_JOB_KIND = 'cce-master-snapshot';
/** Where stored snapshots live: <bucket>/<project_id>/<cluster_id>/<task uid>.db */
export const SNAPSHOT_BUCKET = 'cce-master-snapshots';
export const API_VERSION = 'v3.1';

export interface SnapshotJobPayload {
  taskId: string;
}

export interface MasterSnapshotOptions {
  /** time zone task times are rendered in */
  zone: Zone;
  /** per-endpoint connect timeout (Maintenance Status deadline) */
  connectTimeoutMs: number;
}

/** How often a running task's progress is written to its row (ListClusterMasterSnapshotTasks shows it). */
const PROGRESS_WRITE_MS = 500;

export const activeKeyFor = (clusterId: string) => `cce-master-snapshot:${clusterId}`;
export const objectKeyFor = (t: { project_id: string; cluster_id: string; id: string }) => `${t.project_id}/${t.cluster_id}/${t.id}.db`;

/**
 * CCE master snapshots: CreateClusterMasterSnapshot starts a task whose job streams the etcd
 * Maintenance Snapshot into the object store; ListClusterMasterSnapshotTasks renders the tasks.
 * Shared by the standard and the Autopilot operations.
 */
export class MasterSnapshots {
  constructor(private readonly deps: ServiceDeps, private readonly opts: MasterSnapshotOptions) {}

  /** The caller's cluster for this API flavour; anything else is CCE.01404001. */
  async cluster(projectId: string, clusterId: string, flavor: Flavor): Promise<Cluster<CceEngineT>> {
    const c = await this.deps.clusters.get<CceEngineT>(projectId, 'cce', clusterId);
    if (!c || (c.engine.autopilot === true) !== (flavor === 'autopilot')) {
      throw appError('CCE.01404001', undefined, `Cluster ${clusterId} was not found.`);
    }
    return c;
  }

  async create(projectId: string, clusterId: string, flavor: Flavor): Promise<{ body: CreateSnapshotT; jobId: string }> {
    await this.cluster(projectId, clusterId, flavor);
    const id = uuid();
    const now = this.deps.clock.now();
    try {
      await this.deps.db.kysely.transaction().execute(async (trx) => {
        await trx.insertInto('cce_snapshot_tasks').values({
          id, project_id: projectId, cluster_id: clusterId, phase: 'Running', progress: 0, message: null,
          endpoint: null, etcd_version: null, revision: null, db_size: null, bucket: null, object_key: null,
          size: null, sha256: null, created_at: now, updated_at: now, completed_at: null,
        }).execute();
        await this.deps.queue.enqueue(
          { id, kind: SNAPSHOT_JOB_KIND, projectId, clusterId, payload: { taskId: id } satisfies SnapshotJobPayload, activeKey: activeKeyFor(clusterId) },
          trx,
        );
      });
    } catch (err) {
      if (err instanceof JobConflictError) {
        const running = await this.deps.queue.active(activeKeyFor(clusterId));
        throw appError(
          'CCE.01409001',
          'A master snapshot of this cluster is already running.',
          `Wait for task ${running?.id ?? '(finishing)'} to reach Success or Failed, then try again.`,
        );
      }
      throw err;
    }
    return { body: { uid: id, metadata: { kind: 'Snapshot', apiVersion: API_VERSION } }, jobId: id };
  }

  #time(ms: number): string {
    return formatGoTime(ms * 1000, this.opts.zone);
  }

  /** Newest first, at most MAX_PAGE tasks per answer (`limit`/`offset`: logsnap extensions), by index (migration 0350). */
  async list(projectId: string, clusterId: string, flavor: Flavor, page: { limit?: number; offset?: number } = {}): Promise<ListSnapshotTasksT> {
    await this.cluster(projectId, clusterId, flavor);
    const k = this.deps.db.kysely;
    const rows = await k
      .selectFrom('cce_snapshot_tasks').selectAll()
      .where('cluster_id', '=', clusterId).where('project_id', '=', projectId)
      .orderBy('created_at', 'desc').orderBy('id', 'desc')
      .limit(Math.min(page.limit ?? MAX_PAGE, MAX_PAGE)).offset(page.offset ?? 0)
      .execute();
    // the latest success over all tasks, not only this page: one probe of (cluster_id, phase, completed_at)
    const last = await k.selectFrom('cce_snapshot_tasks').select('completed_at')
      .where('cluster_id', '=', clusterId).where('phase', '=', 'Success').where('completed_at', 'is not', null).where('project_id', '=', projectId)
      .orderBy('completed_at', 'desc').limit(1).executeTakeFirst();
    const latest = last?.completed_at == null ? null : Number(last.completed_at);
    return {
      kind: 'List',
      apiVersion: API_VERSION,
      metadata: {},
      items: rows.map((r) => this.#item(r)),
      status: { latestBackupTime: latest === null ? '' : this.#time(latest) },
    };
  }

  #item(r: SnapshotTaskRow): SnapshotTaskT {
    const created = this.#time(Number(r.created_at));
    const updated = this.#time(Number(r.updated_at));
    const item: SnapshotTaskT = {
      kind: 'SnapshotTask',
      apiVersion: API_VERSION,
      metadata: { uid: r.id, creationTimestamp: created, updateTimestamp: updated },
      spec: {},
      status: {
        phase: r.phase,
        progress: String(Math.floor(Number(r.progress))),
        // while running: the time of the last update, as in the seed example
        completionTime: this.#time(Number(r.completed_at ?? r.updated_at)),
      },
    };
    if (r.phase === 'Failed') {
      item.spec = { items: [{ id: r.id, type: 'EtcdSnapshot', status: 'Failed', creationTimestamp: created, updateTimestamp: updated, message: r.message ?? '' }] };
    }
    return item;
  }

  async #task(id: string): Promise<SnapshotTaskRow | undefined> {
    return this.deps.db.kysely.selectFrom('cce_snapshot_tasks').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** The job that does the work. */
  jobKind(): JobKind<SnapshotJobPayload> {
    const { db, clusters, store, clock } = this.deps;
    return {
      kind: SNAPSHOT_JOB_KIND,
      events: snapshotEvents,
      // a snapshot is a point-in-time copy: re-streaming it from the start after a crash is safe
      retryable: true,
      maxAttempts: 2,
      run: async (ctx) => {
        const task = await this.#task(ctx.payload.taskId);
        if (!task) throw new JobFailure(`snapshot task ${ctx.payload.taskId} no longer exists`);
        const cluster = await clusters.getAny<CceEngineT>(task.cluster_id);
        if (!cluster) throw new JobFailure(`cluster ${task.cluster_id} was deleted`);
        let snap;
        try {
          snap = await openSnapshot(cluster.engine, { connectTimeoutMs: this.opts.connectTimeoutMs, signal: ctx.signal });
        } catch (err) {
          if (err instanceof EtcdUnreachableError) throw new JobFailure(err.message);
          throw err;
        }
        const key = objectKeyFor(task);
        const update = (set: Partial<CceSnapshotTaskTable>) =>
          db.kysely.updateTable('cce_snapshot_tasks').set({ ...set, updated_at: clock.now() }).where('id', '=', task.id).where('phase', '=', 'Running').execute();
        await update({ endpoint: snap.endpoint, etcd_version: snap.version, revision: snap.revision, db_size: snap.dbSize, bucket: SNAPSHOT_BUCKET, object_key: key });

        // progress: whole percents of database bytes received; 100 only once stored and verified.
        // The task row is written at most every PROGRESS_WRITE_MS (a write per percent cost ~100
        // database writes per snapshot on the thread that also moves the bytes).
        let shown = 0;
        let progressWritten = 0;
        let writtenAt = 0;
        let writes = Promise.resolve();
        const onProgress = () => {
          const { received, total } = snap.progress();
          const pct = total > 0 ? Math.min(99, Math.floor((received * 100) / total)) : 0;
          if (pct <= shown) return;
          shown = pct;
          ctx.progress(pct);
          const now = performance.now();
          if (now - writtenAt < PROGRESS_WRITE_MS && pct < 99) return;
          writtenAt = now;
          progressWritten = pct;
          writes = writes.then(() => update({ progress: progressWritten }).then(() => undefined)).catch((err) => ctx.log.warn({ err }, 'progress write failed'));
        };
        const tap = new Transform({
          transform(chunk: Buffer, _enc, cb) {
            onProgress();
            cb(null, chunk);
          },
        });
        const body = pipeline(snap.body, tap, integrityCheck(), () => undefined);
        let put;
        try {
          put = await store.put(SNAPSHOT_BUCKET, key, body, { contentType: 'application/octet-stream', signal: ctx.signal, project: task.project_id });
        } catch (err) {
          if (ctx.signal.aborted) throw err;
          if (err instanceof SnapshotIntegrityError) throw new JobFailure(`etcd ${snap.endpoint}: ${err.message}`);
          const msg = (err as Error).message ?? String(err);
          throw new JobFailure(msg.startsWith('etcd ') ? msg : `etcd ${snap.endpoint}: storing the snapshot failed: ${msg}`);
        } finally {
          snap.close();
          await writes;
        }
        // The snapshot's manifest goes into the store once it is stored; Success becomes visible
        // together with the job's end (and the cluster's active key release): a client that sees
        // Success can start the next snapshot at once.
        const now = clock.now();
        const done = { phase: 'Success', progress: 100, size: put.size, sha256: put.sha256, updated_at: now, completed_at: now };
        const current = await this.#task(task.id);
        if (!current) throw new JobFailure(`snapshot task ${task.id} no longer exists`);
        const written = await this.deps.artifacts.write(cceSet({ ...current, ...done }));
        ctx.onCommit(async (trx) => {
          await trx.updateTable('cce_snapshot_tasks').set(done).where('id', '=', task.id).execute();
          await this.deps.artifacts.record(trx, written);
        });
        return { taskId: task.id, bucket: SNAPSHOT_BUCKET, key, size: put.size, sha256: put.sha256, endpoint: snap.endpoint, revision: snap.revision, etcdVersion: snap.version };
      },
      // the task turns Failed in the transaction that fails the job; its object goes after the commit
      onFail: async (trx, job, message) => {
        await this.failTask(trx, (JSON.parse(job.payload) as SnapshotJobPayload).taskId, message);
      },
    };
  }

  /**
   * The failure step (the job's onFail, and the reconciler's repair): a Running task turns Failed
   * with the message and its snapshot object (complete or not) is scheduled for deletion (outbox),
   * in the caller's transaction. False when the task is not Running.
   */
  async failTask(trx: Kysely<Database>, taskId: string, message: string): Promise<boolean> {
    const task = await trx.selectFrom('cce_snapshot_tasks').selectAll().where('id', '=', taskId).executeTakeFirst();
    if (task?.phase !== 'Running') return false;
    const now = this.deps.clock.now();
    await trx.updateTable('cce_snapshot_tasks')
      .set({ phase: 'Failed', message, updated_at: now, completed_at: now })
      .where('id', '=', taskId).where('phase', '=', 'Running').execute();
    const manifest = await this.deps.artifacts.discardIn(trx, { service: 'cce', projectId: task.project_id, clusterId: task.cluster_id, setId: task.id, jobId: task.id }, 'the master snapshot failed');
    await deleteObjectsLater(this.deps.outbox, trx, manifest, { bucket: SNAPSHOT_BUCKET, keys: [objectKeyFor(task)], jobId: taskId, reason: 'the master snapshot failed' });
    return true;
  }

  /** What the reconciler needs: stuck tasks, and which stored snapshots tasks claim. */
  recordOwner(): RecordOwner {
    return {
      name: 'CCE snapshot tasks',
      stuck: (limit) => stuckRecords(this.deps.db, {
        table: 'cce_snapshot_tasks', idColumn: 'id', jobColumn: 'id', stateColumn: 'phase', inProgress: 'Running',
        createdColumn: 'created_at', label: 'CCE snapshot task', limit,
      }),
      repair: (trx, rec, message) => this.failTask(trx, rec.key, message),
      objects: {
        locations: async () => [{ bucket: SNAPSHOT_BUCKET, prefix: '' }],
        unclaimed: async (_bucket, keys) => {
          // <project>/<cluster>/<task uid>.db: claimed by its task while Running or once Success
          const owned = keys.map((key) => ({ key, jobId: /^[^/]+\/[^/]+\/([^/]+)\.db$/.exec(key)?.[1] ?? '' })).filter((o) => o.jobId);
          if (owned.length === 0) return [];
          const claimed = new Set((await this.deps.db.kysely.selectFrom('cce_snapshot_tasks').select('id')
            .where('id', 'in', owned.map((o) => o.jobId)).where('phase', 'in', ['Running', 'Success']).execute()).map((r) => r.id));
          return owned.filter((o) => !claimed.has(o.jobId)).map((o) => ({ ...o, why: 'no running or successful CCE snapshot task claims it' }));
        },
      },
    };
  }
}
