/**
 * What the console's read model knows about each service: which jobs are its backups, how big
 * a finished one is, how much it keeps in the store per project, and what artifacts a job left.
 * One descriptor per service; everything else in the read model is shared by all four.
 */
import { sql } from 'kysely';
import type { Db } from '../db/index.js';
import type { JobRow } from '../jobs/queue.js';
import type { ObjectStore } from '../storage/objectStore.js';
import type { ServiceName } from '../clusters/clusters.js';
import { BACKUP_JOB_KIND } from '../services/css/domain.js';
import type { Manifest } from '../services/css/backup.js';
import { COLLECT_KIND } from '../services/dcs/runLogs.js';
import { SNAPSHOT_JOB_KIND } from '../services/cce/snapshots.js';
import { RESTORE_KIND, SNAPSHOT_KIND } from '../services/dws/domain.js';

/** One stored object a job produced (or, for CSS, a file its manifest lists). */
export interface Artifact {
  name: string;
  /** where it is stored; null when it is no longer stored (superseded, expired, failed) */
  bucket: string | null;
  key: string | null;
  /** bytes of the original (CSS: the log file; others: the stored object) */
  size: number | null;
  sha256: string | null;
  /** CSS: the stored (compressed) object */
  stored_size?: number | null;
  stored_sha256?: string | null;
  encoding?: string;
  reused?: boolean;
  node?: string;
  path?: string;
  day?: string;
  status?: string;
  note?: string | null;
}

export interface ArtifactPage {
  total: number;
  items: Artifact[];
  /** per-kind facts shown above the list (CSS: nodes, totals, the manifest itself) */
  summary: Record<string, unknown> | null;
}

export interface Usage {
  project_id: string;
  bytes: number;
  items: number;
}

export interface ArtifactContext {
  db: Db;
  store: ObjectStore;
  manifest(bucket: string, key: string): Promise<Manifest>;
}

export interface ServiceRuns {
  service: ServiceName;
  /** what one run is called on the console */
  noun: string;
  /** job kinds that are this service's backups (a cluster's "last run", its charts) */
  kinds: string[];
  /** other job kinds of the service (DWS restores) */
  otherKinds: string[];
  /** bytes a successful run covers, from the job result */
  size(result: unknown): number | null;
  /** bytes kept in the object store, per project */
  usage(db: Db): Promise<Usage[]>;
  artifacts(job: JobRow, ctx: ArtifactContext, page: { offset: number; limit: number }): Promise<ArtifactPage>;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const obj = (v: unknown): Record<string, any> => (v && typeof v === 'object' ? (v as Record<string, any>) : {});
const parse = (s: string | null): Record<string, any> => {
  try {
    return obj(s ? JSON.parse(s) : null);
  } catch {
    return {};
  }
};
const usageRows = (rows: { project_id: string; bytes: unknown; items: unknown }[]): Usage[] =>
  rows.map((r) => ({ project_id: r.project_id, bytes: Number(r.bytes ?? 0), items: Number(r.items ?? 0) }));
const fileName = (key: string) => key.slice(key.lastIndexOf('/') + 1);
const none: ArtifactPage = { total: 0, items: [], summary: null };

export const cssRuns: ServiceRuns = {
  service: 'css',
  noun: 'log backup',
  kinds: [BACKUP_JOB_KIND],
  otherKinds: [],
  size: (r) => num(obj(obj(r).totals).bytes),
  async usage(db) {
    const stored = db.dialect === 'sqlite'
      ? sql<number>`coalesce(sum(json_extract(totals, '$.storedBytes')), 0)`
      : sql<number>`coalesce(sum((totals::jsonb->>'storedBytes')::bigint), 0)`;
    const rows = await db.kysely.selectFrom('css_log_records')
      .select(['project_id', stored.as('bytes'), (eb) => eb.fn.countAll().as('items')])
      .where('status', '=', 'SUCCESS').groupBy('project_id').execute();
    return usageRows(rows);
  },
  async artifacts(job, ctx, page) {
    const result = parse(job.result);
    const path = typeof result.manifest === 'string' ? result.manifest : null;
    if (!path) return none;
    const bucket = path.slice(0, path.indexOf('/'));
    const key = path.slice(path.indexOf('/') + 1);
    let m: Manifest;
    try {
      m = await ctx.manifest(bucket, key);
    } catch {
      return { total: 0, items: [], summary: { manifest: { bucket, key, name: fileName(key), available: false } } };
    }
    const files = m.files.slice(page.offset, page.offset + page.limit);
    return {
      total: m.files.length,
      items: files.map((f) => ({
        name: f.rel, node: f.node, path: f.path, size: f.size, sha256: f.sha256, bucket: f.bucket, key: f.key,
        stored_size: f.objectSize, stored_sha256: f.objectSha256, encoding: f.encoding, reused: f.reused,
        note: f.changedDuringBackup ? 'the file changed while it was read; size and sha256 describe what was stored' : null,
      })),
      summary: {
        manifest: { bucket, key, name: fileName(key), available: true },
        nodes: m.nodes, totals: m.totals, skipped: m.skipped.slice(0, 50), started_at: m.startedAt, finished_at: m.finishedAt,
      },
    };
  },
};

export const dcsRuns: ServiceRuns = {
  service: 'dcs',
  noun: 'run-log collection',
  kinds: [COLLECT_KIND],
  otherKinds: [],
  size: (r) => {
    const files = obj(r).files;
    return Array.isArray(files) ? files.reduce((s: number, f: unknown) => s + (num(obj(f).size) ?? 0), 0) : null;
  },
  async usage(db) {
    const rows = await db.kysely.selectFrom('dcs_redislogs')
      .select(['project_id', (eb) => eb.fn.coalesce(eb.fn.sum<number>('size'), sql<number>`0`).as('bytes'), (eb) => eb.fn.countAll().as('items')])
      .where('status', '=', 'succeed').groupBy('project_id').execute();
    return usageRows(rows);
  },
  async artifacts(job, ctx, page) {
    const base = ctx.db.kysely.selectFrom('dcs_redislogs').where('job_id', '=', job.id);
    const total = Number((await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst())?.n ?? 0);
    const rows = await base.selectAll().orderBy('day', 'desc').orderBy('replication_id').offset(page.offset).limit(page.limit).execute();
    const result = parse(job.result);
    return {
      total,
      items: rows.map((r) => ({
        name: r.file_name, day: r.day, status: r.status, size: r.size === null ? null : Number(r.size), sha256: r.sha256,
        bucket: r.bucket, key: r.object_key, note: r.reason, node: r.replication_id,
      })),
      summary: job.result
        ? { log_file: result.logFile ?? null, source_bytes: result.sourceBytes ?? null, days: (result.files ?? []).length }
        : null,
    };
  },
};

export const cceRuns: ServiceRuns = {
  service: 'cce',
  noun: 'master snapshot',
  kinds: [SNAPSHOT_JOB_KIND],
  otherKinds: [],
  size: (r) => num(obj(r).size),
  async usage(db) {
    const rows = await db.kysely.selectFrom('cce_snapshot_tasks')
      .select(['project_id', (eb) => eb.fn.coalesce(eb.fn.sum<number>('size'), sql<number>`0`).as('bytes'), (eb) => eb.fn.countAll().as('items')])
      .where('phase', '=', 'Success').groupBy('project_id').execute();
    return usageRows(rows);
  },
  async artifacts(job) {
    const r = parse(job.result);
    if (typeof r.bucket !== 'string' || typeof r.key !== 'string') return none;
    return {
      total: 1,
      items: [{ name: fileName(r.key), bucket: r.bucket, key: r.key, size: num(r.size), sha256: r.sha256 ?? null }],
      summary: { endpoint: r.endpoint ?? null, revision: r.revision ?? null, etcd_version: r.etcdVersion ?? null },
    };
  },
};

export const dwsRuns: ServiceRuns = {
  service: 'dws',
  noun: 'snapshot',
  kinds: [SNAPSHOT_KIND],
  otherKinds: [RESTORE_KIND],
  size: (r) => num(obj(r).size),
  async usage(db) {
    const rows = await db.kysely.selectFrom('dws_snapshots')
      .select(['project_id', (eb) => eb.fn.coalesce(eb.fn.sum<number>('size_bytes'), sql<number>`0`).as('bytes'), (eb) => eb.fn.countAll().as('items')])
      .where('status', '=', 'AVAILABLE').groupBy('project_id').execute();
    return usageRows(rows);
  },
  async artifacts(job, ctx) {
    const result = parse(job.result);
    if (job.kind === RESTORE_KIND) {
      const p = parse(job.payload);
      return { total: 0, items: [], summary: { restored_cluster_id: p.clusterId ?? null, database: p.database ?? null, snapshot_id: p.snapshotId ?? null } };
    }
    const row = await ctx.db.kysely.selectFrom('dws_snapshots').selectAll()
      .where((eb) => eb.or([eb('job_id', '=', job.id), eb('id', '=', job.id)])).executeTakeFirst();
    if (!row) return { total: 0, items: [], summary: { note: 'the snapshot was deleted' } };
    const stored = row.status === 'AVAILABLE';
    return {
      total: 1,
      items: [{
        name: `${row.name}.dump`, bucket: stored ? row.bucket : null, key: stored ? row.object_key : null,
        size: stored ? Number(row.size_bytes) : null, sha256: row.sha256, status: row.status, note: row.failure_reason,
      }],
      summary: { snapshot_id: row.id, name: row.name, type: row.type, status: row.status, toc_entries: result.toc_entries ?? null },
    };
  },
};

export const SERVICE_RUNS: ServiceRuns[] = [cssRuns, dcsRuns, cceRuns, dwsRuns];

/** The service a job kind belongs to. */
export function serviceOfKind(kind: string): ServiceRuns | undefined {
  return SERVICE_RUNS.find((s) => s.kinds.includes(kind) || s.otherKinds.includes(kind));
}
