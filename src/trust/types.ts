import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { Db } from '../db/index.js';
import type { Database } from '../db/types.js';
import type { Clock } from '../jobs/queue.js';
import type { ObjectStore } from '../storage/objectStore.js';
import type { ArtifactCatalog, SetInput } from './catalog.js';
import type { ProjectKeys } from './keys.js';
import type { ServiceName } from '../clusters/clusters.js';
import type { ArtifactManifest } from './manifest.js';

/** Which sets a verification covers. */
export interface SetFilter {
  projectId?: string;
  clusterId?: string;
  /** sets finished at or after (epoch ms) */
  since?: number;
}

/** A final artifact set as its service's database records describe it. */
export interface RecordedSet {
  service: ServiceName;
  setId: string;
  projectId: string;
  clusterId: string;
  jobId: string | null;
  finishedAt: number;
  /** the files the record names, with the content size and sha256 it recorded (when it records them) */
  files: { bucket: string; key: string; size?: number; sha256?: string }[];
}

/**
 * An engine's own check of one file, fed the file's content as it is read (verify streams every
 * file once). `end` resolves when the content passed, and rejects with the reason otherwise.
 */
export interface Checker {
  write(chunk: Buffer): void | Promise<void>;
  end(): Promise<void>;
  abort(): void;
}

export type RestoreOutcome = 'restored' | 'present' | { skipped: string };

/**
 * What the trust module needs of a service (src/services/<svc>/artifacts.ts): its final sets for
 * verification, the engine checks of its file formats, and how to recreate its records from a
 * manifest (catalogue rebuild).
 */
export interface ArtifactAdapter {
  service: ServiceName;
  /** the records need their cluster registered (a foreign key, or the SDK reaches them through it) */
  needsCluster: boolean;
  /** final sets (in id order) */
  sets(filter: SetFilter): AsyncIterable<RecordedSet>;
  /** the manifest input of a final set recorded before manifests existed (catalogue backfill); null when it is no longer final */
  describe(setId: string): Promise<SetInput | null>;
  /** engine checks by file format */
  checks?: Record<string, () => Checker>;
  /** recreate the records of one manifest inside `trx` (only `trx` may be used) */
  restore(trx: Kysely<Database>, m: ArtifactManifest): Promise<RestoreOutcome>;
  /** how many records the service holds (rebuild on start needs an empty catalogue) */
  count(): Promise<number>;
}

/** What verify and rebuild work with. */
export interface TrustEngineDeps {
  db: Db;
  /** the store without the encryption layer: the stored bytes */
  raw: ObjectStore;
  catalog: ArtifactCatalog;
  keys: ProjectKeys;
  adapters: ArtifactAdapter[];
  clock: Clock;
  log: FastifyBaseLogger;
}
