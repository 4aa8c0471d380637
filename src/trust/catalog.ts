import { Readable } from 'node:stream';
import type { Kysely, Selectable } from 'kysely';
import type { Db } from '../db/index.js';
import type { Database } from '../db/types.js';
import type { Clock } from '../jobs/queue.js';
import type { ServiceName } from '../clusters/clusters.js';
import type { ObjectStore } from '../storage/objectStore.js';
import type { DeleteObjects } from '../storage/cleanup.js';
import { sha256hex } from '../security/secrets.js';
import { AEAD_SCHEME } from './aead.js';
import { CATALOG_BUCKET, DEK_WRAP, type DataKeyRow, type ProjectKeys } from './keys.js';
import { MANIFEST_FORMAT, MANIFEST_VERSION, manifestKeyFor, parseManifest, type ArtifactManifest, type ManifestFile } from './manifest.js';
import type { TrustArtifactSetTable } from './tables.js';
import './tables.js';

export interface SetFileInput {
  bucket: string;
  key: string;
  role: string;
  format: string;
  contentType?: string | null;
  /** the content's size and sha256 (what the put returned) */
  size: number;
  sha256: string;
}

export interface SetInput {
  service: ServiceName;
  kind: string;
  setId: string;
  projectId: string;
  clusterId: string;
  jobId: string | null;
  status: string;
  createdAt: number;
  finishedAt: number;
  /** the final record row, column → value */
  record: Record<string, unknown>;
  files: SetFileInput[];
  /** engine and tool versions (etcd, pg_dump, redis …) */
  engine?: Record<string, string | null | undefined>;
}

/** A manifest written to the store; `record(trx, …)` enters it in the catalogue with the record's commit. */
export interface WrittenSet {
  service: ServiceName;
  setId: string;
  projectId: string;
  clusterId: string;
  jobId: string | null;
  bucket: string;
  key: string;
  size: number;
  sha256: string;
  files: number;
  bytes: number;
  encrypted: boolean;
  keyVersion: number | null;
  finishedAt: number;
  writtenAt: number;
}

export type SetRow = Selectable<TrustArtifactSetTable>;

export interface CatalogDeps {
  db: Db;
  /** the store without the encryption layer: manifests are never encrypted */
  raw: ObjectStore;
  keys: ProjectKeys;
  clock: Clock;
  /** logsnap's version, written into every manifest */
  version: string;
}

const MAX_MANIFEST_BYTES = 256 * 1024 * 1024;

/**
 * The catalogue of artifact sets: each service writes a set's manifest (`write`) once its files
 * are stored, and enters it (`record`) in the transaction that makes the record final; a set
 * that fails or is deleted loses its manifest first (`discard`), so a manifest never describes
 * a set that is not complete.
 */
export class ArtifactCatalog {
  readonly bucket = CATALOG_BUCKET;

  constructor(private readonly d: CatalogDeps) {}

  get #k() {
    return this.d.db.kysely;
  }

  /** Whether new artifacts of a project are written encrypted. */
  encrypts(projectId: string): Promise<boolean> {
    return this.d.keys.encrypts(projectId);
  }

  manifestKey(s: { service: string; projectId: string; clusterId: string; setId: string; jobId: string | null }): string {
    return manifestKeyFor(s);
  }

  /** Build the manifest of a final set (names, job, encryption of every file) and store it. */
  async write(input: SetInput): Promise<WrittenSet> {
    const manifest = await this.build(input);
    return this.#put(manifest, input.jobId);
  }

  async build(input: SetInput): Promise<ArtifactManifest> {
    const k = this.#k;
    const project = await k.selectFrom('projects').select('name').where('id', '=', input.projectId).executeTakeFirst();
    const cluster = await k.selectFrom('clusters').select(['name']).where('id', '=', input.clusterId).executeTakeFirst();
    const job = input.jobId ? await k.selectFrom('jobs').selectAll().where('id', '=', input.jobId).executeTakeFirst() : undefined;
    const files: ManifestFile[] = [];
    const byBucket = new Map<string, string[]>();
    for (const f of input.files) byBucket.set(f.bucket, [...(byBucket.get(f.bucket) ?? []), f.key]);
    const dataKeys = new Map<string, DataKeyRow>();
    for (const [bucket, keys] of byBucket) for (const [key, row] of await this.d.keys.dataKeyRows(bucket, keys)) dataKeys.set(`${bucket}\u0000${key}`, row);
    const keyIds = new Map<number, string>();
    for (const f of input.files) {
      const dk = dataKeys.get(`${f.bucket}\u0000${f.key}`);
      let encryption: ManifestFile['encryption'] = null;
      if (dk) {
        if (!keyIds.has(dk.key_version)) keyIds.set(dk.key_version, (await this.d.keys.keyVersion(dk.project_id, dk.key_version)).keyId);
        encryption = this.#encryption(dk, keyIds.get(dk.key_version)!);
      }
      files.push({
        bucket: f.bucket, key: f.key, role: f.role, format: f.format, contentType: f.contentType ?? null,
        size: f.size, sha256: f.sha256,
        stored: dk ? { size: dk.stored_size, sha256: dk.stored_sha256 } : { size: f.size, sha256: f.sha256 },
        encryption,
      });
    }
    const engine: Record<string, string> = {};
    for (const [name, v] of Object.entries(input.engine ?? {})) if (v) engine[name] = v;
    return {
      format: MANIFEST_FORMAT, formatVersion: MANIFEST_VERSION,
      service: input.service, kind: input.kind, setId: input.setId,
      project: { id: input.projectId, name: project?.name ?? null },
      cluster: { id: input.clusterId, name: cluster?.name ?? null, service: input.service },
      job: job
        ? {
            id: job.id, kind: job.kind, createdBy: job.created_by, requestId: job.request_id, uniqueKey: job.unique_key,
            payload: JSON.parse(job.payload), attempts: job.attempts, createdAt: job.created_at, startedAt: job.started_at, finishedAt: input.finishedAt,
          }
        : null,
      status: input.status, createdAt: input.createdAt, finishedAt: input.finishedAt, writtenAt: this.d.clock.now(),
      record: input.record, files,
      software: { logsnap: this.d.version, node: process.version, engine },
    };
  }

  #encryption(dk: DataKeyRow, keyId: string): NonNullable<ManifestFile['encryption']> {
    return {
      scheme: AEAD_SCHEME, cipher: 'AES-256-GCM', chunkSize: dk.chunk_size, dataKeyId: dk.dek_id, wrappedDataKey: dk.wrapped_dek, wrap: DEK_WRAP,
      projectKeyId: keyId, projectKeyVersion: dk.key_version,
    };
  }

  async #put(m: ArtifactManifest, jobId: string | null): Promise<WrittenSet> {
    const key = manifestKeyFor({ service: m.service, projectId: m.project.id, clusterId: m.cluster.id, setId: m.setId, jobId });
    const body = Buffer.from(JSON.stringify(m, null, 1));
    const put = await this.d.raw.put(CATALOG_BUCKET, key, Readable.from([body]), { contentType: 'application/json' });
    return { ...summary(m), jobId, bucket: CATALOG_BUCKET, key, size: put.size, sha256: put.sha256 };
  }

  /** Enter a written manifest in the catalogue, inside the transaction that makes the record final. */
  async record(trx: Kysely<Database>, w: WrittenSet): Promise<void> {
    const row = {
      project_id: w.projectId, cluster_id: w.clusterId, job_id: w.jobId, manifest_bucket: w.bucket, manifest_key: w.key,
      manifest_size: w.size, manifest_sha256: w.sha256, files: w.files, bytes: w.bytes, encrypted: w.encrypted ? 1 : 0,
      key_version: w.keyVersion, finished_at: w.finishedAt, written_at: w.writtenAt,
    };
    await trx.insertInto('trust_artifact_sets')
      .values({ service: w.service, set_id: w.setId, ...row, last_verified_at: null, last_status: null, last_problems: null, last_run_id: null })
      .onConflict((oc) => oc.columns(['service', 'set_id']).doUpdateSet({ ...row, last_verified_at: null, last_status: null, last_problems: null, last_run_id: null }))
      .execute();
  }

  /** The catalogue entry of a set (inside a transaction when given one). */
  current(service: string, setId: string, trx: Kysely<Database> = this.#k): Promise<SetRow | undefined> {
    return trx.selectFrom('trust_artifact_sets').selectAll().where('service', '=', service).where('set_id', '=', setId).executeTakeFirst();
  }

  /** Drop a set's catalogue entry (its manifest object is deleted by the caller, e.g. through a trash table). */
  async forget(service: string, setId: string, trx: Kysely<Database> = this.#k): Promise<void> {
    await trx.deleteFrom('trust_artifact_sets').where('service', '=', service).where('set_id', '=', setId).execute();
  }

  /**
   * A set failed or is deleted: its manifest goes first (before its files), then its entry.
   * Idempotent; `jobId` names the manifest of that job (a set written by several jobs: DCS).
   */
  async discard(s: { service: ServiceName; projectId: string; clusterId: string; setId: string; jobId: string | null }): Promise<void> {
    const key = manifestKeyFor(s);
    await this.d.raw.delete(CATALOG_BUCKET, key);
    await this.#k.deleteFrom('trust_artifact_sets').where('service', '=', s.service).where('set_id', '=', s.setId).where('manifest_key', '=', key).execute();
  }

  /**
   * The transactional form of `discard`, for failure and deletion steps: the set's entry goes in
   * `trx`; the returned group deletes its manifest — pass it to `deleteObjectsLater` BEFORE the
   * set's files, so the store never describes a set whose files are going.
   */
  async discardIn(trx: Kysely<Database>, s: { service: ServiceName; projectId: string; clusterId: string; setId: string; jobId: string | null }, reason: string): Promise<DeleteObjects> {
    const key = manifestKeyFor(s);
    await trx.deleteFrom('trust_artifact_sets').where('service', '=', s.service).where('set_id', '=', s.setId).where('manifest_key', '=', key).execute();
    return { bucket: CATALOG_BUCKET, keys: [key], reason: `${reason} (its manifest)`, jobId: s.jobId ?? undefined };
  }

  /** Read and parse a manifest (bounded: a manifest is metadata). */
  async read(bucket: string, key: string): Promise<{ manifest: ArtifactManifest; size: number; sha256: string }> {
    const got = await this.d.raw.get(bucket, key);
    const parts: Buffer[] = [];
    let n = 0;
    for await (const p of got.body) {
      n += (p as Buffer).length;
      if (n > MAX_MANIFEST_BYTES) {
        got.body.destroy();
        throw new Error(`manifest ${bucket}/${key} is larger than ${MAX_MANIFEST_BYTES} bytes`);
      }
      parts.push(p as Buffer);
    }
    const buf = Buffer.concat(parts);
    return { manifest: parseManifest(buf.toString('utf8')), size: buf.length, sha256: sha256hex(buf) };
  }

  /**
   * Rewrite the manifests whose wrapped data keys refer to an older project key than the one
   * the database now holds for them (after a rotation). Returns how many were rewritten.
   */
  async refreshManifests(projectId?: string): Promise<number> {
    let n = 0;
    const active = await this.#k.selectFrom('trust_project_keys').select(['project_id', 'version']).where('state', '=', 'active')
      .$if(!!projectId, (qb) => qb.where('project_id', '=', projectId!)).execute();
    for (const a of active) {
      let after = '';
      for (;;) {
        // paged by set id: a manifest that cannot be brought up to date is passed over, not retried in a loop
        const stale = await this.#k.selectFrom('trust_artifact_sets').selectAll()
          .where('project_id', '=', a.project_id).where('key_version', '<', a.version).where('set_id', '>', after)
          .orderBy('set_id').limit(100).execute();
        for (const s of stale) if (await this.#refresh(s)) n++;
        if (stale.length < 100) break;
        after = stale[stale.length - 1].set_id;
      }
    }
    return n;
  }

  async #refresh(s: SetRow): Promise<boolean> {
    let m: ArtifactManifest;
    try {
      m = (await this.read(s.manifest_bucket, s.manifest_key)).manifest;
    } catch {
      // unreadable or gone: verify reports it; do not keep retrying it on every tick
      await this.#k.updateTable('trust_artifact_sets').set({ key_version: null }).where('service', '=', s.service).where('set_id', '=', s.set_id).execute();
      return false;
    }
    const keyIds = new Map<number, string>();
    for (const f of m.files) {
      if (!f.encryption) continue;
      const dk = await this.d.keys.dataKeyRow(f.bucket, f.key);
      if (!dk || dk.dek_id !== f.encryption.dataKeyId) continue;
      if (!keyIds.has(dk.key_version)) keyIds.set(dk.key_version, (await this.d.keys.keyVersion(dk.project_id, dk.key_version)).keyId);
      f.encryption = this.#encryption(dk, keyIds.get(dk.key_version)!);
    }
    const w = await this.#put(m, s.job_id);
    const r = await this.#k.updateTable('trust_artifact_sets')
      .set({ manifest_size: w.size, manifest_sha256: w.sha256, key_version: w.keyVersion })
      .where('service', '=', s.service).where('set_id', '=', s.set_id).where('manifest_key', '=', s.manifest_key).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }
}

/** Totals of a manifest, as the catalogue table keeps them. */
export function summary(m: ArtifactManifest) {
  const enc = m.files.filter((f) => f.encryption);
  return {
    service: m.service, setId: m.setId, projectId: m.project.id, clusterId: m.cluster.id,
    files: m.files.length, bytes: m.files.reduce((s, f) => s + f.size, 0),
    encrypted: m.files.length > 0 && enc.length === m.files.length,
    keyVersion: enc.length ? Math.min(...enc.map((f) => f.encryption!.projectKeyVersion)) : null,
    finishedAt: m.finishedAt, writtenAt: m.writtenAt,
  };
}
