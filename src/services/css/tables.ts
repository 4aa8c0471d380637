import type { CountedTable } from '../../db/rowCounts.js';

/** CSS tables (migrations/0100_css_log.ts, 0150_perf_css_lists.ts). */
export interface CssLogSettingTable {
  /** one row per cluster */
  cluster_id: string;
  id: string;
  project_id: string;
  bucket: string;
  base_path: string;
  agency: string;
  /** 1 while log backup is on */
  log_switch: number;
  auto_enable: number;
  period: string | null;
  /** when the auto policy was (re)enabled; slots before it are never back-filled */
  auto_since: number | null;
  created_at: number;
  updated_at: number;
}

export interface CssLogRecordTable {
  id: string;
  /** 32 hex; also the id of the platform job running it (X-Logsnap-Job-Id) */
  job_id: string;
  cluster_id: string;
  project_id: string;
  job_type: 'Manual' | 'Auto';
  status: 'RUNNING' | 'SUCCESS' | 'FAIL';
  bucket: string;
  base_path: string;
  /** `<normalised base path>/<cluster id>/<job id>`: every object this job writes is under it */
  prefix: string;
  created_at: number;
  finished_at: number | null;
  failed_msg: string | null;
  manifest_key: string | null;
  /** Auto jobs: the daily slot (unique: one Auto job per cluster per slot) */
  slot_key: string | null;
  /** JSON totals of a finished backup */
  totals: string | null;
}

declare module '../../db/types.js' {
  interface Database {
    css_log_settings: CssLogSettingTable;
    css_log_records: CssLogRecordTable;
  }
}

/** Records per (cluster, status), kept by triggers: ListLogsJob's totals (migration 0150). */
export const CSS_RECORD_COUNTS: CountedTable = { scope: 'css_log_records', table: 'css_log_records', k1: 'cluster_id', k2: 'status' };
