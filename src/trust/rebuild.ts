import { isUniqueViolation } from '../db/index.js';
import { summary } from './catalog.js';
import { CATALOG_BUCKET, ENCRYPTION_OBJECT_FORMAT, type EncryptionObject } from './keys.js';
import type { ArtifactManifest } from './manifest.js';
import type { TrustEngineDeps } from './types.js';

/**
 * Catalogue rebuild: recreate, from the manifests in the store, every record, task, snapshot and
 * run-log file the database lacks, with their original ids, so that a fresh logsnap pointed at
 * an existing bucket lists the same history.
 *
 * Rules (docs/storage.md, "Catalogue rebuild"):
 * - projects missing from the database are created with their id and name (no credentials:
 *   those come from the config file or the admin API);
 * - clusters come from the config file or the admin API: a set is attached to the registered
 *   cluster with its id (same project and service); sets of clusters that are not registered
 *   are reported as unattached and restored by a later rebuild once the cluster is registered.
 *   DWS snapshots need no cluster (they outlive it, as in DWS);
 * - of several manifests of one set (a DCS file collected again), the newest is used;
 * - a manifest whose files are not all in the store (size included) is not restored;
 * - records already present are left as they are: a rebuild is idempotent.
 */
export interface RebuildReport {
  manifests: number;
  restored: { service: string; set_id: string; project_id: string; cluster_id: string; manifest: string }[];
  present: number;
  /** sets not restored, with the reason */
  skipped: { manifest: string; service?: string; set_id?: string; reason: string }[];
  /** manifests that could not be read or parsed */
  unreadable: { manifest: string; error: string }[];
  /** clusters to register (config or admin API) so that their history can be attached */
  unattached: { project_id: string; cluster_id: string; cluster_name: string | null; service: string; sets: number }[];
  projects_created: string[];
  keys: { project_id: string; restored: number[]; wrapped_by_another_master_key: number[] }[];
}

export type RebuilderDeps = TrustEngineDeps;

export class Rebuilder {
  constructor(private readonly d: RebuilderDeps) {}

  get #k() {
    return this.d.db.kysely;
  }

  /** True when no service holds a record and the catalogue is empty (rebuild on start). */
  async catalogueEmpty(): Promise<boolean> {
    if (await this.#k.selectFrom('trust_artifact_sets').select('set_id').limit(1).executeTakeFirst()) return false;
    for (const a of this.d.adapters) if ((await a.count()) > 0) return false;
    return true;
  }

  /** True when the store holds at least one manifest. */
  async storeHasManifests(): Promise<boolean> {
    for await (const _ of this.d.raw.list(CATALOG_BUCKET, 'sets/')) return true;
    return false;
  }

  async rebuild(): Promise<RebuildReport> {
    const report: RebuildReport = { manifests: 0, restored: [], present: 0, skipped: [], unreadable: [], unattached: [], projects_created: [], keys: [] };
    // 1. manifests: the newest per set (only where they are is kept: memory does not grow with their size)
    const chosen = new Map<string, { key: string; writtenAt: number; service: string; setId: string }>();
    const names = new Map<string, string | null>();
    for await (const o of this.d.raw.list(CATALOG_BUCKET, 'sets/')) {
      report.manifests++;
      try {
        const { manifest: m } = await this.d.catalog.read(CATALOG_BUCKET, o.key);
        names.set(m.project.id, m.project.name);
        const id = `${m.service}\u0000${m.setId}`;
        const cur = chosen.get(id);
        const older = (c: { key: string; service: string; setId: string }) =>
          report.skipped.push({ manifest: `${CATALOG_BUCKET}/${c.key}`, service: c.service, set_id: c.setId, reason: 'a newer manifest of the same set exists' });
        if (!cur || m.writtenAt > cur.writtenAt) {
          if (cur) older(cur);
          chosen.set(id, { key: o.key, writtenAt: m.writtenAt, service: m.service, setId: m.setId });
        } else older({ key: o.key, service: m.service, setId: m.setId });
      } catch (e) {
        report.unreadable.push({ manifest: `${CATALOG_BUCKET}/${o.key}`, error: (e as Error).message });
      }
    }
    // 2. project keys and settings (encryption at rest)
    for await (const o of this.d.raw.list(CATALOG_BUCKET, 'projects/')) {
      if (!o.key.endsWith('/encryption.json')) continue;
      try {
        const got = await this.d.raw.get(CATALOG_BUCKET, o.key);
        const parts: Buffer[] = [];
        for await (const p of got.body) parts.push(p as Buffer);
        const enc = JSON.parse(Buffer.concat(parts).toString('utf8')) as EncryptionObject;
        if (enc.format !== ENCRYPTION_OBJECT_FORMAT || enc.formatVersion !== 1 || !/^[0-9a-f]{32}$/.test(enc.projectId)) throw new Error(`not a ${ENCRYPTION_OBJECT_FORMAT} version 1 object`);
        await this.#ensureProject(enc.projectId, names.get(enc.projectId) ?? null, report);
        const r = await this.d.keys.restore(enc);
        report.keys.push({ project_id: enc.projectId, restored: r.restored, wrapped_by_another_master_key: r.foreign });
      } catch (e) {
        report.unreadable.push({ manifest: `${CATALOG_BUCKET}/${o.key}`, error: (e as Error).message });
      }
    }
    // 3. restore each set
    const adapters = new Map(this.d.adapters.map((a) => [a.service, a]));
    const unattached = new Map<string, RebuildReport['unattached'][number]>();
    for (const { key } of chosen.values()) {
      const where = `${CATALOG_BUCKET}/${key}`;
      let m: ArtifactManifest;
      let size: number;
      let sha256: string;
      try {
        ({ manifest: m, size, sha256 } = await this.d.catalog.read(CATALOG_BUCKET, key));
      } catch (e) {
        report.unreadable.push({ manifest: where, error: (e as Error).message });
        continue;
      }
      const skip = (reason: string) => report.skipped.push({ manifest: where, service: m.service, set_id: m.setId, reason });
      const adapter = adapters.get(m.service);
      if (!adapter) {
        skip(`service ${m.service} is not served by this logsnap`);
        continue;
      }
      const missing: string[] = [];
      for (const f of m.files) {
        const info = await this.d.raw.head(f.bucket, f.key);
        if (!info) missing.push(`${f.bucket}/${f.key} (missing)`);
        else if (info.size !== f.stored.size) missing.push(`${f.bucket}/${f.key} (${info.size} bytes, ${f.stored.size} expected)`);
      }
      if (missing.length) {
        skip(`incomplete set, not restored: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''}`);
        continue;
      }
      await this.#ensureProject(m.project.id, m.project.name, report);
      if (adapter.needsCluster) {
        const c = await this.#k.selectFrom('clusters').select(['project_id', 'service']).where('id', '=', m.cluster.id).executeTakeFirst();
        if (!c) {
          const u = unattached.get(m.cluster.id) ?? { project_id: m.project.id, cluster_id: m.cluster.id, cluster_name: m.cluster.name, service: m.service, sets: 0 };
          u.sets++;
          unattached.set(m.cluster.id, u);
          continue;
        }
        if (c.project_id !== m.project.id || c.service !== m.service) {
          skip(`cluster ${m.cluster.id} is registered in project ${c.project_id} as a ${c.service} cluster; the set belongs to project ${m.project.id} (${m.service})`);
          continue;
        }
      }
      try {
        const outcome = await this.#k.transaction().execute(async (trx) => {
          const o = await adapter.restore(trx, m);
          if (o !== 'restored') return o;
          const s = summary(m);
          await trx.insertInto('trust_artifact_sets').values({
            service: m.service, set_id: m.setId, project_id: m.project.id, cluster_id: m.cluster.id, job_id: m.job?.id ?? null,
            manifest_bucket: CATALOG_BUCKET, manifest_key: key, manifest_size: size, manifest_sha256: sha256,
            files: s.files, bytes: s.bytes, encrypted: s.encrypted ? 1 : 0, key_version: s.keyVersion, finished_at: m.finishedAt, written_at: m.writtenAt,
            last_verified_at: null, last_status: null, last_problems: null, last_run_id: null,
          }).onConflict((oc) => oc.columns(['service', 'set_id']).doNothing()).execute();
          for (const f of m.files) {
            const e = f.encryption;
            if (!e) continue;
            await trx.insertInto('trust_data_keys').values({
              bucket: f.bucket, object_key: f.key, project_id: m.project.id, dek_id: e.dataKeyId, wrapped_dek: e.wrappedDataKey, key_version: e.projectKeyVersion,
              chunk_size: e.chunkSize, plain_size: f.size, plain_sha256: f.sha256, stored_size: f.stored.size, stored_sha256: f.stored.sha256,
              content_type: f.contentType, created_at: m.writtenAt,
            }).onConflict((oc) => oc.columns(['bucket', 'object_key']).doNothing()).execute();
          }
          if (m.job) {
            const j = m.job;
            await trx.insertInto('jobs').values({
              id: j.id, kind: j.kind, project_id: m.project.id, cluster_id: m.cluster.id, state: 'SUCCEEDED', payload: JSON.stringify(j.payload ?? {}),
              result: JSON.stringify({ restoredFrom: `${CATALOG_BUCKET}/${key}` }), error: null, progress: 100, attempts: j.attempts, max_attempts: j.attempts,
              active_key: null, unique_key: j.uniqueKey, lease_owner: null, lease_expires_at: null, heartbeat_at: null,
              run_at: j.createdAt, created_at: j.createdAt, started_at: j.startedAt, finished_at: j.finishedAt, updated_at: j.finishedAt,
              request_id: j.requestId, created_by: j.createdBy,
            }).onConflict((oc) => oc.column('id').doNothing()).execute();
          }
          return o;
        });
        if (outcome === 'restored') report.restored.push({ service: m.service, set_id: m.setId, project_id: m.project.id, cluster_id: m.cluster.id, manifest: where });
        else if (outcome === 'present') report.present++;
        else skip(outcome.skipped);
      } catch (e) {
        if (isUniqueViolation(e)) skip('a record with the same unique values exists');
        else skip(`restore failed: ${(e as Error).message}`);
      }
    }
    report.unattached = [...unattached.values()];
    this.d.log.info({ manifests: report.manifests, restored: report.restored.length, present: report.present, skipped: report.skipped.length, unreadable: report.unreadable.length, unattached: report.unattached.length }, 'catalogue rebuilt from the store');
    return report;
  }

  /**
   * The other direction, once after an upgrade: write the manifest of every final set recorded
   * before manifests existed (the database describes it), so that the store describes it too.
   */
  async backfill(): Promise<{ written: { service: string; set_id: string; manifest: string }[]; failed: { service: string; set_id: string; error: string }[] }> {
    const written: { service: string; set_id: string; manifest: string }[] = [];
    const failed: { service: string; set_id: string; error: string }[] = [];
    for (const a of this.d.adapters) {
      for await (const set of a.sets({})) {
        if (await this.d.catalog.current(set.service, set.setId)) continue;
        try {
          const input = await a.describe(set.setId);
          if (!input) continue;
          const w = await this.d.catalog.write(input);
          await this.#k.transaction().execute((trx) => this.d.catalog.record(trx, w));
          written.push({ service: set.service, set_id: set.setId, manifest: `${w.bucket}/${w.key}` });
        } catch (e) {
          failed.push({ service: set.service, set_id: set.setId, error: (e as Error).message });
        }
      }
    }
    if (written.length || failed.length) this.d.log.info({ written: written.length, failed: failed.length }, 'catalogue backfilled: manifests written for sets recorded before manifests existed');
    return { written, failed };
  }

  async #ensureProject(id: string, name: string | null, report: RebuildReport): Promise<void> {
    if (await this.#k.selectFrom('projects').select('id').where('id', '=', id).executeTakeFirst()) return;
    try {
      await this.#k.insertInto('projects').values({ id, name: name ?? `restored-${id.slice(0, 8)}`, created_at: this.d.clock.now() }).execute();
      report.projects_created.push(id);
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      // the name is taken by another project: keep the id, mark the name
      if (!(await this.#k.selectFrom('projects').select('id').where('id', '=', id).executeTakeFirst())) {
        await this.#k.insertInto('projects').values({ id, name: `${name ?? 'restored'}-${id.slice(0, 8)}`, created_at: this.d.clock.now() }).execute();
        report.projects_created.push(id);
      }
    }
  }
}
