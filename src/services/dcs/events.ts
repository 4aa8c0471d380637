import type { EmitInput } from '../../notify/events.js';
import type { JobEventSpec } from '../../notify/jobEvents.js';
import type { CollectPayload, CollectResult, RunlogRow } from './runLogs.js';

/** Webhook events of a run-log collection: logsnap.dcs.runlog.{started,succeeded,failed}; the subject is the job. */
export const collectEvents: JobEventSpec<CollectPayload> = {
  service: 'dcs', family: 'runlog', operation: 'CreateRedislog', resource: 'collection',
  subject: (job) => job.id,
  artifacts: (r: CollectResult) => r.files.map((f) => ({ key: f.file_name, size: f.size, sha256: f.sha256 })),
  details: (r: CollectResult) => ({ files: r.files, log_file: r.logFile, source_bytes: r.sourceBytes }),
};

/** logsnap.dcs.runlog.expired: a file's 7 days are over and it was deleted (emitted in the deleting transaction). */
export function expiredEvent(r: RunlogRow, now: number): EmitInput {
  return {
    type: 'logsnap.dcs.runlog.expired', projectId: r.project_id, service: 'dcs', clusterId: r.instance_id, subject: r.id, time: now,
    data: {
      service: 'dcs', project_id: r.project_id, instance_id: r.instance_id, replication_id: r.replication_id, id: r.id,
      file_name: r.file_name, day: r.day, status: r.status, size: r.size, sha256: r.sha256,
      collected_at: r.collected_at === null ? null : new Date(Number(r.collected_at)).toISOString(),
      expired_at: new Date(now).toISOString(),
    },
  };
}
