import type { Db } from '../../db/index.js';
import type { ObjectStore } from '../../storage/objectStore.js';
import type { SetInput } from '../../trust/catalog.js';
import { columns, gzipChecker, tableAdapter } from '../../trust/adapterKit.js';
import type { ArtifactAdapter } from '../../trust/types.js';
import type { Manifest } from './backup.js';
import type { CssLogRecordTable } from './tables.js';
import './tables.js';

type RecordRow = CssLogRecordTable;

const RECORD_COLUMNS = columns<CssLogRecordTable>({
  id: true, job_id: true, cluster_id: true, project_id: true, job_type: true, status: true, bucket: true, base_path: true,
  prefix: true, created_at: true, finished_at: true, failed_msg: true, manifest_key: true, slot_key: true, totals: true,
});

/**
 * A finished CSS log backup as an artifact set: every gzip object its manifest lists (reused
 * objects of earlier backups included: the set needs them) and the backup's own manifest.json.
 */
export function cssSet(rec: RecordRow, m: Manifest, innerManifest: { size: number; sha256: string }, datastore?: { type: string; version: string }): SetInput {
  return {
    service: 'css', kind: 'css.log-backup', setId: rec.id, projectId: rec.project_id, clusterId: rec.cluster_id, jobId: rec.job_id,
    status: rec.status, createdAt: rec.created_at, finishedAt: rec.finished_at ?? m.finishedAt, record: { ...rec },
    files: [
      ...m.files.map((f) => ({ bucket: f.bucket, key: f.key, role: 'log', format: 'gzip', contentType: 'application/gzip', size: f.objectSize, sha256: f.objectSha256 })),
      { bucket: rec.bucket, key: rec.manifest_key!, role: 'index', format: 'json', contentType: 'application/json', ...innerManifest },
    ],
    engine: datastore ? { [datastore.type]: datastore.version } : {},
  };
}

export function cssArtifacts(db: Db, store: ObjectStore): ArtifactAdapter {
  return tableAdapter<CssLogRecordTable>(db, {
    service: 'css', needsCluster: true, table: 'css_log_records',
    final: { status: 'SUCCESS' }, notNull: ['manifest_key'], project: 'project_id', cluster: 'cluster_id', finished: 'finished_at',
    columns: RECORD_COLUMNS, clash: 'another log backup record holds its job id or automatic-backup slot',
    toSet: (r) => ({
      service: 'css', setId: r.id, projectId: r.project_id, clusterId: r.cluster_id, jobId: r.job_id, finishedAt: Number(r.finished_at),
      files: [{ bucket: r.bucket, key: r.manifest_key! }],
    }),
    async describe(r) {
      const got = await store.get(r.bucket, r.manifest_key!);
      const inner = JSON.parse(Buffer.concat(await got.body.toArray()).toString('utf8')) as Manifest;
      const info = (await store.head(r.bucket, r.manifest_key!))!;
      return cssSet(r, inner, { size: info.size, sha256: info.sha256 ?? got.sha256 ?? '' });
    },
    checks: { gzip: gzipChecker },
  });
}
