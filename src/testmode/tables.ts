/** Tables of the test levers (migration 0030). */
export interface TestStateTable {
  id: string;
  clock_offset_ms: number;
  faults_version: number;
  updated_at: number;
}

export interface TestFaultTable {
  id: string;
  service: string;
  operation: string | null;
  job_kind: string | null;
  project_id: string | null;
  cluster_id: string | null;
  object: string | null;
  effect: string;
  count: number;
  fired: number;
  released_at: number | null;
  created_at: number;
}

declare module '../db/types.js' {
  interface Database {
    test_state: TestStateTable;
    test_faults: TestFaultTable;
  }
}
