import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../../db/types.js';
import { deleteObjectsLater, type DeleteObjects } from '../../storage/cleanup.js';
import { stuckRecords, type RecordOwner } from '../../jobs/reconciler.js';
import { appError } from '../../http/errors/catalogue.js';
import { JobConflictError } from '../../jobs/queue.js';
import { JobFailure, type JobContext, type JobKind } from '../../jobs/runner.js';
import type { Schedule } from '../../jobs/scheduler.js';
import type { Cluster } from '../../clusters/clusters.js';
import { uuid } from '../../security/ids.js';
import type { ServiceDeps } from '../types.js';
import { countRows, type CountedTable } from '../../db/rowCounts.js';
import { paged } from '../../db/paging.js';
import { DEFAULT_GROUP, nodeTimeZone, type DcsEngineT, type DcsNodeT } from './engine.js';
import { isTimeZone, todayIn, windowDays } from './slicer.js';
import { NodeProblem, redisVersion, resolveLogFile, withNode } from './redisNode.js';
import { sliceLogToStore } from './collect.js';
import { dcsSet } from './artifacts.js';
import type { WrittenSet } from '../../trust/catalog.js';
import { collectEvents, expiredEvent } from './events.js';

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
  /** the collection (CreateRedislog) the file belongs to: per instance, increasing (0: before 0270) */
  collection_no: number;
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
        // A collection of its own: new file ids, numbered after every earlier collection of the instance.
        const last = await trx.selectFrom('dcs_redislogs').select((eb) => eb.fn.max('collection_no').as('n'))
          .where('instance_id', '=', instanceId).executeTakeFirst();
        const collectionNo = Number(last?.n ?? 0) + 1;
        await trx
          .insertInto('dcs_redislogs')
          .values(days.map((day) => ({
            id: uuid(), project_id: projectId, instance_id: instanceId, replication_id: node.replicationId, day,
            replication_ip: node.ip, group_name: group, file_name: fileNameOf(node.ip, day), status: 'collecting' as const, reason: null,
            job_id: jobId, bucket: null, object_key: null, size: null, sha256: null,
            created_at: now, updated_at: now, collected_at: null, expires_at: null, collection_no: collectionNo,
          })))
          .execute();
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

  /** ListRedislog: newest collection first, in it newest day first, then by replica; 0-based offset. */
  async list(projectId: string, instanceId: string, page: { offset: number; limit: number }): Promise<{ total: number; rows: RunlogRow[] }> {
    await this.instance(projectId, instanceId);
    // the total from the counters, the page from the index in this exact order (migration 0280)
    return paged(countRows(this.deps.db, DCS_REDISLOG_COUNTS.scope, instanceId, projectId), page, () =>
      this.deps.db.kysely.selectFrom('dcs_redislogs').selectAll().where('project_id', '=', projectId).where('instance_id', '=', instanceId)
        .orderBy('collection_no', 'desc').orderBy('created_at', 'desc').orderBy('day', 'desc').orderBy('replication_id').orderBy('id')
        .limit(page.limit).offset(page.offset).execute());
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
      events: collectEvents,
      // re-running from the start is safe: it rewrites the same per-job objects
      retryable: true,
      maxAttempts: 3,
      run: async (ctx) => {
        try {
          return await this.#collect(ctx);
        } catch (e) {
          throw e instanceof NodeProblem ? new JobFailure(e.message) : e;
        }
      },
      // the files turn `failed` in the transaction that fails the job
      onFail: async (trx, job, message) => {
        await this.markFailed(trx, job.id, message);
      },
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
        path: src.path, days: p.days, today: p.today, store: this.deps.store, bucket: this.bucket, project: p.projectId,
        keyOf: (d) => keys.get(d)!, signal: ctx.signal, progress: ctx.progress,
      });
      return { src, sliced, version: await redisVersion(redis) };
    });
    // Each file's manifest goes into the store once the files are there; the files turn `succeed`
    // in the transaction that ends the job and releases the replica's active key: a client that
    // sees them succeed can collect again at once.
    const files: CollectResult['files'] = out.sliced.files.map((f) => ({ day: f.day, file_name: fileNameOf(node.ip, f.day), size: f.size, sha256: f.sha256 }));
    const now = this.deps.clock.now();
    const final = (f: (typeof out.sliced.files)[number]) => ({
      status: 'succeed' as const, reason: null, bucket: this.bucket, object_key: f.key, size: f.size, sha256: f.sha256, file_name: fileNameOf(node.ip, f.day),
      collected_at: now, expires_at: now + RETENTION_MS, updated_at: now,
    });
    const mine = await this.deps.db.kysely.selectFrom('dcs_redislogs').selectAll()
      .where('instance_id', '=', p.instanceId).where('replication_id', '=', p.replicationId).where('job_id', '=', ctx.job.id).execute();
    const written = new Map<string, WrittenSet>();
    for (const f of out.sliced.files) {
      const row = mine.find((r) => r.day === f.day);
      if (row) written.set(f.day, await this.deps.artifacts.write(dcsSet({ ...row, ...final(f) }, out.version)));
    }
    ctx.onCommit(async (trx) => {
      for (const f of out.sliced.files) {
        const w = written.get(f.day);
        const row = await trx
          .selectFrom('dcs_redislogs').select(['id', 'bucket', 'object_key'])
          .where('instance_id', '=', p.instanceId).where('replication_id', '=', p.replicationId).where('day', '=', f.day).where('job_id', '=', ctx.job.id)
          .executeTakeFirst();
        if (!row || !w || w.setId !== row.id) {
          // the record is gone (expired or instance re-registered): the new object has no owner
          await deleteObjectsLater(this.deps.outbox, trx,
            ...(w ? [{ bucket: w.bucket, keys: [w.key], jobId: ctx.job.id, reason: 'its run-log file record no longer exists (its manifest)' }] : []),
            { bucket: this.bucket, keys: [f.key], jobId: ctx.job.id, reason: 'its run-log file record no longer exists' });
          continue;
        }
        // each collection has rows of its own (new ids): nothing earlier is replaced here
        await trx.updateTable('dcs_redislogs').set(final(f)).where('id', '=', row.id).where('job_id', '=', ctx.job.id).execute();
        await this.deps.artifacts.record(trx, w);
      }
    });
    return {
      logFile: out.src.path, logFileSource: out.src.source, sourceBytes: out.sliced.sourceBytes, files,
      otherDaysBytes: out.sliced.otherDaysBytes, unassignedBytes: out.sliced.unassignedBytes,
    };
  }

  /**
   * The failure step (the job's onFail, and the reconciler's repair): the job's `collecting` files
   * turn `failed` with the message; their previous objects and the job's partial ones are
   * scheduled for deletion (outbox), in the caller's transaction. False when none was collecting.
   */
  async markFailed(trx: Kysely<Database>, jobId: string, message: string): Promise<boolean> {
    const now = this.deps.clock.now();
    const rows = await trx.selectFrom('dcs_redislogs').selectAll().where('job_id', '=', jobId).where('status', '=', 'collecting').execute();
    for (const r of rows) {
      // the collection's own (partial) object, after the manifest the job may have written; earlier collections' files are not touched
      const manifest = await this.deps.artifacts.discardIn(trx, { service: 'dcs', projectId: r.project_id, clusterId: r.instance_id, setId: r.id, jobId }, 'the run-log collection failed');
      await deleteObjectsLater(this.deps.outbox, trx, manifest,
        { bucket: this.bucket, keys: [this.#key(r.project_id, r.instance_id, jobId, r.file_name)], jobId, reason: 'the run-log collection failed' });
      await trx
        .updateTable('dcs_redislogs')
        .set({ status: 'failed', reason: message, bucket: null, object_key: null, size: null, sha256: null, collected_at: now, expires_at: now + RETENTION_MS, updated_at: now })
        .where('id', '=', r.id).where('job_id', '=', jobId).where('status', '=', 'collecting')
        .execute();
    }
    return rows.length > 0;
  }

  /** A file's catalogue entry goes in `trx`; the returned group deletes its manifest (pass it before the file). */
  async #forgetSet(trx: Kysely<Database>, id: string, reason: string): Promise<DeleteObjects[]> {
    const set = await this.deps.artifacts.current('dcs', id, trx);
    if (!set) return [];
    await this.deps.artifacts.forget('dcs', id, trx);
    return [{ bucket: set.manifest_bucket, keys: [set.manifest_key], jobId: set.job_id ?? undefined, reason: `${reason} (its manifest)` }];
  }

  /** What the reconciler needs: stuck files, and which stored objects files claim. */
  recordOwner(): RecordOwner {
    const k = this.deps.db.kysely;
    return {
      name: 'DCS run-log files',
      stuck: (limit) => stuckRecords(this.deps.db, {
        table: 'dcs_redislogs', idColumn: 'id', jobColumn: 'job_id', stateColumn: 'status', inProgress: 'collecting',
        createdColumn: 'updated_at', label: 'DCS run-log file', limit,
      }),
      repair: async (trx, rec, message) => (rec.jobId ? this.markFailed(trx, rec.jobId, message) : false),
      objects: {
        locations: async () => [{ bucket: this.bucket, prefix: '' }],
        unclaimed: async (bucket, keys) => {
          // <project>/<instance>/<job id>/<file>: claimed by the file pointing to it, or by its job while collecting
          const owned = keys.map((key) => ({ key, jobId: key.split('/')[2] })).filter((o) => o.jobId && o.key.split('/').length === 4);
          if (owned.length === 0) return [];
          const pointed = new Set((await k.selectFrom('dcs_redislogs').select('object_key').where('bucket', '=', bucket).where('object_key', 'in', owned.map((o) => o.key)).execute()).map((r) => r.object_key));
          const live = new Set((await k.selectFrom('dcs_redislogs').select('job_id').where('status', '=', 'collecting').where('job_id', 'in', [...new Set(owned.map((o) => o.jobId))]).execute()).map((r) => r.job_id));
          return owned.filter((o) => !pointed.has(o.key) && !live.has(o.jobId)).map((o) => ({ ...o, why: 'no DCS run-log file points to it and its collection is not running' }));
        },
      },
    };
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
        .selectFrom('dcs_redislogs').selectAll()
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
            const reason = 'its run-log file expired (7 days)';
            const manifest = await this.#forgetSet(trx, r.id, reason);
            if (r.bucket && r.object_key) await deleteObjectsLater(this.deps.outbox, trx, ...manifest, { bucket: r.bucket, keys: [r.object_key], reason });
            else if (manifest.length) await deleteObjectsLater(this.deps.outbox, trx, ...manifest);
            await this.deps.events.emit(trx, expiredEvent(r, now));
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
