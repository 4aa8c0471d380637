/**
 * The DWS snapshot domain: snapshots (manual and automated), restores into new clusters,
 * snapshot policies and retention. Routes call this; this calls the database, the object
 * store, the job queue and the PostgreSQL tools adapter.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { Db } from '../../db/index.js';
import type { Database } from '../../db/types.js';
import type { Outbox, OutboxHandler } from '../../jobs/outbox.js';
import { stuckRecords, type RecordOwner } from '../../jobs/reconciler.js';
import { deleteObjectsLater, type DeleteObjects } from '../../storage/cleanup.js';
import { isUniqueViolation } from '../../db/index.js';
import { appError } from '../../http/errors/catalogue.js';
import { JobConflictError, type Clock, type JobQueue, type JobRow } from '../../jobs/queue.js';
import { JobFailure, type JobContext, type JobKind } from '../../jobs/runner.js';
import type { Schedule } from '../../jobs/scheduler.js';
import type { Cluster, Clusters } from '../../clusters/clusters.js';
import type { ObjectStore } from '../../storage/objectStore.js';
import { uuid } from '../../security/ids.js';
import { scrubSecrets } from '../../security/redact.js';
import { pgTarget, withDatabase, type DwsEngineConfig } from './engine.js';
import { ARCHIVE_FORMAT, dumpDatabase, listArchive, restoreArchive, withClient, type ArchiveFormat } from './pgtools.js';
import { CronError, nextFireTime, parseCron, previousFireTime } from './cron.js';
import { descriptionProblem, nameProblem, restoreDatabaseName } from './rules.js';
import { DWS_SNAPSHOT_COUNTS, SORT_KEYS, snapshotFiles, type PolicyRow, type SnapshotRow, type StrategyRow } from './tables.js';
import { countRows } from '../../db/rowCounts.js';
import { MAX_PAGE, paged } from '../../db/paging.js';
import type { ArtifactCatalog } from '../../trust/catalog.js';
import { dwsSet } from './artifacts.js';
import type { EventSink } from '../../notify/events.js';
import { removedEvent, restoreEvents, snapshotEvents } from './events.js';
import './tables.js';

/** Where snapshot archives live in the object store. */
export const DWS_BUCKET = 'logsnap-dws';
export const SNAPSHOT_KIND = 'dws-snapshot';
export const RESTORE_KIND = 'dws-restore';
/** Outbox topic: drop the database a failed restore created (only if its marker says so). */
export const DROP_RESTORED_DATABASE = 'dws.drop-restored-database';
/** Automated slots older than this when first seen (logsnap was down) are skipped. */
export const SLOT_LOOKBACK_MS = 60 * 60 * 1000;
export const MAX_CLUSTER_STRATEGIES = 4;
const DAY = 86_400_000;

export interface SnapshotPayload {
  snapshotId?: string;
  /** automated snapshots: the schedule slot (epoch ms) */
  slot?: number;
  keepDay?: number;
}
export interface RestorePayload {
  snapshotId: string;
  sourceClusterId: string;
  clusterId: string;
  database: string;
}

export const snapshotBusyKey = (clusterId: string) => `dws-snapshot:${clusterId}`;

export interface DomainDeps {
  db: Db;
  outbox: Outbox;
  store: ObjectStore;
  artifacts: ArtifactCatalog;
  queue: JobQueue;
  clock: Clock;
  clusters: Clusters;
  log: FastifyBaseLogger;
  events: EventSink;
}

export interface StrategyInput {
  policy_id?: string;
  policy_name?: string;
  backup_strategy: string;
  backup_type?: string;
  backup_level?: string;
  time_zone_offset?: number;
  backup_database?: string;
  backup_schema_list?: string;
  backup_table_list?: string;
}
export interface PolicyInput {
  keep_day?: number;
  backup_strategies?: StrategyInput[];
  device_name?: string;
  server_port?: string;
  backup_param?: string;
  server_ips?: string[];
  auto_backup?: boolean;
}

export class DwsSnapshots {
  constructor(private readonly d: DomainDeps) {}

  // ---- clusters ------------------------------------------------------------------------

  async #cluster(projectId: string, clusterId: string): Promise<Cluster<DwsEngineConfig>> {
    const c = await this.d.clusters.get<DwsEngineConfig>(projectId, 'dws', clusterId);
    if (!c) throw appError('DWS.0015', undefined, `Cluster ${clusterId} does not exist in this project.`);
    return c;
  }

  // ---- snapshots -----------------------------------------------------------------------

  /** CreateSnapshot: validate, record CREATING, enqueue the dump job (atomically). */
  async create(projectId: string, input: { name: string; cluster_id: string; description?: string }): Promise<{ snapshot: SnapshotRow; job: JobRow }> {
    const problem = nameProblem('snapshot.name', input.name) ?? descriptionProblem(input.description ?? '');
    if (problem) throw appError('DWS.0001', undefined, problem);
    const cluster = await this.#cluster(projectId, input.cluster_id);
    if (cluster.status !== 'AVAILABLE') {
      throw appError('DWS.7023', undefined, `Cluster ${cluster.id} is ${cluster.status}; snapshots need an AVAILABLE cluster.`);
    }
    await this.#assertNameFree(projectId, input.name);
    const now = this.d.clock.now();
    const id = uuid();
    const row: SnapshotRow = {
      id, project_id: projectId, cluster_id: cluster.id, cluster_name: cluster.name,
      name: input.name, name_lower: input.name.toLowerCase(), description: input.description ?? '',
      type: 'MANUAL', status: 'CREATING', bucket: DWS_BUCKET, object_key: objectKey(projectId, cluster.id, id),
      size_bytes: 0, sha256: null, format: ARCHIVE_FORMAT, files: null, failure_reason: null, job_id: null, keep_until: null,
      started_at: now, finished_at: null, updated_at: now,
    };
    try {
      return await this.d.db.kysely.transaction().execute(async (trx) => {
        const job = (await this.d.queue.enqueue(
          { kind: SNAPSHOT_KIND, projectId, clusterId: cluster.id, payload: { snapshotId: id } satisfies SnapshotPayload, activeKey: snapshotBusyKey(cluster.id) },
          trx,
        ))!;
        row.job_id = job.id;
        await trx.insertInto('dws_snapshots').values(row).execute();
        return { snapshot: row, job };
      });
    } catch (e) {
      if (e instanceof JobConflictError) {
        throw appError('DWS.0011', undefined, `A snapshot of cluster ${cluster.id} is already being created; wait until it is AVAILABLE.`);
      }
      if (isUniqueViolation(e)) throw nameTaken(input.name);
      throw e;
    }
  }

  async #assertNameFree(projectId: string, name: string): Promise<void> {
    const clash = await this.d.db.kysely.selectFrom('dws_snapshots').select('id')
      .where('project_id', '=', projectId).where('name_lower', '=', name.toLowerCase()).executeTakeFirst();
    if (clash) throw nameTaken(name);
  }

  /**
   * ListSnapshots: newest first; at most MAX_PAGE per answer (`limit`/`offset`: logsnap extensions,
   * offset in items); `count` is the project's total, from the counters (migration 0450).
   */
  async list(projectId: string, q: { limit?: number; offset?: number } = {}): Promise<{ rows: SnapshotRow[]; count: number }> {
    const page = { offset: q.offset ?? 0, limit: Math.min(q.limit ?? MAX_PAGE, MAX_PAGE) };
    const { total, rows } = await paged(countRows(this.d.db, DWS_SNAPSHOT_COUNTS.scope, projectId), page, () =>
      this.d.db.kysely.selectFrom('dws_snapshots').selectAll().where('project_id', '=', projectId)
        .orderBy('started_at', 'desc').orderBy('id').limit(page.limit).offset(page.offset).execute());
    return { rows, count: total };
  }

  /** ListClusterSnapshots: one index per sort key (migration 0450); without `limit`, the first MAX_PAGE. */
  async listForCluster(projectId: string, clusterId: string, q: { limit?: number; offset?: number; sort_key?: string; sort_dir?: 'asc' | 'desc' }): Promise<{ rows: SnapshotRow[]; count: number }> {
    await this.#cluster(projectId, clusterId);
    const column = (SORT_KEYS as Record<string, (typeof SORT_KEYS)[keyof typeof SORT_KEYS]>)[q.sort_key ?? 'started'];
    if (!column) throw appError('DWS.0001', undefined, `sort_key must be one of ${Object.keys(SORT_KEYS).join(', ')}.`);
    const dir = q.sort_dir ?? 'desc';
    const page = q.limit !== undefined ? { limit: q.limit, offset: (q.offset ?? 0) * q.limit } : { limit: MAX_PAGE, offset: 0 };
    const { total, rows } = await paged(countRows(this.d.db, DWS_SNAPSHOT_COUNTS.scope, projectId, clusterId), page, () =>
      this.d.db.kysely.selectFrom('dws_snapshots').selectAll().where('project_id', '=', projectId).where('cluster_id', '=', clusterId)
        .orderBy(column, dir).orderBy('id', dir).limit(page.limit).offset(page.offset).execute());
    return { rows, count: total };
  }

  async get(projectId: string, snapshotId: string): Promise<SnapshotRow> {
    const row = await this.d.db.kysely.selectFrom('dws_snapshots').selectAll()
      .where('id', '=', snapshotId).where('project_id', '=', projectId).executeTakeFirst();
    if (!row) throw appError('DWS.5149', undefined, `Snapshot ${snapshotId} does not exist.`);
    return row;
  }

  /** DeleteSnapshot: manual snapshots that are not being created; the archive goes too. */
  async delete(projectId: string, snapshotId: string): Promise<void> {
    const row = await this.get(projectId, snapshotId);
    if (row.type !== 'MANUAL') {
      throw appError('DWS.0001', undefined, `Snapshot ${row.id} is an automated snapshot; only manual snapshots can be deleted (automated ones expire after the policy's keep_day).`);
    }
    if (row.status === 'CREATING') {
      throw appError('DWS.0011', undefined, `Snapshot ${row.id} is still being created; delete it when it is AVAILABLE or UNAVAILABLE.`);
    }
    await this.#remove(row, 'the snapshot was deleted (DeleteSnapshot)', 'logsnap.dws.snapshot.deleted');
  }

  /** The record goes, and its manifest then its archive after the commit (outbox): never a record without its archive. */
  async #remove(row: SnapshotRow, reason: string, event: 'logsnap.dws.snapshot.deleted' | 'logsnap.dws.snapshot.expired'): Promise<void> {
    await this.d.db.kysely.transaction().execute(async (trx) => {
      const del = await trx.deleteFrom('dws_snapshots').where('id', '=', row.id).executeTakeFirst();
      if (Number(del.numDeletedRows) !== 1) return;
      const manifest = await this.#discardIn(trx, row, reason);
      await deleteObjectsLater(this.d.outbox, trx, manifest, { bucket: row.bucket, keys: snapshotFiles(row).map((f) => f.key), jobId: row.job_id ?? undefined, reason });
      await this.d.events.emit(trx, removedEvent(event, row, this.d.clock.now()));
    });
  }

  // ---- the snapshot job ----------------------------------------------------------------

  snapshotKind(): JobKind<SnapshotPayload> {
    return {
      kind: SNAPSHOT_KIND,
      events: snapshotEvents,
      retryable: true,
      maxAttempts: 2,
      run: (ctx) => this.#runSnapshot(ctx),
      // UNAVAILABLE in the transaction that fails the job; the partial archive goes after the commit
      onFail: async (trx, job, message) => {
        await this.failSnapshot(trx, (JSON.parse(job.payload) as SnapshotPayload).snapshotId ?? job.id, message);
      },
    };
  }

  /**
   * The failure step (the job's onFail, and the reconciler's repair): a CREATING snapshot turns
   * UNAVAILABLE with the reason and its archive is scheduled for deletion (outbox), in the caller's
   * transaction. False when it is not CREATING.
   */
  async failSnapshot(trx: Kysely<Database>, id: string, message: string): Promise<boolean> {
    const row = await trx.selectFrom('dws_snapshots').selectAll().where('id', '=', id).executeTakeFirst();
    if (row?.status !== 'CREATING') return false;
    const now = this.d.clock.now();
    await trx.updateTable('dws_snapshots')
      .set({ status: 'UNAVAILABLE', failure_reason: message, finished_at: now, updated_at: now, size_bytes: 0, sha256: null })
      .where('id', '=', id).where('status', '=', 'CREATING').execute();
    const manifest = await this.#discardIn(trx, row, 'the snapshot failed');
    await deleteObjectsLater(this.d.outbox, trx, manifest, { bucket: row.bucket, keys: snapshotFiles(row).map((f) => f.key), jobId: row.job_id ?? undefined, reason: 'the snapshot failed' });
    return true;
  }

  async #runSnapshot(ctx: JobContext<SnapshotPayload>): Promise<unknown> {
    const { job, payload, signal } = ctx;
    const cluster = await this.d.clusters.getAny<DwsEngineConfig>(job.cluster_id ?? '');
    const row = payload.snapshotId ? await this.#snapshotRow(payload.snapshotId) : await this.#autoRow(job, payload, cluster);
    if (!row) throw new JobFailure('the snapshot record was deleted');
    if (!cluster) throw new JobFailure(`cluster ${job.cluster_id} was deleted before the snapshot started`);
    const target = pgTarget(cluster.engine.url);
    ctx.progress(5);
    let stored;
    const format = row.format as ArchiveFormat;
    try {
      const contentType = format === 'custom-gz' ? 'application/gzip' : 'application/octet-stream';
      stored = await dumpDatabase(target, (body) => this.d.store.put(row.bucket, row.object_key, body, { contentType, signal, project: row.project_id }), signal, format);
      ctx.progress(90);
      const archive = await this.d.store.get(row.bucket, row.object_key);
      const listing = await listArchive(target, archive.body, signal, format);
      // The snapshot's manifest goes into the store once the archive is there and readable;
      // AVAILABLE becomes visible together with the job's end (and the cluster's busy key
      // release): a client that sees AVAILABLE can start the next snapshot at once.
      const now = this.d.clock.now();
      const files = JSON.stringify(snapshotFiles({ ...row, size_bytes: stored.size, sha256: stored.sha256 }));
      const done = { status: 'AVAILABLE', size_bytes: stored.size, sha256: stored.sha256, files, finished_at: now, updated_at: now, failure_reason: null };
      const current = await this.#snapshotRow(row.id);
      if (!current) throw new JobFailure('the snapshot record was deleted');
      const written = await this.d.artifacts.write(dwsSet({ ...current, ...done }, listing));
      ctx.onCommit(async (trx) => {
        await trx.updateTable('dws_snapshots').set(done).where('id', '=', row.id).execute();
        await this.d.artifacts.record(trx, written);
      });
      return { snapshot_id: row.id, size: stored.size, sha256: stored.sha256, toc_entries: listing.entries };
    } catch (e) {
      // the archive is deleted by the failure step (onFail), after the job is FAILED
      if (e instanceof JobFailure) throw e;
      throw new JobFailure(scrubSecrets(`snapshot failed: ${(e as Error).message ?? String(e)}`, target.secrets));
    }
  }

  /** A snapshot's catalogue entry goes in `trx`; its manifest is deleted before its archive (a manifest never describes a missing archive). */
  #discardIn(trx: Kysely<Database>, row: SnapshotRow, reason: string): Promise<DeleteObjects> {
    return this.d.artifacts.discardIn(trx, { service: 'dws', projectId: row.project_id, clusterId: row.cluster_id, setId: row.id, jobId: row.job_id }, reason);
  }

  async #snapshotRow(id: string): Promise<SnapshotRow | undefined> {
    return this.d.db.kysely.selectFrom('dws_snapshots').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Automated snapshots get their record when the job starts (id = job id, so a retry reuses it). */
  async #autoRow(job: JobRow, payload: SnapshotPayload, cluster: Cluster<DwsEngineConfig> | undefined): Promise<SnapshotRow | undefined> {
    const now = this.d.clock.now();
    const slot = payload.slot ?? now;
    const stamp = new Date(slot).toISOString().replace(/[-:T]/g, '').slice(0, 14);
    const name = `auto-${stamp}-${job.id.replace(/-/g, '').slice(0, 8)}`;
    const projectId = job.project_id ?? '';
    const clusterId = job.cluster_id ?? '';
    await this.d.db.kysely.insertInto('dws_snapshots').values({
      id: job.id, project_id: projectId, cluster_id: clusterId, cluster_name: cluster?.name ?? clusterId,
      name, name_lower: name, description: `Automated snapshot (schedule slot ${new Date(slot).toISOString()})`,
      type: 'AUTO', status: 'CREATING', bucket: DWS_BUCKET, object_key: objectKey(projectId, clusterId, job.id),
      size_bytes: 0, sha256: null, format: ARCHIVE_FORMAT, files: null, failure_reason: null, job_id: job.id,
      keep_until: slot + (payload.keepDay ?? 7) * DAY, started_at: now, finished_at: null, updated_at: now,
    }).onConflict((oc) => oc.column('id').doNothing()).execute();
    return this.#snapshotRow(job.id);
  }

  // ---- restore -------------------------------------------------------------------------

  /** RestoreCluster: register the new cluster (CREATING) and enqueue the restore. */
  async restore(projectId: string, snapshotId: string, input: { name: string }): Promise<{ cluster: Cluster; job: JobRow }> {
    const problem = nameProblem('restore.name', input.name);
    if (problem) throw appError('DWS.5057', undefined, problem);
    const snap = await this.get(projectId, snapshotId);
    if (snap.status === 'CREATING') throw appError('DWS.0011', undefined, `Snapshot ${snap.id} is still being created.`);
    if (snap.status !== 'AVAILABLE') throw appError('DWS.0001', undefined, `Snapshot ${snap.id} is ${snap.status} and cannot be restored.`);
    const source = await this.d.clusters.get<DwsEngineConfig>(projectId, 'dws', snap.cluster_id);
    if (!source) throw appError('DWS.0015', undefined, `The source cluster ${snap.cluster_id} of this snapshot was deleted; logsnap restores onto the source cluster's PostgreSQL server.`);
    const lower = input.name.toLowerCase();
    const taken = async () => (await this.d.clusters.list(projectId, 'dws')).some((c) => c.name.toLowerCase() === lower);
    if (await taken()) throw appError('DWS.5050', undefined, `A DWS cluster named ${input.name} already exists.`);
    const database = restoreDatabaseName(input.name);
    const cluster = await this.d.clusters.register({
      projectId, service: 'dws', name: input.name, status: 'CREATING',
      engine: { url: withDatabase(source.engine.url, database) } satisfies DwsEngineConfig,
    });
    try {
      const job = (await this.d.queue.enqueue({
        kind: RESTORE_KIND, projectId, clusterId: cluster.id,
        payload: { snapshotId: snap.id, sourceClusterId: source.id, clusterId: cluster.id, database } satisfies RestorePayload,
        activeKey: `dws-restore-name:${projectId}:${lower}`,
      }))!;
      return { cluster, job };
    } catch (e) {
      await this.d.clusters.delete(projectId, cluster.id);
      if (e instanceof JobConflictError) throw appError('DWS.5050', undefined, `A DWS cluster named ${input.name} is being restored right now.`);
      throw e;
    }
  }

  restoreKind(): JobKind<RestorePayload> {
    return {
      kind: RESTORE_KIND,
      events: restoreEvents,
      // CREATE DATABASE is not idempotent: a restore interrupted by a crash fails and is started again by the user
      retryable: false,
      run: (ctx) => this.#runRestore(ctx),
      // the new cluster turns UNAVAILABLE in the transaction that fails the job; the database the
      // restore created is dropped after the commit
      onFail: async (trx, job) => {
        await this.failRestore(trx, (JSON.parse(job.payload) as RestorePayload).clusterId, job);
      },
    };
  }

  /**
   * The failure step of a restore (the job's onFail, and the reconciler's repair): a CREATING
   * cluster turns UNAVAILABLE, and the database its job created (if any) is scheduled to be
   * dropped (outbox), in the caller's transaction. False when the cluster is not CREATING.
   */
  async failRestore(trx: Kysely<Database>, clusterId: string, job: Pick<JobRow, 'id' | 'payload'> | undefined): Promise<boolean> {
    const res = await trx.updateTable('clusters').set({ status: 'UNAVAILABLE', updated_at: this.d.clock.now() })
      .where('id', '=', clusterId).where('status', '=', 'CREATING').executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) return false;
    if (job) {
      const p = JSON.parse(job.payload) as RestorePayload;
      await this.d.outbox.add(trx, DROP_RESTORED_DATABASE, { ...p, jobId: job.id } satisfies DropRestoredDatabase);
    }
    return true;
  }

  /**
   * Drops the database a failed restore created. Only a database carrying this job's marker
   * comment is dropped: one that existed before (the restore failed on "already exists") stays.
   */
  dropRestoredDatabaseHandler(): OutboxHandler<DropRestoredDatabase> {
    return {
      topic: DROP_RESTORED_DATABASE,
      retry: { baseMs: 5000, maxMs: 10 * 60_000, giveUpAfterMs: 7 * 24 * 3600_000, timeoutMs: 5 * 60_000 },
      run: async (p, ctx) => {
        const cluster = await this.d.clusters.getAny<DwsEngineConfig>(p.clusterId);
        const source = await this.d.clusters.getAny<DwsEngineConfig>(p.sourceClusterId);
        const url = source?.engine.url ?? (cluster ? withDatabase(cluster.engine.url, 'postgres') : undefined);
        if (!url) {
          ctx.log.warn({ job_id: p.jobId, database: p.database }, 'dws: neither the restored nor the source cluster is registered any more; the database of the failed restore cannot be reached');
          return;
        }
        const target = pgTarget(url);
        const dropped = await withClient(url, target, async (c) => {
          const r = await c.query('select shobj_description(oid, \'pg_database\') as marker from pg_database where datname = $1', [p.database]);
          if (r.rows.length === 0) return 'absent';
          if (r.rows[0].marker !== restoreMarker(p.jobId)) return 'not ours';
          await c.query(`DROP DATABASE IF EXISTS "${p.database}" WITH (FORCE)`);
          return 'dropped';
        });
        ctx.log.info({ job_id: p.jobId, database: p.database, outcome: dropped }, dropped === 'dropped' ? 'dws: dropped the database of a failed restore' : `dws: the database of the failed restore is ${dropped}; nothing dropped`);
      },
    };
  }

  async #runRestore(ctx: JobContext<RestorePayload>): Promise<unknown> {
    const { payload: p, signal } = ctx;
    const snap = await this.#snapshotRow(p.snapshotId);
    if (!snap || snap.status !== 'AVAILABLE') throw new JobFailure(`snapshot ${p.snapshotId} is no longer available`);
    const cluster = await this.d.clusters.getAny<DwsEngineConfig>(p.clusterId);
    if (!cluster) throw new JobFailure(`the new cluster ${p.clusterId} was deleted before the restore ran`);
    const target = pgTarget(cluster.engine.url);
    // CREATE DATABASE runs on the server through the source database (known to accept these
    // credentials), or the maintenance database when the source cluster is gone
    const source = await this.d.clusters.getAny<DwsEngineConfig>(p.sourceClusterId);
    const admin = source ? source.engine.url : withDatabase(cluster.engine.url, 'postgres');
    try {
      await withClient(admin, target, async (c) => {
        await c.query(`CREATE DATABASE "${p.database}" TEMPLATE template0`);
        // the marker: only a database this job created is ever dropped after a failure
        await c.query(`COMMENT ON DATABASE "${p.database}" IS '${restoreMarker(ctx.job.id)}'`);
      });
    } catch (e) {
      const err = e as Error & { code?: string };
      if (err.code === '42P04') throw new JobFailure(`a database named ${p.database} already exists on ${target.display}; restore under another name`);
      throw new JobFailure(`could not create database ${p.database}: ${err.message}`);
    }
    ctx.progress(10);
    try {
      const archive = await this.d.store.get(snap.bucket, snap.object_key);
      // snapshots taken before migration 0450 are pg_dump's own custom format: read as they are
      await restoreArchive(target, archive.body, signal, snap.format as ArchiveFormat);
    } catch (e) {
      // nothing half-restored stays behind: the failure step drops the database (it carries our marker)
      if (e instanceof JobFailure) throw e;
      throw new JobFailure(scrubSecrets(`restore failed: ${(e as Error).message}`, target.secrets));
    }
    ctx.onCommit(async (trx) => {
      await trx.updateTable('clusters').set({ status: 'AVAILABLE', updated_at: this.d.clock.now() }).where('id', '=', cluster.id).execute();
    });
    return { cluster_id: cluster.id, database: p.database, snapshot_id: snap.id };
  }

  // ---- reconciler ----------------------------------------------------------------------

  /** What the reconciler needs: stuck snapshots and restores, and which archives snapshots claim. */
  recordOwners(): RecordOwner[] {
    const k = this.d.db.kysely;
    return [
      {
        name: 'DWS snapshots',
        stuck: (limit) => stuckRecords(this.d.db, {
          table: 'dws_snapshots', idColumn: 'id', jobColumn: 'job_id', stateColumn: 'status', inProgress: 'CREATING',
          createdColumn: 'started_at', label: 'DWS snapshot', limit,
        }),
        repair: (trx, rec, message) => this.failSnapshot(trx, rec.key, message),
        objects: {
          locations: async () => [{ bucket: DWS_BUCKET, prefix: '' }],
          unclaimed: async (bucket, keys) => {
            // <project>/<cluster>/<snapshot id>.dump[.gz]: claimed by its snapshot while CREATING or AVAILABLE
            const claimed = new Set((await k.selectFrom('dws_snapshots').select('object_key')
              .where('bucket', '=', bucket).where('object_key', 'in', keys.length ? keys : ['']).where('status', 'in', ['CREATING', 'AVAILABLE'])
              .execute()).map((r) => r.object_key));
            return keys.filter((key) => /^[^/]+\/[^/]+\/[^/]+\.dump(\.gz)?$/.test(key) && !claimed.has(key))
              .map((key) => ({ key, why: 'no creating or available DWS snapshot claims it' }));
          },
        },
      },
      {
        name: 'DWS restored clusters',
        // a cluster CREATING whose restore job has ended, or that has no restore job at all
        stuck: async (limit) => {
          const rows = await k.selectFrom('clusters as c')
            .leftJoin('jobs as j', (join) => join.onRef('j.cluster_id', '=', 'c.id').on('j.kind', '=', RESTORE_KIND))
            .select(['c.id as id', 'c.created_at as created_at', 'j.id as job_id', 'j.state as job_state', 'j.error as job_error'])
            .where('c.service', '=', 'dws').where('c.status', '=', 'CREATING')
            .where((eb) => eb.or([eb('j.id', 'is', null), eb('j.state', 'in', ['SUCCEEDED', 'FAILED'])]))
            .limit(limit).execute();
          return rows.map((r) => ({
            record: `DWS restored cluster ${r.id}`, key: r.id, jobId: r.job_id, jobState: r.job_state, jobError: r.job_error, createdAt: Number(r.created_at),
          }));
        },
        repair: async (trx, rec, message) => {
          const job = rec.jobId ? await trx.selectFrom('jobs').select(['id', 'payload']).where('id', '=', rec.jobId).executeTakeFirst() : undefined;
          const changed = await this.failRestore(trx, rec.key, job);
          if (changed && rec.jobState !== 'FAILED') this.d.log.warn({ cluster_id: rec.key, job_id: rec.jobId }, `dws: restored cluster marked UNAVAILABLE: ${message}`);
          return changed;
        },
      },
    ];
  }

  // ---- policies ------------------------------------------------------------------------

  async policy(projectId: string, clusterId: string): Promise<{ policy: PolicyRow | undefined; strategies: StrategyRow[] }> {
    await this.#cluster(projectId, clusterId);
    const policy = await this.d.db.kysely.selectFrom('dws_snapshot_policies').selectAll().where('cluster_id', '=', clusterId).executeTakeFirst();
    const strategies = await this.d.db.kysely.selectFrom('dws_backup_strategies').selectAll()
      .where('cluster_id', '=', clusterId).orderBy('created_at').orderBy('id').execute();
    return { policy, strategies };
  }

  /** CreateSnapshotPolicy (PUT): set the cluster's settings; strategies with a policy_id are updated, others added. */
  async putPolicy(projectId: string, clusterId: string, input: PolicyInput): Promise<void> {
    await this.#cluster(projectId, clusterId);
    const keepDay = input.keep_day;
    if (keepDay !== undefined && (!Number.isInteger(keepDay) || keepDay < 1 || keepDay > 31)) {
      throw appError('DWS.0001', undefined, 'keep_day must be an integer from 1 to 31.');
    }
    const device = input.device_name ?? 'OBS';
    if (device.toUpperCase() !== 'OBS') throw appError('DWS.0001', undefined, 'device_name: only OBS (logsnap\'s object store) is supported.');
    const strategies = input.backup_strategies ?? [];
    for (const [i, s] of strategies.entries()) {
      try {
        parseCron(s.backup_strategy);
      } catch (e) {
        if (e instanceof CronError) throw appError('DWS.0001', undefined, `backup_strategies[${i}].backup_strategy: ${e.message}.`);
        throw e;
      }
      const level = s.backup_level ?? 'cluster';
      if (level !== 'cluster') throw appError('DWS.0001', undefined, `backup_strategies[${i}].backup_level: only "cluster" is supported.`);
      const type = s.backup_type ?? 'full';
      if (type !== 'full' && type !== 'increment') throw appError('DWS.0001', undefined, `backup_strategies[${i}].backup_type must be "full" or "increment".`);
      if (s.time_zone_offset !== undefined && s.time_zone_offset !== 0) {
        throw appError('DWS.0001', undefined, `backup_strategies[${i}].time_zone_offset: schedules are evaluated in UTC; only 0 is supported.`);
      }
    }
    const now = this.d.clock.now();
    await this.d.db.kysely.transaction().execute(async (trx) => {
      const existing = await trx.selectFrom('dws_snapshot_policies').selectAll().where('cluster_id', '=', clusterId).executeTakeFirst();
      const values = {
        keep_day: keepDay ?? existing?.keep_day ?? 7,
        auto_backup: input.auto_backup === undefined ? (existing?.auto_backup ?? 1) : input.auto_backup ? 1 : 0,
        device_name: 'OBS',
        server_port: input.server_port ?? existing?.server_port ?? null,
        backup_param: input.backup_param ?? existing?.backup_param ?? null,
        server_ips: JSON.stringify(input.server_ips ?? (existing ? JSON.parse(existing.server_ips) : [])),
        updated_at: now,
      };
      if (existing) await trx.updateTable('dws_snapshot_policies').set(values).where('cluster_id', '=', clusterId).execute();
      else await trx.insertInto('dws_snapshot_policies').values({ cluster_id: clusterId, project_id: projectId, ...values }).execute();
      for (const [i, s] of strategies.entries()) {
        const fields = {
          policy_name: s.policy_name ?? `policy-${i + 1}`,
          backup_strategy: s.backup_strategy.trim(),
          backup_type: s.backup_type ?? 'full',
          backup_level: 'cluster',
          updated_at: now,
        };
        if (s.policy_id) {
          const r = await trx.updateTable('dws_backup_strategies').set(fields)
            .where('id', '=', s.policy_id).where('cluster_id', '=', clusterId).executeTakeFirst();
          if (Number(r.numUpdatedRows) === 0) throw appError('DWS.0001', undefined, `backup_strategies[${i}].policy_id ${s.policy_id} does not exist for this cluster.`);
        } else {
          await trx.insertInto('dws_backup_strategies').values({ id: uuid(), cluster_id: clusterId, project_id: projectId, created_at: now, ...fields }).execute();
        }
      }
      const n = await trx.selectFrom('dws_backup_strategies').select((eb) => eb.fn.countAll<number | string>().as('n')).where('cluster_id', '=', clusterId).executeTakeFirstOrThrow();
      if (Number(n.n) > MAX_CLUSTER_STRATEGIES) {
        throw appError('DWS.0001', undefined, `a cluster has at most ${MAX_CLUSTER_STRATEGIES} backup strategies; delete one first.`);
      }
    });
  }

  async deletePolicy(projectId: string, clusterId: string, policyId: string): Promise<void> {
    await this.#cluster(projectId, clusterId);
    const r = await this.d.db.kysely.deleteFrom('dws_backup_strategies')
      .where('id', '=', policyId).where('cluster_id', '=', clusterId).executeTakeFirst();
    if (Number(r.numDeletedRows) === 0) throw appError('DWS.0015', undefined, `Snapshot policy ${policyId} does not exist for cluster ${clusterId}.`);
  }

  // ---- automated snapshots and retention ---------------------------------------------

  /**
   * Each tick: enqueue the automated snapshot of every slot that has come (uniqueKey per
   * cluster per slot: exactly once however many processes tick), then delete expired
   * automated snapshots (idempotent).
   */
  schedule(): Schedule {
    return {
      name: 'dws-automated-snapshots',
      tick: async (now) => {
        await this.enqueueDueSlots(now);
        await this.expire(now);
      },
    };
  }

  async enqueueDueSlots(now: number): Promise<number> {
    const k = this.d.db.kysely;
    const rows = await k.selectFrom('dws_backup_strategies as s')
      .innerJoin('dws_snapshot_policies as p', 'p.cluster_id', 's.cluster_id')
      .select(['s.cluster_id', 's.project_id', 's.backup_strategy', 's.updated_at', 'p.keep_day'])
      .where('p.auto_backup', '=', 1).execute();
    const slots = new Map<string, { projectId: string; clusterId: string; slot: number; keepDay: number }>();
    for (const r of rows) {
      let spec;
      try {
        spec = parseCron(r.backup_strategy);
      } catch {
        continue;
      }
      const slot = previousFireTime(spec, now, Math.min(SLOT_LOOKBACK_MS, Math.max(0, now - r.updated_at)));
      if (slot === null || slot <= r.updated_at) continue;
      const key = `${r.cluster_id}:${slot}`;
      if (!slots.has(key)) slots.set(key, { projectId: r.project_id, clusterId: r.cluster_id, slot, keepDay: r.keep_day });
    }
    let enqueued = 0;
    for (const s of slots.values()) {
      const cluster = await this.d.clusters.getAny(s.clusterId);
      if (!cluster || cluster.status !== 'AVAILABLE') continue;
      try {
        const job = await this.d.queue.enqueue({
          kind: SNAPSHOT_KIND, projectId: s.projectId, clusterId: s.clusterId,
          payload: { slot: s.slot, keepDay: s.keepDay } satisfies SnapshotPayload,
          activeKey: snapshotBusyKey(s.clusterId),
          uniqueKey: `dws-auto:${s.clusterId}:${s.slot}`,
        });
        if (job) enqueued++;
      } catch (e) {
        // another snapshot of this cluster is running: the slot is tried again next tick
        if (!(e instanceof JobConflictError)) throw e;
      }
    }
    return enqueued;
  }

  /** Retention: automated snapshots past keep_until are deleted with their archives. */
  async expire(now: number): Promise<number> {
    const expired = await this.d.db.kysely.selectFrom('dws_snapshots').selectAll()
      .where('type', '=', 'AUTO').where('keep_until', '<', now).where('status', '!=', 'CREATING').limit(200).execute();
    for (const row of expired) {
      await this.#remove(row, 'the automated snapshot expired (keep_day)', 'logsnap.dws.snapshot.expired');
      this.d.log.info({ snapshot_id: row.id, cluster_id: row.cluster_id }, 'automated DWS snapshot expired and deleted');
    }
    return expired.length;
  }

  /** For views: the next time a strategy fires. */
  nextFire(expr: string, now: number): number | null {
    try {
      return nextFireTime(parseCron(expr), now);
    } catch {
      return null;
    }
  }
}

/** The comment a restore puts on the database it creates (see dropRestoredDatabaseHandler). */
function restoreMarker(jobId: string): string {
  return `logsnap restore job ${jobId.replace(/[^A-Za-z0-9-]/g, '')}`;
}

export interface DropRestoredDatabase extends RestorePayload {
  jobId: string;
}

function objectKey(projectId: string, clusterId: string, snapshotId: string): string {
  return `${projectId}/${clusterId}/${snapshotId}.dump${ARCHIVE_FORMAT === 'custom-gz' ? '.gz' : ''}`;
}


function nameTaken(name: string) {
  return appError('DWS.0001', undefined, `A snapshot named ${name} already exists in this project (names are case-insensitive).`);
}
