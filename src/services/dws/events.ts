import type { EmitInput } from '../../notify/events.js';
import type { JobEventSpec } from '../../notify/jobEvents.js';
import type { RestorePayload, SnapshotPayload } from './domain.js';
import type { SnapshotRow } from './tables.js';

/** logsnap.dws.snapshot.{started,succeeded,failed}; automated snapshots take the job id as their id. */
export const snapshotEvents: JobEventSpec<SnapshotPayload> = {
  service: 'dws', family: 'snapshot', operation: 'CreateSnapshot', resource: 'snapshot',
  subject: (job, p) => p.snapshotId ?? job.id,
  artifacts: (r: { size: number; sha256: string }) => [{ size: r.size, sha256: r.sha256 }],
  details: (r: { snapshot_id: string; toc_entries: number }) => ({ snapshot_id: r.snapshot_id, toc_entries: r.toc_entries }),
};

/** logsnap.dws.restore.{started,succeeded,failed}; the subject is the new cluster. */
export const restoreEvents: JobEventSpec<RestorePayload> = {
  service: 'dws', family: 'restore', operation: 'RestoreCluster', resource: 'cluster',
  subject: (_job, p) => p.clusterId,
  details: (r: { cluster_id: string; database: string; snapshot_id: string }) => ({ restored_cluster_id: r.cluster_id, database: r.database, snapshot_id: r.snapshot_id }),
};

/** logsnap.dws.snapshot.deleted / .expired, emitted in the transaction that deletes the record. */
export function removedEvent(type: 'logsnap.dws.snapshot.deleted' | 'logsnap.dws.snapshot.expired', row: SnapshotRow, now: number): EmitInput {
  return {
    type, projectId: row.project_id, service: 'dws', clusterId: row.cluster_id, subject: row.id, time: now,
    data: {
      service: 'dws', operation: type.endsWith('.deleted') ? 'DeleteSnapshot' : 'retention', project_id: row.project_id, cluster_id: row.cluster_id,
      snapshot_id: row.id, name: row.name, snapshot_type: row.type, status: row.status, size: Number(row.size_bytes), sha256: row.sha256,
      keep_until: row.keep_until === null ? null : new Date(Number(row.keep_until)).toISOString(),
    },
  };
}
