import type { ServiceName } from '../clusters/clusters.js';
import { AEAD_SCHEME } from './aead.js';
import { DEK_WRAP } from './keys.js';

/**
 * The artifact-set manifest (`logsnap.artifact-set`, format version 1; docs/storage.md): one JSON
 * object per artifact set in `logsnap-catalog/sets/<service>/<project>/<cluster>/<set>/<job>.json`,
 * written once every file of the set is stored and before the record turns final. With it the
 * store alone describes every backup: a catalogue rebuild recreates the records from manifests,
 * verify checks every file against it.
 */
export const MANIFEST_FORMAT = 'logsnap.artifact-set';
export const MANIFEST_VERSION = 1;

export interface ManifestEncryption {
  scheme: typeof AEAD_SCHEME;
  cipher: 'AES-256-GCM';
  chunkSize: number;
  dataKeyId: string;
  /** the data key wrapped by the project key (never the key itself) */
  wrappedDataKey: string;
  wrap: typeof DEK_WRAP;
  projectKeyId: string;
  projectKeyVersion: number;
}

export interface ManifestFile {
  bucket: string;
  key: string;
  /** what the file is in its set: `log`, `index`, `snapshot`, `dump`, `run-log` … */
  role: string;
  /** how to check it: `gzip`, `json`, `text`, `etcd-snapshot`, `pg_dump-custom` … (engine checks by format) */
  format: string;
  contentType: string | null;
  /** the content (what a download yields and the record describes) */
  size: number;
  sha256: string;
  /** the bytes in the store (differ from the content when encrypted) */
  stored: { size: number; sha256: string };
  encryption: ManifestEncryption | null;
}

export interface ManifestJob {
  id: string;
  kind: string;
  createdBy: string | null;
  requestId: string | null;
  uniqueKey: string | null;
  payload: unknown;
  attempts: number;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number;
}

export interface ArtifactManifest {
  format: typeof MANIFEST_FORMAT;
  formatVersion: typeof MANIFEST_VERSION;
  service: ServiceName;
  /** css.log-backup | dcs.run-log | cce.master-snapshot | dws.snapshot */
  kind: string;
  setId: string;
  project: { id: string; name: string | null };
  cluster: { id: string; name: string | null; service: ServiceName };
  job: ManifestJob | null;
  /** the record's final status (SUCCESS, succeed, Success, AVAILABLE) */
  status: string;
  createdAt: number;
  finishedAt: number;
  writtenAt: number;
  /** the record as the database holds it once final: every column, as JSON values */
  record: Record<string, unknown>;
  files: ManifestFile[];
  software: { logsnap: string; node: string; engine: Record<string, string> };
}

const seg = (s: string) => encodeURIComponent(s);

export function manifestKeyFor(m: { service: string; projectId: string; clusterId: string; setId: string; jobId: string | null }): string {
  return `sets/${seg(m.service)}/${seg(m.projectId)}/${seg(m.clusterId)}/${seg(m.setId)}/${seg(m.jobId ?? 'none')}.json`;
}

export class ManifestError extends Error {}

/** (kept here rather than imported from clusters.ts: `logsnap decrypt` loads this module offline, without the database drivers) */
const SERVICE_NAMES: readonly ServiceName[] = ['css', 'dcs', 'cce', 'dws'];

const isStr = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const isSha = (v: unknown): v is string => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v);

/** Parse and check a manifest; ManifestError says what is wrong (rebuild reports it, verify flags the manifest). */
export function parseManifest(text: string): ArtifactManifest {
  let m: ArtifactManifest;
  try {
    m = JSON.parse(text) as ArtifactManifest;
  } catch (e) {
    throw new ManifestError(`not JSON (${(e as Error).message})`);
  }
  if (!m || typeof m !== 'object') throw new ManifestError('not a JSON object');
  if (m.format !== MANIFEST_FORMAT) throw new ManifestError(`format is ${JSON.stringify(m.format)}, expected ${MANIFEST_FORMAT}`);
  if (m.formatVersion !== MANIFEST_VERSION) throw new ManifestError(`format version ${JSON.stringify(m.formatVersion)} is not supported by this logsnap (it reads version ${MANIFEST_VERSION})`);
  const problems: string[] = [];
  if (!SERVICE_NAMES.includes(m.service)) problems.push(`service ${JSON.stringify(m.service)}`);
  if (!isStr(m.kind)) problems.push('kind');
  if (!isStr(m.setId)) problems.push('setId');
  if (!isStr(m.project?.id)) problems.push('project.id');
  if (!isStr(m.cluster?.id) || m.cluster?.service !== m.service) problems.push('cluster');
  if (!isStr(m.status)) problems.push('status');
  if (!isNum(m.createdAt) || !isNum(m.finishedAt) || !isNum(m.writtenAt)) problems.push('times');
  if (!m.record || typeof m.record !== 'object') problems.push('record');
  if (!Array.isArray(m.files)) problems.push('files');
  else {
    m.files.forEach((f, i) => {
      if (!isStr(f?.bucket) || !isStr(f.key) || !isStr(f.format) || !isNum(f.size) || !isSha(f.sha256) || !isNum(f.stored?.size) || !isSha(f.stored?.sha256)) {
        problems.push(`files[${i}]`);
        return;
      }
      const e = f.encryption;
      if (e !== null && (e?.scheme !== AEAD_SCHEME || !isNum(e.chunkSize) || !/^[0-9a-f]{32}$/.test(e.dataKeyId) || !isStr(e.wrappedDataKey) || !Number.isInteger(e.projectKeyVersion))) {
        problems.push(`files[${i}].encryption`);
      }
    });
  }
  if (m.job !== null && (!isStr(m.job?.id) || !isStr(m.job.kind))) problems.push('job');
  if (problems.length) throw new ManifestError(`invalid fields: ${problems.join(', ')}`);
  return m;
}
