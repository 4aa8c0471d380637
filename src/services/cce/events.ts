import type { JobEventSpec } from '../../notify/jobEvents.js';
import type { SnapshotJobPayload } from './snapshots.js';

/** Webhook events of a master snapshot task: logsnap.cce.snapshot.{started,succeeded,failed}; the subject is the task uid. */
export const snapshotEvents: JobEventSpec<SnapshotJobPayload> = {
  service: 'cce', family: 'snapshot', operation: 'CreateClusterMasterSnapshot', resource: 'task',
  subject: (_job, p) => p.taskId,
  artifacts: (r: { bucket: string; key: string; size: number; sha256: string }) => [{ bucket: r.bucket, key: r.key, size: r.size, sha256: r.sha256 }],
  details: (r: { endpoint: string; revision: string; etcdVersion: string }) => ({ etcd: { endpoint: r.endpoint, revision: r.revision, version: r.etcdVersion } }),
};
