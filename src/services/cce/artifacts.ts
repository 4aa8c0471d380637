import type { Db } from '../../db/index.js';
import type { SetInput } from '../../trust/catalog.js';
import { columns, tableAdapter } from '../../trust/adapterKit.js';
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
  return tableAdapter<SnapshotTaskRow>(db, {
    service: 'cce', needsCluster: true, table: 'cce_snapshot_tasks',
    final: { phase: 'Success' }, notNull: ['object_key'], project: 'project_id', cluster: 'cluster_id', finished: 'completed_at',
    columns: RECORD_COLUMNS, clash: 'a task with that id exists',
    describe: async (r) => cceSet(r),
    toSet: (r) => ({
      service: 'cce', setId: r.id, projectId: r.project_id, clusterId: r.cluster_id, jobId: r.id, finishedAt: Number(r.completed_at),
      files: [{ bucket: r.bucket!, key: r.object_key!, size: Number(r.size), sha256: r.sha256! }],
    }),
    checks: { 'etcd-snapshot': etcdSnapshotChecker },
  });
}
