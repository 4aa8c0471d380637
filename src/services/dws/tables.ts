import type { Generated, Selectable } from 'kysely';
import type { CountedTable } from '../../db/rowCounts.js';

export interface DwsSnapshotTable {
  id: string;
  project_id: string;
  cluster_id: string;
  /** cluster name at snapshot time (the cluster may be deleted later; snapshots stay) */
  cluster_name: string;
  name: string;
  /** unique per project: names are case-insensitively unique */
  name_lower: string;
  description: string;
  /** MANUAL | AUTO */
  type: string;
  /** CREATING | AVAILABLE | UNAVAILABLE */
  status: string;
  bucket: string;
  /** the archive (`custom-gz`: `<id>.dump.gz`; snapshots before migration 0450: `<id>.dump`) */
  object_key: string;
  size_bytes: number;
  sha256: string | null;
  /** archive format (pgtools.ts ArchiveFormat); 'custom' for rows written before migration 0450 */
  format: Generated<string>;
  /**
   * JSON list of the stored files of this snapshot once AVAILABLE: [{ name, key, size, sha256 }]
   * (keys in `bucket`). One file today; null before migration 0450 (then the one file is
   * object_key / size_bytes / sha256). What a manifest of the snapshot lists.
   */
  files: string | null;
  failure_reason: string | null;
  job_id: string | null;
  /** AUTO snapshots: deleted by retention after this instant (epoch ms) */
  keep_until: number | null;
  started_at: number;
  finished_at: number | null;
  updated_at: number;
}

export interface DwsSnapshotPolicyTable {
  cluster_id: string;
  project_id: string;
  keep_day: number;
  auto_backup: number;
  device_name: string;
  server_port: string | null;
  backup_param: string | null;
  /** JSON array of strings */
  server_ips: string;
  updated_at: number;
}

export interface DwsBackupStrategyTable {
  id: string;
  cluster_id: string;
  project_id: string;
  policy_name: string;
  backup_strategy: string;
  backup_type: string;
  backup_level: string;
  created_at: number;
  updated_at: number;
}

declare module '../../db/types.js' {
  interface Database {
    dws_snapshots: DwsSnapshotTable;
    dws_snapshot_policies: DwsSnapshotPolicyTable;
    dws_backup_strategies: DwsBackupStrategyTable;
  }
}

export type SnapshotRow = Selectable<DwsSnapshotTable>;
export type PolicyRow = Selectable<DwsSnapshotPolicyTable>;
export type StrategyRow = Selectable<DwsBackupStrategyTable>;

/** Snapshots per (project, cluster), kept by triggers: ListSnapshots' and ListClusterSnapshots' count (migration 0450). */
export const DWS_SNAPSHOT_COUNTS: CountedTable = { scope: 'dws_snapshots', table: 'dws_snapshots', k1: 'project_id', k2: 'cluster_id' };

/** ListClusterSnapshots sort_key → column; each has an index (cluster_id, column, id) (migration 0450). */
export const SORT_KEYS = {
  started: 'started_at', finished: 'finished_at', name: 'name', size: 'size_bytes', status: 'status', type: 'type',
} as const satisfies Record<string, keyof DwsSnapshotTable>;
export const SORT_COLUMNS = Object.values(SORT_KEYS);

/**
 * The stored files of a snapshot, for manifests and checks: the recorded list, or — for rows
 * written before migration 0450 — the one archive object the row names.
 */
export function snapshotFiles(row: Pick<SnapshotRow, 'object_key' | 'size_bytes' | 'sha256' | 'files'>): { name: string; key: string; size: number; sha256: string | null }[] {
  if (row.files) return JSON.parse(row.files);
  return [{ name: row.object_key.slice(row.object_key.lastIndexOf('/') + 1), key: row.object_key, size: row.size_bytes, sha256: row.sha256 }];
}
