/**
 * The database schema as Kysely sees it. Platform tables are declared here; each
 * service declares its own tables next to its code by augmenting this interface:
 *
 *   declare module '../../db/types.js' { interface Database { css_log_records: CssLogRecordTable } }
 *
 * Conventions (portable across SQLite and PostgreSQL): ids are text, times are epoch
 * milliseconds in bigint columns, booleans are integers 0/1, JSON is text.
 */
export interface Database {
  meta: MetaTable;
  projects: ProjectTable;
  credentials: CredentialTable;
  tokens: TokenTable;
  clusters: ClusterTable;
  jobs: JobTable;
}

export interface MetaTable {
  key: string;
  value: string;
}

export interface ProjectTable {
  id: string;
  name: string;
  created_at: number;
}

export interface CredentialTable {
  ak: string;
  project_id: string;
  /** SK encrypted with the master key (see security/secrets.ts) */
  sk_enc: string;
  description: string | null;
  created_at: number;
}

export interface TokenTable {
  /** sha256 hex of the token; the token itself is never stored */
  token_hash: string;
  project_id: string;
  description: string | null;
  created_at: number;
  expires_at: number | null;
}

export interface ClusterTable {
  id: string;
  project_id: string;
  service: string;
  name: string;
  status: string;
  /** engine connection JSON, encrypted with the master key (it may hold passwords) */
  engine_enc: string;
  created_at: number;
  updated_at: number;
}

export interface JobTable {
  id: string;
  kind: string;
  project_id: string | null;
  cluster_id: string | null;
  state: string;
  payload: string;
  result: string | null;
  error: string | null;
  progress: number;
  attempts: number;
  max_attempts: number;
  /** set while QUEUED/RUNNING; unique: at most one active job per key (e.g. one backup per cluster) */
  active_key: string | null;
  /** never cleared; unique: a periodic slot is enqueued once */
  unique_key: string | null;
  lease_owner: string | null;
  lease_expires_at: number | null;
  heartbeat_at: number | null;
  run_at: number;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  updated_at: number;
  /** X-Request-Id of the API call that enqueued it (null for scheduled and internal jobs) */
  request_id: string | null;
  /** `ak:<AK>`, `token:<hash prefix>`, `admin`, `scheduler:<schedule>` or `system` */
  created_by: string | null;
}
