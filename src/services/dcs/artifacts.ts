import type { Db } from '../../db/index.js';
import type { SetInput } from '../../trust/catalog.js';
import { columns, tableAdapter } from '../../trust/adapterKit.js';
import type { ArtifactAdapter } from '../../trust/types.js';
import type { DcsRedislogTable, RunlogRow } from './runLogs.js';

const RECORD_COLUMNS = columns<DcsRedislogTable>({
  id: true, project_id: true, instance_id: true, replication_id: true, replication_ip: true, group_name: true, day: true,
  file_name: true, status: true, reason: true, job_id: true, bucket: true, object_key: true, size: true, sha256: true,
  created_at: true, updated_at: true, collected_at: true, expires_at: true, collection_no: true,
});

/** A collected run-log file (one replica, one day) as an artifact set of one file. */
export function dcsSet(row: RunlogRow, redisVersion: string | null): SetInput {
  return {
    service: 'dcs', kind: 'dcs.run-log', setId: row.id, projectId: row.project_id, clusterId: row.instance_id, jobId: row.job_id,
    status: row.status, createdAt: row.created_at, finishedAt: row.collected_at ?? row.updated_at, record: { ...row },
    files: [{ bucket: row.bucket!, key: row.object_key!, role: 'run-log', format: 'text', contentType: 'text/plain', size: Number(row.size), sha256: row.sha256! }],
    engine: { redis: redisVersion },
  };
}

export function dcsArtifacts(db: Db): ArtifactAdapter {
  return tableAdapter<RunlogRow>(db, {
    service: 'dcs', needsCluster: true, table: 'dcs_redislogs',
    final: { status: 'succeed' }, notNull: ['object_key'], project: 'project_id', cluster: 'instance_id', finished: 'collected_at',
    columns: RECORD_COLUMNS, clash: 'the instance already has that run-log file',
    describe: async (r) => dcsSet(r, null),
    toSet: (r) => ({
      service: 'dcs', setId: r.id, projectId: r.project_id, clusterId: r.instance_id, jobId: r.job_id, finishedAt: Number(r.collected_at),
      files: [{ bucket: r.bucket!, key: r.object_key!, size: Number(r.size), sha256: r.sha256! }],
    }),
  });
}
