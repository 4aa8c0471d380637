import type { Db } from '../../db/index.js';
import type { SetInput } from '../../trust/catalog.js';
import { columns, insertRecord, pages, pick } from '../../trust/adapterKit.js';
import type { ArtifactAdapter, Checker } from '../../trust/types.js';
import { SnapshotIntegrity } from './integrity.js';
import type { CceSnapshotTaskTable, SnapshotTaskRow } from './snapshots.js';

const RECORD_COLUMNS = columns<CceSnapshotTaskTable>({
  id: true, project_id: true, cluster_id: true, phase: true, progress: true, message: true, endpoint: true, etcd_version: true,
  revision: true, db_size: true, bucket: true, object_key: true, size: true, sha256: true, created_at: true, updated_at: true, completed_at: true,
});

/** A successful master snapshot task as an artifact set: the etcd snapshot (database + etcd's sha256). */
export function cceSet(t: SnapshotTaskRow): SetInput {
  return {
    service: 'cce', kind: 'cce.master-snapshot', setId: t.id, projectId: t.project_id, clusterId: t.cluster_id, jobId: t.id,
    status: t.phase, createdAt: t.created_at, finishedAt: t.completed_at ?? t.updated_at, record: { ...t },
    files: [{ bucket: t.bucket!, key: t.object_key!, role: 'snapshot', format: 'etcd-snapshot', contentType: 'application/octet-stream', size: Number(t.size), sha256: t.sha256! }],
    engine: { etcd: t.etcd_version },
  };
}

/** etcd's own check of a snapshot: the database bytes must hash to the sha256 etcd appended (what `etcdutl snapshot restore` checks). */
export function etcdSnapshotChecker(): Checker {
  const check = new SnapshotIntegrity();
  return {
    write: (chunk) => check.update(chunk),
    async end() {
      try {
        check.verify();
      } catch (e) {
        throw new Error(`etcd snapshot integrity check failed: ${(e as Error).message}`);
      }
    },
    abort: () => undefined,
  };
}

export function cceArtifacts(db: Db): ArtifactAdapter {
  const k = db.kysely;
  return {
    service: 'cce',
    needsCluster: true,
    async *sets(f) {
      const rows = pages(
        (after, size) => k.selectFrom('cce_snapshot_tasks').selectAll()
          .where('phase', '=', 'Success').where('object_key', 'is not', null).where('id', '>', after)
          .$if(!!f.projectId, (q) => q.where('project_id', '=', f.projectId!))
          .$if(!!f.clusterId, (q) => q.where('cluster_id', '=', f.clusterId!))
          .$if(f.since !== undefined, (q) => q.where('completed_at', '>=', f.since!))
          .orderBy('id').limit(size).execute(),
        (r) => r.id,
      );
      for await (const r of rows) {
        yield {
          service: 'cce', setId: r.id, projectId: r.project_id, clusterId: r.cluster_id, jobId: r.id, finishedAt: Number(r.completed_at),
          files: [{ bucket: r.bucket!, key: r.object_key!, size: Number(r.size), sha256: r.sha256! }],
        };
      }
    },
    checks: { 'etcd-snapshot': etcdSnapshotChecker },
    restore: (trx, m) => insertRecord(trx, 'cce_snapshot_tasks', { column: 'id', value: m.setId }, pick(m.record, RECORD_COLUMNS), 'a task with that id exists'),
    async count() {
      const r = await k.selectFrom('cce_snapshot_tasks').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
      return Number(r.n);
    },
  };
}
