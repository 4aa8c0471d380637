/** Tables of the trust module (migrations/0040_trust_catalog.ts). */

/** One row per artifact set whose manifest is in the store: where it is, and how its last verification went. */
export interface TrustArtifactSetTable {
  service: string;
  /** the record / task / snapshot / run-log file id */
  set_id: string;
  project_id: string;
  cluster_id: string;
  job_id: string | null;
  manifest_bucket: string;
  manifest_key: string;
  /** size and sha256 of the manifest object as written */
  manifest_size: number;
  manifest_sha256: string;
  files: number;
  /** content bytes of every file */
  bytes: number;
  /** 1 when every file is stored encrypted */
  encrypted: number;
  /** the oldest project key version a wrapped data key in the manifest refers to (null: nothing encrypted) */
  key_version: number | null;
  finished_at: number;
  written_at: number;
  last_verified_at: number | null;
  /** ok | problems */
  last_status: string | null;
  /** JSON array of problems found by the last verification */
  last_problems: string | null;
  last_run_id: string | null;
}

export interface TrustVerifyRunTable {
  id: string;
  /** schedule | admin | cli */
  trigger: string;
  /** JSON {projectId?, clusterId?, since?} */
  filter: string;
  /** RUNNING | DONE | FAILED */
  state: string;
  job_id: string | null;
  started_at: number;
  finished_at: number | null;
  sets: number;
  artifacts: number;
  ok: number;
  problems: number;
  /** JSON: counts by result and the problems (capped) */
  report: string | null;
  error: string | null;
}

/** Encryption at rest, per project. */
export interface TrustProjectTable {
  project_id: string;
  /** 1: new artifacts of this project are written encrypted */
  encrypt: number;
  updated_at: number;
}

export interface TrustProjectKeyTable {
  project_id: string;
  version: number;
  /** 32 hex, names the key in manifests and exports */
  key_id: string;
  /** the project key wrapped by the master key (SecretBox); null once the key is retired (destroyed) */
  wrapped_key: string | null;
  /** active | retiring | retired */
  state: string;
  created_at: number;
  retired_at: number | null;
  exported_at: number | null;
}

/** The data key of every encrypted object, wrapped by its project key. */
export interface TrustDataKeyTable {
  bucket: string;
  object_key: string;
  project_id: string;
  /** 32 hex, also in the object's header */
  dek_id: string;
  /** base64(iv | tag | ciphertext): AES-256-GCM under the project key version key_version */
  wrapped_dek: string;
  key_version: number;
  chunk_size: number;
  plain_size: number;
  plain_sha256: string;
  stored_size: number;
  stored_sha256: string;
  content_type: string | null;
  created_at: number;
}

declare module '../db/types.js' {
  interface Database {
    trust_artifact_sets: TrustArtifactSetTable;
    trust_verify_runs: TrustVerifyRunTable;
    trust_projects: TrustProjectTable;
    trust_project_keys: TrustProjectKeyTable;
    trust_data_keys: TrustDataKeyTable;
  }
}
