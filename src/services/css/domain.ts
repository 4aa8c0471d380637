import { createHash } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../../db/types.js';
import { deleteObjectsLater } from '../../storage/cleanup.js';
import { stuckRecords, type RecordOwner } from '../../jobs/reconciler.js';
import { appError } from '../../http/errors/catalogue.js';
import { isUniqueViolation } from '../../db/index.js';
import { countRows } from '../../db/rowCounts.js';
import { paged } from '../../db/paging.js';
import { prepared } from '../../db/prepared.js';
import { JobConflictError } from '../../jobs/queue.js';
import { JobFailure, type JobKind } from '../../jobs/runner.js';
import type { Schedule } from '../../jobs/scheduler.js';
import type { Cluster } from '../../clusters/clusters.js';
import { hex32, uuid } from '../../security/ids.js';
import type { ServiceDeps } from '../types.js';
import { BackupError, manifestKey, runBackup, type Manifest } from './backup.js';
import { entryKey, type ManifestEntry } from './logFiles.js';
import { dueSlot, isPeriod, parsePeriod, slotKey } from './period.js';
import { normaliseBasePath, resolveSettings, SettingInputError, checkPeriod, type LogSettingBody, type LogSettingValues } from './settingsInput.js';
import { CSS_RECORD_COUNTS, type CssLogRecordTable, type CssLogSettingTable } from './tables.js';
import { cssSet } from './artifacts.js';
import { backupEvents } from './events.js';
import './tables.js';

export type CssEngineValue = { nodes: { name: string; ip?: string; logDir: string }[]; datastore?: { type: string; version: string } };
type SettingRow = Selectable<CssLogSettingTable>;
type RecordRow = Selectable<CssLogRecordTable>;

export const BACKUP_JOB_KIND = 'css.log-backup';
export const activeKey = (clusterId: string) => `css-log-backup:${clusterId}`;

const REAL_TIME = 'real_time_log_collect';

function settingInputError(e: unknown): never {
  if (e instanceof SettingInputError) throw appError(e.code, undefined, e.message);
  throw e;
}

/** `YYYY-MM-DDThh:mm:ss` (UTC, no zone), the format CSS cluster listings use. */
function cssTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}

function stableUuid(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** ListLogsJob pages (the hot path of the API bench): compiled once, only the columns the view shows. */
const RECORD_VIEW = ['id', 'cluster_id', 'created_at', 'bucket', 'base_path', 'status', 'finished_at', 'job_type', 'failed_msg', 'job_id'] as const;
type PageArgs = { clusterId: string; offset: number; limit: number };
const recordPage = (status: 'FAIL' | 'NOT_FAIL' | undefined) =>
  prepared((k, p: PageArgs) =>
    k.selectFrom('css_log_records').select(RECORD_VIEW).where('cluster_id', '=', p.clusterId)
      .$if(status === 'FAIL', (qb) => qb.where('status', '=', 'FAIL'))
      .$if(status === 'NOT_FAIL', (qb) => qb.where('status', '!=', 'FAIL'))
      .orderBy('created_at', 'desc').orderBy('job_id', 'desc').offset(p.offset).limit(p.limit));
const pageAll = recordPage(undefined);
const pageFail = recordPage('FAIL');
const pageNotFail = recordPage('NOT_FAIL');

/** The CSS log-backup domain: settings, records, backups, the auto policy, cluster views. */
export class CssLogs {
  constructor(private readonly deps: ServiceDeps) {}

  get #k() {
    return this.deps.db.kysely;
  }

  /** The caller's CSS cluster, or 403 CSS.0015 (another project's cluster looks the same as none). */
  async cluster(projectId: string, clusterId: string): Promise<Cluster<CssEngineValue>> {
    const c = await this.deps.clusters.get<CssEngineValue>(projectId, 'css', clusterId);
    if (!c) throw appError('CSS.0015', undefined, `Cluster ${clusterId} does not exist in this project.`);
    return c;
  }

  async settings(clusterId: string): Promise<SettingRow | undefined> {
    return this.#k.selectFrom('css_log_settings').selectAll().where('cluster_id', '=', clusterId).executeTakeFirst();
  }

  #values(s: SettingRow): LogSettingValues {
    return { agency: s.agency, bucket: s.bucket, basePath: s.base_path, autoEnable: s.auto_enable === 1, period: s.period };
  }

  #rejectRealTime(action: string | undefined): void {
    if (action === REAL_TIME) {
      throw appError('CSS.0001', undefined, 'action=real_time_log_collect (ingesting logs into a cluster) is not implemented by logsnap; use base_log_collect (back logs up to OBS).');
    }
  }

  /** StartLogs: turn log backup on (or update its settings when already on). */
  async startLogs(projectId: string, clusterId: string, body: LogSettingBody | undefined, action?: string): Promise<void> {
    await this.cluster(projectId, clusterId);
    this.#rejectRealTime(action);
    if (!body || typeof body !== 'object') throw appError('CSS.0006', undefined, 'Send agency, log_bucket and log_base_path.');
    const v = (() => {
      try {
        return resolveSettings(body, null);
      } catch (e) {
        return settingInputError(e);
      }
    })();
    const now = this.deps.clock.now();
    const cur = await this.settings(clusterId);
    const autoSince = v.autoEnable ? (cur?.auto_enable === 1 && cur.log_switch === 1 && cur.period === v.period ? cur.auto_since : now) : null;
    const row = {
      bucket: v.bucket, base_path: v.basePath, agency: v.agency, log_switch: 1, auto_enable: v.autoEnable ? 1 : 0,
      period: v.period, auto_since: autoSince, updated_at: now,
    };
    await this.#k.insertInto('css_log_settings')
      .values({ cluster_id: clusterId, id: uuid(), project_id: projectId, created_at: now, ...row })
      .onConflict((oc) => oc.column('cluster_id').doUpdateSet(row))
      .execute();
  }

  /** StopLogs: log backup off; the auto policy stops with it. 415 CSS.0004 when it is not on. */
  async stopLogs(projectId: string, clusterId: string, action?: string): Promise<void> {
    await this.cluster(projectId, clusterId);
    this.#rejectRealTime(action);
    const cur = await this.settings(clusterId);
    if (!cur || cur.log_switch !== 1) throw appError('CSS.0004', undefined, 'Log backup is not enabled for this cluster.');
    await this.#k.updateTable('css_log_settings')
      .set({ log_switch: 0, auto_enable: 0, period: null, auto_since: null, updated_at: this.deps.clock.now() })
      .where('cluster_id', '=', clusterId).execute();
  }

  /** UpdateLogSetting: change bucket/base path/agency/policy of an enabled log backup. */
  async updateSettings(projectId: string, clusterId: string, body: LogSettingBody | undefined, action?: string): Promise<void> {
    await this.cluster(projectId, clusterId);
    this.#rejectRealTime(action);
    const cur = await this.settings(clusterId);
    if (!cur || cur.log_switch !== 1) throw appError('CSS.0004', undefined, 'Log backup is not enabled for this cluster: enable it with StartLogs first.');
    let v: LogSettingValues;
    try {
      v = resolveSettings(body ?? {}, this.#values(cur));
    } catch (e) {
      settingInputError(e);
    }
    const now = this.deps.clock.now();
    const keepSince = cur.auto_enable === 1 && v.autoEnable && cur.period === v.period;
    await this.#k.updateTable('css_log_settings')
      .set({ bucket: v.bucket, base_path: v.basePath, agency: v.agency, auto_enable: v.autoEnable ? 1 : 0, period: v.period, auto_since: v.autoEnable ? (keepSince ? cur.auto_since : now) : null, updated_at: now })
      .where('cluster_id', '=', clusterId).execute();
  }

  async startPolicy(projectId: string, clusterId: string, period: string): Promise<void> {
    await this.cluster(projectId, clusterId);
    try {
      checkPeriod(period);
    } catch (e) {
      settingInputError(e);
    }
    const cur = await this.settings(clusterId);
    if (!cur || cur.log_switch !== 1) throw appError('CSS.0004', undefined, 'Log backup is not enabled for this cluster: enable it with StartLogs first.');
    const now = this.deps.clock.now();
    const keepSince = cur.auto_enable === 1 && cur.period === period;
    await this.#k.updateTable('css_log_settings')
      .set({ auto_enable: 1, period, auto_since: keepSince ? cur.auto_since : now, updated_at: now })
      .where('cluster_id', '=', clusterId).execute();
  }

  async stopPolicy(projectId: string, clusterId: string): Promise<void> {
    await this.cluster(projectId, clusterId);
    const cur = await this.settings(clusterId);
    if (!cur || cur.log_switch !== 1 || cur.auto_enable !== 1) throw appError('CSS.0004', undefined, 'The automatic log backup policy is not enabled for this cluster.');
    await this.#k.updateTable('css_log_settings')
      .set({ auto_enable: 0, period: null, auto_since: null, updated_at: this.deps.clock.now() })
      .where('cluster_id', '=', clusterId).execute();
  }

  async showSettings(projectId: string, clusterId: string) {
    await this.cluster(projectId, clusterId);
    const s = await this.settings(clusterId);
    return {
      logConfiguration: s
        ? {
            id: s.id, clusterId: s.cluster_id, obsBucket: s.bucket, agency: s.agency, updateAt: s.updated_at, basePath: s.base_path,
            autoEnable: s.auto_enable === 1, period: s.auto_enable === 1 ? s.period : null, logSwitch: s.log_switch === 1,
          }
        : null,
      realTimeLogCollectRecord: null,
    };
  }

  /** CreateLogBackup: a Manual backup; returns the record (its jobId is the platform job id). */
  async createBackup(projectId: string, clusterId: string): Promise<RecordRow> {
    const cluster = await this.cluster(projectId, clusterId);
    const s = await this.settings(clusterId);
    if (!s || s.log_switch !== 1) throw appError('CSS.0004', undefined, 'Log backup is not enabled for this cluster: enable it with StartLogs first.');
    try {
      return (await this.startBackup(cluster, s, 'Manual'))!;
    } catch (e) {
      if (e instanceof JobConflictError) throw appError('CSS.0011', undefined, 'A log backup of this cluster is already running; wait for it to finish (ListLogsJob shows it).');
      throw e;
    }
  }

  /**
   * Insert the record and enqueue its job in one transaction. The job's activeKey makes a
   * second backup of the cluster a JobConflictError (DB-enforced, across processes); for Auto
   * backups the slot key is unique on the record and on the job: null when the slot was taken.
   */
  async startBackup(cluster: Cluster, s: SettingRow, type: 'Manual' | 'Auto', slot?: string): Promise<RecordRow | null> {
    const now = this.deps.clock.now();
    const jobId = hex32();
    const rec: RecordRow = {
      id: uuid(), job_id: jobId, cluster_id: cluster.id, project_id: cluster.project_id, job_type: type, status: 'RUNNING',
      bucket: s.bucket, base_path: s.base_path, prefix: `${normaliseBasePath(s.base_path)}/${cluster.id}/${jobId}`,
      created_at: now, finished_at: null, failed_msg: null, manifest_key: null, slot_key: slot ?? null, totals: null,
    };
    const key = activeKey(cluster.id);
    try {
      await this.#k.transaction().execute(async (trx) => {
        await trx.insertInto('css_log_records').values(rec).execute();
        await this.deps.queue.enqueue(
          { id: jobId, kind: BACKUP_JOB_KIND, projectId: cluster.project_id, clusterId: cluster.id, payload: { recordId: rec.id }, activeKey: key, uniqueKey: slot },
          trx,
        );
      });
      return rec;
    } catch (e) {
      if (e instanceof JobConflictError) throw e;
      if (slot && isUniqueViolation(e)) {
        const taken = await this.#k.selectFrom('css_log_records').select('id').where('slot_key', '=', slot).executeTakeFirst();
        if (taken) return null;
      }
      // PostgreSQL: after the activeKey violation the queue's follow-up query fails inside the aborted transaction
      if (await this.deps.queue.active(key)) throw new JobConflictError(key);
      throw e;
    }
  }

  async listRecords(projectId: string, clusterId: string, q: { offset?: number; limit?: number; status?: string }) {
    await this.cluster(projectId, clusterId);
    const offset = q.offset ?? 1;
    const limit = q.limit ?? 10;
    // totals from the counters (migration 0150): no scan however many records the cluster has
    const count = (status?: string) => countRows(this.deps.db, CSS_RECORD_COUNTS.scope, clusterId, status);
    const total = q.status === 'FAIL' ? count('FAIL') : q.status === 'NOT_FAIL' ? Promise.all([count(), count('FAIL')]).then(([a, f]) => a - f) : count();
    const page = q.status === 'FAIL' ? pageFail : q.status === 'NOT_FAIL' ? pageNotFail : pageAll;
    const { total: totalSize, rows } = await paged(total, { offset: offset - 1, limit }, () => page(this.deps.db, { clusterId, offset: offset - 1, limit }));
    return {
      clusterLogRecord: rows.map((r) => ({
        id: r.id, clusterId: r.cluster_id, createAt: Number(r.created_at), logPath: `${r.bucket}/${r.base_path}`, status: r.status,
        finishedAt: r.finished_at === null ? null : Number(r.finished_at), jobTypes: r.job_type, failedMsg: r.failed_msg, jobId: r.job_id,
      })),
      totalSize,
    };
  }

  clusterView(c: Cluster<CssEngineValue>, running: boolean) {
    const nodes = c.engine.nodes ?? [];
    const ips = nodes.filter((n) => n.ip).map((n) => `${n.ip}:9200`);
    return {
      id: c.id, name: c.name, status: c.status, created: cssTime(c.created_at), updated: cssTime(c.updated_at),
      datastore: { type: c.engine.datastore?.type ?? 'elasticsearch', version: c.engine.datastore?.version ?? '7.10.2' },
      endpoint: ips.join(','),
      actions: running ? ['LOG_BACKUP'] : [],
      actionProgress: {},
      instances: nodes.map((n) => ({ status: '200', type: 'ess', id: stableUuid(c.id, n.name), name: n.name, ip: n.ip ?? '' })),
      enterpriseProjectId: '0', tags: [], httpsEnable: false, authorityEnable: false, diskEncrypted: false, backupAvailable: false, period: false,
    };
  }

  async listClusters(projectId: string, q: { offset?: number; start?: number; limit?: number; datastoreType?: string }) {
    const offset = q.offset ?? q.start ?? 1;
    const limit = q.limit ?? 10;
    // one index range and a counter (the datastore type is clusters.variant): only the page is decrypted
    const { total, rows } = await this.deps.clusters.page<CssEngineValue>(projectId, 'css', { offset: offset - 1, limit, variant: q.datastoreType || undefined });
    const running = await this.#runningClusters(rows.map((c) => c.id));
    return { totalSize: total, clusters: rows.map((c) => this.clusterView(c, running.has(c.id))) };
  }

  async clusterDetail(projectId: string, clusterId: string) {
    const c = await this.cluster(projectId, clusterId);
    return this.clusterView(c, (await this.#runningClusters([c.id])).has(c.id));
  }

  async #runningClusters(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.#k.selectFrom('css_log_records').select('cluster_id').where('cluster_id', 'in', ids).where('status', '=', 'RUNNING').execute();
    return new Set(rows.map((r) => r.cluster_id));
  }

  /**
   * Entries of the last successful backup of the cluster (incremental); empty when none can be
   * read, and when that backup was stored with the other encryption setting (encryption at rest
   * turned on or off since: every file is copied again, so a set is wholly encrypted or not).
   */
  async #previous(rec: RecordRow, encrypted: boolean): Promise<Map<string, ManifestEntry>> {
    const last = await this.#k.selectFrom('css_log_records').selectAll()
      .where('cluster_id', '=', rec.cluster_id).where('status', '=', 'SUCCESS').where('manifest_key', 'is not', null)
      .orderBy('created_at', 'desc').orderBy('job_id', 'desc').limit(1).executeTakeFirst();
    const map = new Map<string, ManifestEntry>();
    if (!last?.manifest_key) return map;
    if (((await this.deps.store.head(last.bucket, last.manifest_key))?.encrypted === true) !== encrypted) return map;
    try {
      const got = await this.deps.store.get(last.bucket, last.manifest_key);
      const chunks: Buffer[] = [];
      for await (const c of got.body) chunks.push(c as Buffer);
      const m = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Manifest;
      for (const f of m.files) map.set(entryKey(f.node, f.path), f);
    } catch (err) {
      this.deps.log.warn({ err, manifest: last.manifest_key }, 'css: previous manifest unreadable; this backup copies every file');
    }
    return map;
  }

  /** The job that copies the logs. Not retried: a crashed backup ends FAIL and is cleaned up. */
  jobKind(): JobKind<{ recordId: string }> {
    return {
      kind: BACKUP_JOB_KIND,
      retryable: false,
      events: backupEvents,
      run: async (ctx) => {
        const rec = await this.#k.selectFrom('css_log_records').selectAll().where('id', '=', ctx.payload.recordId).executeTakeFirst();
        if (!rec) throw new JobFailure('the log backup record no longer exists');
        const cluster = await this.deps.clusters.getAny<CssEngineValue>(rec.cluster_id);
        if (!cluster) throw new JobFailure('the cluster was deleted before its logs were backed up');
        const previous = await this.#previous(rec, await this.deps.artifacts.encrypts(rec.project_id));
        let lastPct = -1;
        let manifest: Manifest;
        try {
          manifest = await runBackup({
            store: this.deps.store, clusterId: rec.cluster_id, jobId: rec.job_id, jobType: rec.job_type, nodes: cluster.engine.nodes,
            bucket: rec.bucket, prefix: rec.prefix, project: rec.project_id, previous, signal: ctx.signal, now: () => this.deps.clock.now(),
            onProgress: (done, total) => {
              const pct = total ? Math.floor((done / total) * 1000) / 10 : 0;
              if (pct !== lastPct) ctx.progress((lastPct = pct));
            },
          });
        } catch (e) {
          if (e instanceof BackupError) throw new JobFailure(e.message);
          throw e;
        }
        // The set's manifest goes into the store once every file is there, then the record turns
        // SUCCESS in the transaction that ends the job and releases the cluster's "one backup at a
        // time" key: a client that sees SUCCESS can start the next backup at once.
        const final: RecordRow = { ...rec, status: 'SUCCESS', finished_at: this.deps.clock.now(), manifest_key: manifestKey(rec.prefix), totals: JSON.stringify(manifest.totals) };
        const inner = await this.deps.store.head(rec.bucket, manifestKey(rec.prefix));
        if (!inner?.sha256) throw new JobFailure(`object store: the backup's manifest ${rec.bucket}/${manifestKey(rec.prefix)} cannot be read back`);
        const written = await this.deps.artifacts.write(cssSet(final, manifest, { size: inner.size, sha256: inner.sha256 }, cluster.engine.datastore));
        ctx.onCommit(async (trx) => {
          const res = await trx.updateTable('css_log_records')
            .set({ status: final.status, finished_at: final.finished_at, manifest_key: final.manifest_key, totals: final.totals })
            .where('id', '=', rec.id).where('status', '=', 'RUNNING').executeTakeFirst();
          if (Number(res.numUpdatedRows) !== 1) throw new JobFailure('the backup was marked failed while it was finishing');
          await this.deps.artifacts.record(trx, written);
        });
        return { recordId: rec.id, manifest: `${rec.bucket}/${manifestKey(rec.prefix)}`, manifestSize: inner.size, manifestSha256: inner.sha256, totals: manifest.totals };
      },
      // the record turns FAIL in the transaction that fails the job; its objects go after the commit
      onFail: async (trx, job, message) => {
        await this.failRecord(trx, job.id, message);
      },
    };
  }

  /**
   * The failure step (the job's onFail, and the reconciler's repair): the RUNNING record of the
   * job turns FAIL with the message, and every object under its prefix is scheduled for deletion
   * (outbox), in the caller's transaction. False when the record is not RUNNING.
   */
  async failRecord(trx: Kysely<Database>, jobId: string, message: string): Promise<boolean> {
    const rec = await trx.selectFrom('css_log_records').selectAll().where('job_id', '=', jobId).executeTakeFirst();
    if (rec?.status !== 'RUNNING') return false;
    await trx.updateTable('css_log_records')
      .set({ status: 'FAIL', failed_msg: message, finished_at: this.deps.clock.now() })
      .where('id', '=', rec.id).where('status', '=', 'RUNNING').execute();
    const manifest = await this.deps.artifacts.discardIn(trx, { service: 'css', projectId: rec.project_id, clusterId: rec.cluster_id, setId: rec.id, jobId: rec.job_id }, 'the log backup failed');
    await deleteObjectsLater(this.deps.outbox, trx, manifest, { bucket: rec.bucket, prefix: `${rec.prefix}/`, reason: 'the log backup failed', jobId });
    return true;
  }

  /** What the reconciler needs: stuck records, and which stored objects records claim. */
  recordOwner(): RecordOwner {
    return {
      name: 'CSS log backup records',
      stuck: (limit) => stuckRecords(this.deps.db, {
        table: 'css_log_records', idColumn: 'id', jobColumn: 'job_id', stateColumn: 'status', inProgress: 'RUNNING',
        createdColumn: 'created_at', label: 'CSS log backup record', limit,
      }),
      repair: async (trx, rec, message) => {
        const row = await trx.selectFrom('css_log_records').select('job_id').where('id', '=', rec.key).executeTakeFirst();
        return row ? this.failRecord(trx, row.job_id, message) : false;
      },
      objects: {
        // every folder a backup may write under: the base paths of records and settings, per bucket
        locations: async () => {
          const rows = [
            ...(await this.#k.selectFrom('css_log_records').select(['bucket', 'base_path']).distinct().execute()),
            ...(await this.#k.selectFrom('css_log_settings').select(['bucket', 'base_path']).distinct().execute()),
          ];
          const all = rows.map((r) => ({ bucket: r.bucket, prefix: `${normaliseBasePath(r.base_path)}/` }));
          // a folder inside another listed folder is listed with it
          return all.filter((a, i) => !all.some((b, j) => b.bucket === a.bucket && (j < i ? a.prefix.startsWith(b.prefix) : a.prefix.startsWith(b.prefix) && a.prefix !== b.prefix)));
        },
        unclaimed: async (bucket, keys) => {
          // <base path>/<cluster id>/<job id: 32 hex>/…: the record prefix ends at the job id
          const owned = keys.flatMap((key) => {
            const segs = key.split('/');
            const i = segs.findIndex((seg, n) => n >= 1 && n < segs.length - 1 && /^[0-9a-f]{32}$/.test(seg));
            return i < 0 ? [] : [{ key, prefix: segs.slice(0, i + 1).join('/'), jobId: segs[i] }];
          });
          if (owned.length === 0) return [];
          const claimed = new Set((await this.#k.selectFrom('css_log_records').select('prefix')
            .where('bucket', '=', bucket).where('prefix', 'in', [...new Set(owned.map((o) => o.prefix))]).where('status', 'in', ['RUNNING', 'SUCCESS'])
            .execute()).map((r) => r.prefix));
          return owned.filter((o) => !claimed.has(o.prefix)).map((o) => ({ key: o.key, jobId: o.jobId, why: 'no running or successful CSS log backup record claims its folder' }));
        },
      },
    };
  }

  /** The daily Auto backups: one job per cluster per slot, however many processes tick. */
  schedule(): Schedule {
    return {
      name: 'css-log-auto-backup',
      tick: async (now) => {
        const rows = await this.#k.selectFrom('css_log_settings').selectAll().where('log_switch', '=', 1).where('auto_enable', '=', 1).execute();
        for (const s of rows) {
          if (!s.period || s.auto_since === null) continue;
          const period = parsePeriod(s.period);
          if (!isPeriod(period)) continue;
          const slot = dueSlot(period, Number(s.auto_since), now);
          if (slot === null) continue;
          const key = slotKey(s.cluster_id, slot);
          if (await this.#k.selectFrom('css_log_records').select('id').where('slot_key', '=', key).executeTakeFirst()) continue;
          const cluster = await this.deps.clusters.getAny(s.cluster_id);
          if (!cluster) continue;
          try {
            const rec = await this.startBackup(cluster, s, 'Auto', key);
            if (rec) this.deps.log.info({ cluster_id: s.cluster_id, job_id: rec.job_id, slot }, 'css: automatic log backup started');
          } catch (e) {
            if (e instanceof JobConflictError) {
              this.deps.log.info({ cluster_id: s.cluster_id, slot }, 'css: automatic log backup waits for the running backup to finish');
              continue;
            }
            throw e;
          }
        }
      },
    };
  }
}
