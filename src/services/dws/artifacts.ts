import type { Db } from '../../db/index.js';
import type { SetInput } from '../../trust/catalog.js';
import { columns, readableChecker, tableAdapter } from '../../trust/adapterKit.js';
import type { ArtifactAdapter } from '../../trust/types.js';
import { listArchive, NO_SERVER, type ArchiveFormat, type ArchiveListing } from './pgtools.js';
import { snapshotFiles, type DwsSnapshotTable, type SnapshotRow } from './tables.js';
import './tables.js';

const RECORD_COLUMNS = columns<DwsSnapshotTable>({
  id: true, project_id: true, cluster_id: true, cluster_name: true, name: true, name_lower: true, description: true, type: true,
  status: true, bucket: true, object_key: true, size_bytes: true, sha256: true, failure_reason: true, job_id: true, keep_until: true,
  started_at: true, finished_at: true, updated_at: true, format: true, files: true,
});

/** The manifest's file format per archive format: what the verify check reads it as. */
const FILE_FORMAT: Record<ArchiveFormat, string> = { custom: 'pg_dump-custom', 'custom-gz': 'pg_dump-custom-gz' };

/**
 * An AVAILABLE DWS snapshot as an artifact set: its stored archive files (one pg_dump custom
 * archive, gzip-compressed by logsnap since migration 0450; pg_dump's own compression before).
 */
export function dwsSet(s: SnapshotRow, listing: ArchiveListing | null): SetInput {
  return {
    service: 'dws', kind: 'dws.snapshot', setId: s.id, projectId: s.project_id, clusterId: s.cluster_id, jobId: s.job_id,
    status: s.status, createdAt: s.started_at, finishedAt: s.finished_at ?? s.updated_at, record: { ...s },
    files: snapshotFiles(s).map((f) => ({
      bucket: s.bucket, key: f.key, role: 'dump', format: FILE_FORMAT[s.format as ArchiveFormat] ?? 'pg_dump-custom',
      contentType: s.format === 'custom-gz' ? 'application/gzip' : 'application/octet-stream', size: Number(f.size), sha256: f.sha256!,
    })),
    engine: { postgresql: listing?.dumpedFrom, pg_dump: listing?.dumpedBy },
  };
}

export function dwsArtifacts(db: Db): ArtifactAdapter {
  return tableAdapter<SnapshotRow>(db, {
    // snapshots outlive their cluster (ListSnapshots is per project): restored without it
    service: 'dws', needsCluster: false, table: 'dws_snapshots',
    final: { status: 'AVAILABLE' }, project: 'project_id', cluster: 'cluster_id', finished: 'finished_at',
    columns: RECORD_COLUMNS, clash: 'the project already has a snapshot with that name',
    describe: async (r) => dwsSet(r, null),
    toSet: (r) => ({
      service: 'dws', setId: r.id, projectId: r.project_id, clusterId: r.cluster_id, jobId: r.job_id, finishedAt: Number(r.finished_at),
      files: snapshotFiles(r).map((f) => ({ bucket: r.bucket, key: f.key, size: Number(f.size), sha256: f.sha256 ?? undefined })),
    }),
    // PostgreSQL's own reading of the archive: `pg_restore --list` must parse its table of contents
    checks: {
      'pg_dump-custom': () => readableChecker((input) => listArchive(NO_SERVER, input, undefined, 'custom').then(() => undefined), 'pg_restore --list failed'),
      'pg_dump-custom-gz': () => readableChecker((input) => listArchive(NO_SERVER, input, undefined, 'custom-gz').then(() => undefined), 'gunzip | pg_restore --list failed'),
    },
  });
}
