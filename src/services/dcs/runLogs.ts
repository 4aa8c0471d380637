import type { Selectable } from 'kysely';
import { appError } from '../../http/errors/catalogue.js';
import { JobConflictError, type JobRow } from '../../jobs/queue.js';
import { JobFailure, type JobContext, type JobKind } from '../../jobs/runner.js';
import type { Schedule } from '../../jobs/scheduler.js';
import type { Cluster } from '../../clusters/clusters.js';
import { uuid } from '../../security/ids.js';
import type { ServiceDeps } from '../types.js';
import { countRows, type CountedTable } from '../../db/rowCounts.js';
import { paged } from '../../db/paging.js';
import { DEFAULT_GROUP, nodeTimeZone, type DcsEngineT, type DcsNodeT } from './engine.js';
import { isTimeZone, todayIn, windowDays } from './slicer.js';
import { NodeProblem, resolveLogFile, withNode } from './redisNode.js';
import { sliceLogToStore } from './collect.js';

export interface DcsRedislogTable {
  id: string;
  project_id: string;
  instance_id: string;
  replication_id: string;
  replication_ip: string;
  group_name: string;
  /** yyyy-mm-dd: the day the file covers (the `time` field) */
  day: string;
  file_name: string;
  status: RunlogStatus;
  /** why the collection failed (status `failed`) */
  reason: string | null;
  /** the collection job that last wrote this record */
  job_id: string;
  bucket: string | null;
  object_key: string | null;
  size: number | null;
  sha256: string | null;
  created_at: number;
  updated_at: number;
  collected_at: number | null;
  /** when the file and its object are deleted; null while collecting */
  expires_at: number | null;
}

/** Objects no record points to any more; the expiry tick deletes them. */
export interface DcsObjectTrashTable {
  bucket: string;
  object_key: string;
  created_at: number;
}

declare module '../../db/types.js' {
  interface Database {
    dcs_redislogs: DcsRedislogTable;
    dcs_object_trash: DcsObjectTrashTable;
  }
}

/** Run-log files per (instance, project), kept by triggers: ListRedislog's total_num (migration 0250). */
export const DCS_REDISLOG_COUNTS: CountedTable = { scope: 'dcs_redislogs', table: 'dcs_redislogs', k1: 'instance_id', k2: 'project_id' };

/** `collecting` until the job has written the file; then `succeed` (Huawei's value) or `failed`. */
export type RunlogStatus = 'collecting' | 'succeed' | 'failed';
export type RunlogRow = Selectable<DcsRedislogTable>;

export const COLLECT_KIND = 'dcs.redislog.collect';
/** Run logs live in <bucket>/<project_id>/<instance_id>/<job_id>/redis_<ip>_<yyyy-mm-dd>.log */
export const RUNLOG_BUCKET = 'dcs-run-logs';
/** Collected run logs are kept 7 days (DCS console documentation), then deleted. */
export const RETENTION_MS = 7 * 24 * 3600 * 1000;
/** PING / CONFIG GET timeout per command */
const NODE_TIMEOUT_MS = 5000;

export interface CollectPayload {
  projectId: string;
  instanceId: string;
  replicationId: string;
  /** the node's zone and today in it, when the collection was requested */
  timeZone: string;
  today: string;
  days: string[];
}

export interface CollectResult {
  logFile: string;
  logFileSource: 'registered' | 'redis';
  sourceBytes: number;
  files: { day: string; file_name: string; size: number; sha256: string }[];
  otherDaysBytes: number;
  unassignedBytes: number;
}

export const fileNameOf = (ip: string, day: string) => `redis_${ip}_${day}.log`;

/**
 * The DCS run-log domain: collection requests, the collection job, listing, download links
 * and the 7-day expiry. Routes stay thin and call this; storage goes through deps.store.
 */
export class DcsRunLogs {
  constructor(private readonly deps: ServiceDeps) {}

  /** The (logical) bucket run logs are stored in; see RUNLOG_BUCKET. */
  readonly bucket = RUNLOG_BUCKET;

  /** One folder per collection job, so a re-collection never overwrites a file a link points to. */
  #key(projectId: string, instanceId: string, jobId: string, fileName: string): string {
    return `${projectId}/${instanceId}/${jobId}/${fileName}`;
  }

  async instance(projectId: string, instanceId: string): Promise<Cluster<DcsEngineT>> {
    const c = await this.deps.clusters.get<DcsEngineT>(projectId, 'dcs', instanceId);
    if (!c) throw appError('DCS.3022', undefined, `No instance ${instanceId} in this project.`);
    return c;
  }

  /** The node a collection is for: `replication_id`, or the only node of a single-node instance. */
  pickNode(engine: DcsEngineT, replicationId: string | undefined): DcsNodeT {
    if (replicationId === undefined) {
      if (engine.nodes.length === 1) return engine.nodes[0];
      throw appError('DCS.4800', 'Invalid replication_id in the request.', `replication_id is required for an instance with ${engine.nodes.length} replicas (one of: ${engine.nodes.map((n) => n.replicationId).slice(0, 10).join(', ')}).`);
    }
    const node = engine.nodes.find((n) => n.replicationId === replicationId);
    if (!node) throw appError('DCS.4800', 'Invalid replication_id in the request.', `This instance has no replica ${JSON.stringify(replicationId)}.`);
    return node;
  }

  /** CreateRedislog: record the day files as `collecting` and enqueue the job, atomically. */
  async startCollection(projectId: string, instanceId: string, q: { queryTime: number; replicationId?: string }): Promise<{ jobId: string }> {
    const inst = await this.instance(projectId, instanceId);
    if (inst.status !== 'RUNNING') throw appError('DCS.4049', undefined, `Its status is ${inst.status}.`);
    const node = this.pickNode(inst.engine, q.replicationId);
    const timeZone = nodeTimeZone(inst.engine, node);
    if (!isTimeZone(timeZone)) {
      throw appError('DCS.4800', 'Invalid instance configuration.', `Time zone ${JSON.stringify(timeZone)} of replica ${node.replicationId} is unknown; register the instance with an IANA zone such as "UTC" or "Asia/Shanghai".`);
    }
    const now = this.deps.clock.now();
    const today = todayIn(timeZone, now);
    const days = windowDays(today, q.queryTime);
    const jobId = uuid();
    const payload: CollectPayload = { projectId, instanceId, replicationId: node.replicationId, timeZone, today, days };
    const group = node.groupName ?? DEFAULT_GROUP;
    try {
      await this.deps.db.kysely.transaction().execute(async (trx) => {
        await this.deps.queue.enqueue(
          { id: jobId, kind: COLLECT_KIND, projectId, clusterId: instanceId, payload, activeKey: `dcs-redislog:${instanceId}:${node.replicationId}`, maxAttempts: 3 },
          trx,
        );
        for (const day of days) {
          const fields = { replication_ip: node.ip, group_name: group, file_name: fileNameOf(node.ip, day), status: 'collecting' as const, reason: null, job_id: jobId, updated_at: now, expires_at: null };
          await trx
            .insertInto('dcs_redislogs')
            .values({
              id: uuid(), project_id: projectId, instance_id: instanceId, replication_id: node.replicationId, day, ...fields,
              bucket: null, object_key: null, size: null, sha256: null, created_at: now, collected_at: null,
            })
            .onConflict((oc) => oc.columns(['instance_id', 'replication_id', 'day']).doUpdateSet(fields))
            .execute();
        }
      });
    } catch (e) {
      if (e instanceof JobConflictError) {
        const running = await this.deps.queue.active(e.activeKey);
        throw appError(
          'DCS.4800',
          'A run-log collection is already in progress for this replica.',
          `Replica ${node.replicationId}${running ? ` (job ${running.id})` : ''}; try again when it has finished.`,
        );
      }
      throw e;
    }
    return { jobId };
  }

  /** ListRedislog: newest day first, then by replica; 0-based offset. */
  async list(projectId: string, instanceId: string, page: { offset: number; limit: number }): Promise<{ total: number; rows: RunlogRow[] }> {
    await this.instance(projectId, instanceId);
    // the total from the counters, the page from the index in this exact order (migration 0250)
    return paged(countRows(this.deps.db, DCS_REDISLOG_COUNTS.scope, instanceId, projectId), page, () =>
      this.deps.db.kysely.selectFrom('dcs_redislogs').selectAll().where('project_id', '=', projectId).where('instance_id', '=', instanceId)
        .orderBy('day', 'desc').orderBy('replication_id').orderBy('id').limit(page.limit).offset(page.offset).execute());
  }

  /** CreateRedislogDownloadLink: a time-limited link to a collected file. */
  async downloadLink(projectId: string, instanceId: string, id: string): Promise<{ id: string; backup_id: string; link: string }> {
    await this.instance(projectId, instanceId);
    const row = await this.deps.db.kysely
      .selectFrom('dcs_redislogs').selectAll()
      .where('id', '=', id).where('project_id', '=', projectId).where('instance_id', '=', instanceId)
      .executeTakeFirst();
    if (!row) throw appError('DCS.4961', undefined, `No run-log file with id ${JSON.stringify(id)} in this instance (files are kept 7 days).`);
    if (row.status === 'collecting') {
      throw appError('DCS.4800', 'The log file is not ready yet.', `${row.file_name} is still being collected; ask again when ListRedislog shows status "succeed".`);
    }
    if (row.status === 'failed' || !row.bucket || !row.object_key) {
      throw appError('DCS.4800', 'The log file could not be collected.', `${row.file_name}: ${row.reason ?? 'no file was stored'}`);
    }
    if (!(await this.deps.store.head(row.bucket, row.object_key))) {
      throw appError('DCS.4961', undefined, `The stored object of ${row.file_name} is gone; collect the logs again.`);
    }
    const expiresAt = this.deps.clock.now() + this.deps.config.storage.linkTtlSeconds * 1000;
    const link = await this.deps.store.presignGet(row.bucket, row.object_key, expiresAt);
    return { id: row.id, backup_id: row.id, link };
  }

  collectKind(): JobKind<CollectPayload> {
    return {
      kind: COLLECT_KIND,
      // re-running from the start is safe: it rewrites the same per-job objects
      retryable: true,
      maxAttempts: 3,
      run: async (ctx) => {
        try {
          return await this.#collect(ctx);
        } catch (e) {
          const failure = e instanceof NodeProblem ? new JobFailure(e.message) : e;
          // user-actionable failures: the files say so before the job does (crashes: onFailed)
          if (failure instanceof JobFailure) await this.#markFailed(ctx.job, failure.message);
          throw failure;
        }
      },
      onFailed: (job, message) => this.#markFailed(job, message),
    };
  }

  async #collect(ctx: JobContext<CollectPayload>): Promise<CollectResult> {
    const p = ctx.payload;
    const inst = await this.deps.clusters.getAny<DcsEngineT>(p.instanceId);
    if (!inst) throw new JobFailure(`the DCS instance ${p.instanceId} was deleted before its logs were collected`);
    const node = inst.engine.nodes.find((n) => n.replicationId === p.replicationId);
    if (!node) throw new JobFailure(`replica ${p.replicationId} was removed from the instance before its logs were collected`);
    const keys = new Map(p.days.map((d) => [d, this.#key(p.projectId, p.instanceId, ctx.job.id, fileNameOf(node.ip, d))]));
    const out = await withNode(node, NODE_TIMEOUT_MS, async (redis) => {
      const src = await resolveLogFile(redis, node);
      ctx.log.info({ log_file: src.path, source: src.source, days: p.days }, 'collecting Redis run log');
      const sliced = await sliceLogToStore({
        path: src.path, days: p.days, today: p.today, store: this.deps.store, bucket: this.bucket,
        keyOf: (d) => keys.get(d)!, signal: ctx.signal, progress: ctx.progress,
      });
      return { src, sliced };
    });
    // The files turn `succeed` in the transaction that ends the job and releases the replica's
    // active key: a client that sees them succeed can collect again at once.
    const files: CollectResult['files'] = out.sliced.files.map((f) => ({ day: f.day, file_name: fileNameOf(node.ip, f.day), size: f.size, sha256: f.sha256 }));
    ctx.onCommit(async (trx) => {
      const now = this.deps.clock.now();
      for (const f of out.sliced.files) {
        const fileName = fileNameOf(node.ip, f.day);
        const row = await trx
          .selectFrom('dcs_redislogs').select(['id', 'bucket', 'object_key'])
          .where('instance_id', '=', p.instanceId).where('replication_id', '=', p.replicationId).where('day', '=', f.day).where('job_id', '=', ctx.job.id)
          .executeTakeFirst();
        if (!row) {
          // the record is gone (expired or instance re-registered): the new object has no owner
          await this.#trash(trx, this.bucket, f.key, now);
          continue;
        }
        if (row.bucket && row.object_key && !(row.bucket === this.bucket && row.object_key === f.key)) await this.#trash(trx, row.bucket, row.object_key, now);
        await trx
          .updateTable('dcs_redislogs')
          .set({ status: 'succeed', reason: null, bucket: this.bucket, object_key: f.key, size: f.size, sha256: f.sha256, file_name: fileName, collected_at: now, expires_at: now + RETENTION_MS, updated_at: now })
          .where('id', '=', row.id).where('job_id', '=', ctx.job.id)
          .execute();
      }
    });
    return {
      logFile: out.src.path, logFileSource: out.src.source, sourceBytes: out.sliced.sourceBytes, files,
      otherDaysBytes: out.sliced.otherDaysBytes, unassignedBytes: out.sliced.unassignedBytes,
    };
  }

  /** The job failed (also after a crash): its files say so; their old and partial objects go. */
  async #markFailed(job: JobRow, message: string): Promise<void> {
    const p = JSON.parse(job.payload) as CollectPayload;
    const now = this.deps.clock.now();
    await this.deps.db.kysely.transaction().execute(async (trx) => {
      const rows = await trx.selectFrom('dcs_redislogs').selectAll().where('job_id', '=', job.id).where('status', '=', 'collecting').execute();
      for (const r of rows) {
        if (r.bucket && r.object_key) await this.#trash(trx, r.bucket, r.object_key, now);
        await this.#trash(trx, this.bucket, this.#key(p.projectId, p.instanceId, job.id, r.file_name), now);
        await trx
          .updateTable('dcs_redislogs')
          .set({ status: 'failed', reason: message, bucket: null, object_key: null, size: null, sha256: null, collected_at: now, expires_at: now + RETENTION_MS, updated_at: now })
          .where('id', '=', r.id).where('job_id', '=', job.id).where('status', '=', 'collecting')
          .execute();
      }
    });
  }

  async #trash(trx: ServiceDeps['db']['kysely'], bucket: string, key: string, now: number): Promise<void> {
    await trx.insertInto('dcs_object_trash').values({ bucket, object_key: key, created_at: now }).onConflict((oc) => oc.columns(['bucket', 'object_key']).doNothing()).execute();
  }

  /**
   * Expiry (every scheduler tick, in every worker process): records whose 7 days are over are
   * deleted and their objects queued for deletion, then queued objects are deleted. Each step
   * is conditional, so concurrent ticks in several processes do each deletion once and a
   * crash between steps leaves work the next tick finishes.
   */
  async expire(now: number): Promise<{ expired: number; deletedObjects: number }> {
    const k = this.deps.db.kysely;
    let expired = 0;
    for (;;) {
      const due = await k
        .selectFrom('dcs_redislogs').select(['id', 'bucket', 'object_key'])
        .where('expires_at', '<=', now).where('status', '!=', 'collecting')
        .limit(200).execute();
      for (const r of due) {
        await k.transaction().execute(async (trx) => {
          const del = await trx
            .deleteFrom('dcs_redislogs')
            .where('id', '=', r.id).where('expires_at', '<=', now).where('status', '!=', 'collecting')
            .executeTakeFirst();
          if (Number(del.numDeletedRows) === 1) {
            expired++;
            if (r.bucket && r.object_key) await this.#trash(trx, r.bucket, r.object_key, now);
          }
        });
      }
      if (due.length < 200) break;
    }
    let deletedObjects = 0;
    for (;;) {
      const trash = await k.selectFrom('dcs_object_trash').selectAll().orderBy('created_at').limit(200).execute();
      for (const t of trash) {
        await this.deps.store.delete(t.bucket, t.object_key);
        const del = await k.deleteFrom('dcs_object_trash').where('bucket', '=', t.bucket).where('object_key', '=', t.object_key).executeTakeFirst();
        deletedObjects += Number(del.numDeletedRows);
      }
      if (trash.length < 200) break;
    }
    return { expired, deletedObjects };
  }

  expirySchedule(): Schedule {
    return {
      name: 'dcs-redislog-expiry',
      tick: async (now) => {
        const r = await this.expire(now);
        if (r.expired || r.deletedObjects) this.deps.log.info(r, 'DCS run logs expired');
      },
    };
  }
}
