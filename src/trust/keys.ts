import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Selectable } from 'kysely';
import type { Db } from '../db/index.js';
import type { Clock } from '../jobs/queue.js';
import type { SecretBox } from '../security/secrets.js';
import type { ObjectStore } from '../storage/objectStore.js';
import type { TrustDataKeyTable, TrustProjectKeyTable } from './tables.js';
import './tables.js';

/**
 * The key hierarchy of encryption at rest:
 *
 *   master key (security.masterKey) ──wraps──▶ project key (one active version per project)
 *   project key ──wraps──▶ data key (one per stored object) ──encrypts──▶ the object (aead.ts)
 *
 * Project keys live in the database wrapped by the master key, and in the store
 * (`logsnap-catalog/projects/<project>/encryption.json`, the same wrapping) so that a lost
 * database can be rebuilt. Data keys live in the database (trust_data_keys) and in each set's
 * manifest, wrapped by the project key. Rotating a project key re-wraps data keys only; the
 * artifacts are not rewritten. An exported project key (`logsnap key export`) decrypts a
 * project's artifacts offline, without the master key or the database.
 */
export const CATALOG_BUCKET = 'logsnap-catalog';
export const DEK_WRAP = 'AES-256-GCM';
export const EXPORT_FORMAT = 'logsnap.project-key';
export const ENCRYPTION_OBJECT_FORMAT = 'logsnap.project-encryption';

export type ProjectKeyRow = Selectable<TrustProjectKeyTable>;
export type DataKeyRow = Selectable<TrustDataKeyTable>;

/** A key (project or data key) cannot be used: the message says why and what to do. */
export class KeyUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyUnavailableError';
  }
}

const dekAad = (projectId: string, dataKeyId: string) => Buffer.from(`logsnap.dek/1:${projectId}:${dataKeyId}`);

/** AES-256-GCM of a data key under a project key; base64(iv | tag | ciphertext). */
export function wrapDataKey(projectKey: Buffer, projectId: string, dataKeyId: string, dek: Buffer): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', projectKey, iv);
  c.setAAD(dekAad(projectId, dataKeyId));
  const ct = Buffer.concat([c.update(dek), c.final()]);
  return Buffer.concat([iv, c.getAuthTag(), ct]).toString('base64');
}

/** Throws KeyUnavailableError when the project key is not the one that wrapped this data key. */
export function unwrapDataKey(projectKey: Buffer, projectId: string, dataKeyId: string, wrapped: string): Buffer {
  const raw = Buffer.from(wrapped, 'base64');
  try {
    const d = createDecipheriv('aes-256-gcm', projectKey, raw.subarray(0, 12));
    d.setAAD(dekAad(projectId, dataKeyId));
    d.setAuthTag(raw.subarray(12, 28));
    const dek = Buffer.concat([d.update(raw.subarray(28)), d.final()]);
    if (dek.length !== 32) throw new Error('bad length');
    return dek;
  } catch {
    throw new KeyUnavailableError(`the project key does not unwrap data key ${dataKeyId} of project ${projectId}: wrong key (another project's, or a different key with the same version)`);
  }
}

export interface ExportedProjectKey {
  format: typeof EXPORT_FORMAT;
  formatVersion: 1;
  projectId: string;
  version: number;
  keyId: string;
  /** base64 of the 32-byte project key */
  key: string;
  exportedAt: string;
}

export function parseExportedKey(text: string): ExportedProjectKey & { keyBytes: Buffer } {
  let o: ExportedProjectKey;
  try {
    o = JSON.parse(text.trim()) as ExportedProjectKey;
  } catch {
    throw new KeyUnavailableError('the key file is not an exported logsnap project key (not JSON); export one with `logsnap key export --project <id>`');
  }
  if (o?.format !== EXPORT_FORMAT || o.formatVersion !== 1) throw new KeyUnavailableError(`the key file is not an exported logsnap project key (format ${JSON.stringify(o?.format)}, expected ${EXPORT_FORMAT} version 1)`);
  const keyBytes = Buffer.from(String(o.key), 'base64');
  if (keyBytes.length !== 32 || !/^[0-9a-f]{32}$/.test(String(o.projectId)) || !Number.isInteger(o.version) || !/^[0-9a-f]{32}$/.test(String(o.keyId))) {
    throw new KeyUnavailableError('the exported project key is damaged (project id, version, key id or a 32-byte key missing)');
  }
  return { ...o, keyBytes };
}

/** What the store keeps per project (never a plain key): whether new artifacts are encrypted, and the wrapped keys. */
export interface EncryptionObject {
  format: typeof ENCRYPTION_OBJECT_FORMAT;
  formatVersion: 1;
  projectId: string;
  enabled: boolean;
  updatedAt: number;
  keys: { version: number; keyId: string; state: string; createdAt: number; wrappedKey: string; masterKeyCheck: string }[];
}

export const encryptionObjectKey = (projectId: string) => `projects/${projectId}/encryption.json`;

export interface ProjectKeysDeps {
  db: Db;
  box: SecretBox;
  clock: Clock;
  /** the store without the encryption layer (catalogue objects are never encrypted) */
  raw: ObjectStore;
}

export interface EncryptionStatus {
  project_id: string;
  enabled: boolean;
  key: { key_id: string; version: number; created_at: number; exported_at: number | null } | null;
  retiring: number[];
  data_keys: number;
}

export class ProjectKeys {
  /** unwrapped project keys by `<project>:<version>` (versions never change; retired ones are dropped) */
  #cache = new Map<string, Buffer>();

  constructor(private readonly d: ProjectKeysDeps) {}

  get #k() {
    return this.d.db.kysely;
  }

  /** Whether new artifacts of this project are written encrypted. */
  async encrypts(projectId: string): Promise<boolean> {
    const r = await this.#k.selectFrom('trust_projects').select('encrypt').where('project_id', '=', projectId).executeTakeFirst();
    return r?.encrypt === 1;
  }

  async status(projectId: string): Promise<EncryptionStatus> {
    const enabled = await this.encrypts(projectId);
    const keys = await this.#k.selectFrom('trust_project_keys').selectAll().where('project_id', '=', projectId).orderBy('version').execute();
    const active = keys.find((k) => k.state === 'active');
    const n = await this.#k.selectFrom('trust_data_keys').select((eb) => eb.fn.countAll<number | string>().as('n')).where('project_id', '=', projectId).executeTakeFirstOrThrow();
    return {
      project_id: projectId,
      enabled,
      key: active ? { key_id: active.key_id, version: active.version, created_at: active.created_at, exported_at: active.exported_at } : null,
      retiring: keys.filter((k) => k.state === 'retiring').map((k) => k.version),
      data_keys: Number(n.n),
    };
  }

  /** Turn encryption of new artifacts on (creating the project key) or off (keys stay: old artifacts remain readable). */
  async setEncryption(projectId: string, enabled: boolean): Promise<EncryptionStatus> {
    const now = this.d.clock.now();
    if (enabled) await this.#ensureActiveKey(projectId);
    await this.#k.insertInto('trust_projects').values({ project_id: projectId, encrypt: enabled ? 1 : 0, updated_at: now })
      .onConflict((oc) => oc.column('project_id').doUpdateSet({ encrypt: enabled ? 1 : 0, updated_at: now })).execute();
    await this.publish(projectId);
    return this.status(projectId);
  }

  async #ensureActiveKey(projectId: string): Promise<ProjectKeyRow> {
    const existing = await this.#active(projectId);
    if (existing) return existing;
    // A database that lost its rows may face a store that still holds the project's keys: take
    // them back rather than create a new key (which would also overwrite the store's copy).
    const stored = await this.stored(projectId);
    if (stored?.keys.length) {
      const r = await this.restore(stored);
      const back = await this.#active(projectId);
      if (back) return back;
      if (r.foreign.length) {
        throw new KeyUnavailableError(
          `the store holds project ${projectId}'s key (version ${r.foreign.join(', ')}) wrapped by another master key; import the exported project key with \`logsnap key import --project ${projectId} --key-file FILE\` rather than creating a new one`,
        );
      }
    }
    const last = await this.#k.selectFrom('trust_project_keys').select((eb) => eb.fn.max('version').as('v')).where('project_id', '=', projectId).executeTakeFirst();
    const version = Number(last?.v ?? 0) + 1;
    try {
      await this.#k.insertInto('trust_project_keys').values({
        project_id: projectId, version, key_id: randomBytes(16).toString('hex'), wrapped_key: this.d.box.encrypt(randomBytes(32).toString('base64')),
        state: 'active', created_at: this.d.clock.now(), retired_at: null, exported_at: null,
      }).execute();
    } catch (e) {
      // another process created it at the same moment
      const raced = await this.#active(projectId);
      if (raced) return raced;
      throw e;
    }
    return (await this.#active(projectId))!;
  }

  #active(projectId: string, trx = this.#k): Promise<ProjectKeyRow | undefined> {
    return trx.selectFrom('trust_project_keys').selectAll().where('project_id', '=', projectId).where('state', '=', 'active').executeTakeFirst();
  }

  #unwrapProjectKey(row: ProjectKeyRow): Buffer {
    const id = `${row.project_id}:${row.version}`;
    const hit = this.#cache.get(id);
    if (hit) return hit;
    if (!row.wrapped_key) {
      throw new KeyUnavailableError(`project key version ${row.version} of project ${row.project_id} was rotated away${row.retired_at ? ` at ${new Date(row.retired_at).toISOString()}` : ''}; it no longer decrypts anything`);
    }
    let key: Buffer;
    try {
      key = Buffer.from(this.d.box.decrypt(row.wrapped_key), 'base64');
    } catch {
      throw new KeyUnavailableError(
        `project key version ${row.version} of project ${row.project_id} is wrapped by another master key; import the exported project key with \`logsnap key import --project ${row.project_id} --key-file FILE\``,
      );
    }
    this.#cache.set(id, key);
    return key;
  }

  /** The active project key (for new data keys). */
  async activeKey(projectId: string): Promise<{ version: number; keyId: string; key: Buffer }> {
    const row = await this.#active(projectId);
    if (!row) throw new KeyUnavailableError(`project ${projectId} has no active project key; enable encryption (admin API or trust.encryptedProjects) or import its key`);
    return { version: row.version, keyId: row.key_id, key: this.#unwrapProjectKey(row) };
  }

  async keyVersion(projectId: string, version: number): Promise<{ keyId: string; key: Buffer }> {
    const row = await this.#k.selectFrom('trust_project_keys').selectAll().where('project_id', '=', projectId).where('version', '=', version).executeTakeFirst();
    if (!row) {
      throw new KeyUnavailableError(`project key version ${version} of project ${projectId} is not in this catalogue; run \`logsnap catalog rebuild\` (the store keeps it) or \`logsnap key import\` with the exported key`);
    }
    return { keyId: row.key_id, key: this.#unwrapProjectKey(row) };
  }

  /**
   * Remember an object's data key, wrapped by the project key that is active *now* (inside a
   * transaction that holds the active key row: a rotation waits for it, so no data key is ever
   * wrapped by a key that is being retired without the rotation seeing it).
   */
  async recordDataKey(o: {
    bucket: string; key: string; projectId: string; dek: Buffer; dekId: string; chunkSize: number;
    plainSize: number; plainSha256: string; storedSize: number; storedSha256: string; contentType?: string;
  }): Promise<void> {
    await this.#k.transaction().execute(async (trx) => {
      const active = await trx.selectFrom('trust_project_keys').selectAll()
        .where('project_id', '=', o.projectId).where('state', '=', 'active')
        .$if(this.d.db.dialect === 'postgres', (qb) => qb.forShare())
        .executeTakeFirst();
      if (!active) throw new KeyUnavailableError(`project ${o.projectId} lost its active project key while ${o.bucket}/${o.key} was written`);
      const row = {
        project_id: o.projectId, dek_id: o.dekId, wrapped_dek: wrapDataKey(this.#unwrapProjectKey(active), o.projectId, o.dekId, o.dek),
        key_version: active.version, chunk_size: o.chunkSize, plain_size: o.plainSize, plain_sha256: o.plainSha256,
        stored_size: o.storedSize, stored_sha256: o.storedSha256, content_type: o.contentType ?? null, created_at: this.d.clock.now(),
      };
      await trx.insertInto('trust_data_keys').values({ bucket: o.bucket, object_key: o.key, ...row })
        .onConflict((oc) => oc.columns(['bucket', 'object_key']).doUpdateSet(row)).execute();
    });
  }

  dataKeyRow(bucket: string, key: string): Promise<DataKeyRow | undefined> {
    return this.#k.selectFrom('trust_data_keys').selectAll().where('bucket', '=', bucket).where('object_key', '=', key).executeTakeFirst();
  }

  async dataKeyRows(bucket: string, keys: string[]): Promise<Map<string, DataKeyRow>> {
    const out = new Map<string, DataKeyRow>();
    for (let i = 0; i < keys.length; i += 500) {
      const rows = await this.#k.selectFrom('trust_data_keys').selectAll().where('bucket', '=', bucket).where('object_key', 'in', keys.slice(i, i + 500)).execute();
      for (const r of rows) out.set(r.object_key, r);
    }
    return out;
  }

  /** The plain data key of an object (unwrapped with the project key version that wrapped it). */
  async dataKey(row: Pick<DataKeyRow, 'project_id' | 'key_version' | 'dek_id' | 'wrapped_dek'>): Promise<Buffer> {
    const pk = await this.keyVersion(row.project_id, row.key_version);
    return unwrapDataKey(pk.key, row.project_id, row.dek_id, row.wrapped_dek);
  }

  async forgetDataKey(bucket: string, key: string): Promise<void> {
    await this.#k.deleteFrom('trust_data_keys').where('bucket', '=', bucket).where('object_key', '=', key).execute();
  }

  /** The project key for offline use: shown once to the caller, never stored or logged in plain. */
  async export(projectId: string): Promise<ExportedProjectKey> {
    const a = await this.activeKey(projectId);
    const now = this.d.clock.now();
    await this.#k.updateTable('trust_project_keys').set({ exported_at: now }).where('project_id', '=', projectId).where('version', '=', a.version).execute();
    return { format: EXPORT_FORMAT, formatVersion: 1, projectId, version: a.version, keyId: a.keyId, key: a.key.toString('base64'), exportedAt: new Date(now).toISOString() };
  }

  /**
   * Put an exported project key back (the master key was lost: the database's and the store's
   * copies are wrapped by the old one). The key is wrapped by the current master key.
   */
  async import(projectId: string, text: string): Promise<EncryptionStatus> {
    const e = parseExportedKey(text);
    if (e.projectId !== projectId) throw new KeyUnavailableError(`the key file is project ${e.projectId}'s key, not project ${projectId}'s`);
    const wrapped = this.d.box.encrypt(e.keyBytes.toString('base64'));
    const now = this.d.clock.now();
    const existing = await this.#k.selectFrom('trust_project_keys').selectAll().where('project_id', '=', projectId).where('version', '=', e.version).executeTakeFirst();
    if (existing && existing.key_id !== e.keyId) throw new KeyUnavailableError(`project ${projectId} already has a different key version ${e.version} (key id ${existing.key_id}, the file holds ${e.keyId})`);
    if (existing?.state === 'retired') throw new KeyUnavailableError(`project key version ${e.version} of project ${projectId} was rotated away; export and import the current key`);
    const newer = await this.#k.selectFrom('trust_project_keys').select('version').where('project_id', '=', projectId).where('version', '>', e.version).executeTakeFirst();
    if (newer) throw new KeyUnavailableError(`project ${projectId} has a newer key (version ${newer.version}); the file holds version ${e.version}, which was rotated away`);
    this.#cache.delete(`${projectId}:${e.version}`);
    if (existing) await this.#k.updateTable('trust_project_keys').set({ wrapped_key: wrapped, state: 'active' }).where('project_id', '=', projectId).where('version', '=', e.version).execute();
    else {
      await this.#k.insertInto('trust_project_keys').values({
        project_id: projectId, version: e.version, key_id: e.keyId, wrapped_key: wrapped, state: 'active', created_at: now, retired_at: null, exported_at: now,
      }).execute();
    }
    await this.publish(projectId);
    return this.status(projectId);
  }

  /**
   * Rotate: a new project key becomes active, every data key of the project is re-wrapped by it
   * (the artifacts are not touched), manifests are rewritten (`refreshManifests`), then the old
   * key is destroyed. Resumable: a rotation interrupted half-way is finished by the next call.
   */
  async rotate(projectId: string, refreshManifests: () => Promise<number>): Promise<{ version: number; key_id: string; rewrapped: number; manifests: number; retired: number[] }> {
    const now = this.d.clock.now();
    let retiring = await this.#k.selectFrom('trust_project_keys').selectAll().where('project_id', '=', projectId).where('state', '=', 'retiring').execute();
    if (retiring.length === 0) {
      const cur = await this.#active(projectId);
      if (!cur) throw new KeyUnavailableError(`project ${projectId} has no project key to rotate; enable encryption first`);
      this.#unwrapProjectKey(cur); // fails clearly before anything changes when the master key does not fit
      await this.#k.transaction().execute(async (trx) => {
        const r = await trx.updateTable('trust_project_keys').set({ state: 'retiring' })
          .where('project_id', '=', projectId).where('version', '=', cur.version).where('state', '=', 'active').executeTakeFirst();
        if (Number(r.numUpdatedRows) !== 1) throw new KeyUnavailableError(`project ${projectId}: another rotation is running`);
        await trx.insertInto('trust_project_keys').values({
          project_id: projectId, version: cur.version + 1, key_id: randomBytes(16).toString('hex'), wrapped_key: this.d.box.encrypt(randomBytes(32).toString('base64')),
          state: 'active', created_at: now, retired_at: null, exported_at: null,
        }).execute();
      });
      retiring = [{ ...cur, state: 'retiring' }];
    }
    await this.publish(projectId);
    const next = (await this.#active(projectId))!;
    const newKey = this.#unwrapProjectKey(next);
    // every key a data key may still be wrapped by, unwrapped up front (no query inside the transaction below)
    const older = await this.#k.selectFrom('trust_project_keys').selectAll().where('project_id', '=', projectId).where('version', '<>', next.version).execute();
    const oldKeys = new Map<number, Buffer>();
    for (const r of older) if (r.wrapped_key) oldKeys.set(r.version, this.#unwrapProjectKey(r));
    let rewrapped = 0;
    const rewrap = async (trx = this.#k) => {
      for (;;) {
        const rows = await trx.selectFrom('trust_data_keys').selectAll().where('project_id', '=', projectId).where('key_version', '<>', next.version).limit(500).execute();
        for (const r of rows) {
          const old = oldKeys.get(r.key_version);
          if (!old) throw new KeyUnavailableError(`data key of ${r.bucket}/${r.object_key} is wrapped by project key version ${r.key_version}, which is no longer available`);
          const dek = unwrapDataKey(old, projectId, r.dek_id, r.wrapped_dek);
          const res = await trx.updateTable('trust_data_keys').set({ wrapped_dek: wrapDataKey(newKey, projectId, r.dek_id, dek), key_version: next.version })
            .where('bucket', '=', r.bucket).where('object_key', '=', r.object_key).where('key_version', '=', r.key_version).executeTakeFirst();
          rewrapped += Number(res.numUpdatedRows);
        }
        if (rows.length < 500) return;
      }
    };
    await rewrap();
    const manifests = await refreshManifests();
    // destroy the old keys; data keys recorded meanwhile are re-wrapped in the same transaction
    const retired: number[] = [];
    await this.#k.transaction().execute(async (trx) => {
      await rewrap(trx);
      for (const old of retiring) {
        await trx.updateTable('trust_project_keys').set({ state: 'retired', wrapped_key: null, retired_at: this.d.clock.now() })
          .where('project_id', '=', projectId).where('version', '=', old.version).execute();
        retired.push(old.version);
      }
    });
    for (const v of retired) this.#cache.delete(`${projectId}:${v}`);
    await this.publish(projectId);
    return { version: next.version, key_id: next.key_id, rewrapped, manifests, retired };
  }

  /** Write the project's encryption object into the store (what a rebuild needs of the keys). */
  async publish(projectId: string): Promise<void> {
    const p = await this.#k.selectFrom('trust_projects').selectAll().where('project_id', '=', projectId).executeTakeFirst();
    const keys = await this.#k.selectFrom('trust_project_keys').selectAll().where('project_id', '=', projectId).where('state', '<>', 'retired').orderBy('version').execute();
    // keys the store holds under another master key and the database does not know (a master key was
    // lost and the project key not yet imported) are kept: with that master key found again, they still work
    const known = new Set((await this.#k.selectFrom('trust_project_keys').select('version').where('project_id', '=', projectId).execute()).map((k) => k.version));
    const foreign = ((await this.stored(projectId).catch(() => null))?.keys ?? []).filter((k) => k.masterKeyCheck !== this.d.box.keyCheck() && !known.has(k.version));
    const body: EncryptionObject = {
      format: ENCRYPTION_OBJECT_FORMAT, formatVersion: 1, projectId, enabled: p?.encrypt === 1, updatedAt: this.d.clock.now(),
      keys: [
        ...foreign,
        ...keys.filter((k) => k.wrapped_key).map((k) => ({ version: k.version, keyId: k.key_id, state: k.state, createdAt: k.created_at, wrappedKey: k.wrapped_key!, masterKeyCheck: this.d.box.keyCheck() })),
      ],
    };
    await this.d.raw.put(CATALOG_BUCKET, encryptionObjectKey(projectId), Readable.from([Buffer.from(JSON.stringify(body, null, 1))]), { contentType: 'application/json' });
  }

  /** The project's encryption object in the store, if there is one. */
  async stored(projectId: string): Promise<EncryptionObject | null> {
    let got;
    try {
      got = await this.d.raw.get(CATALOG_BUCKET, encryptionObjectKey(projectId));
    } catch (e) {
      if ((e as { code?: string }).code === 'ENOOBJECT') return null;
      throw e;
    }
    const o = JSON.parse(Buffer.concat(await got.body.toArray()).toString('utf8')) as EncryptionObject;
    if (o.format !== ENCRYPTION_OBJECT_FORMAT || o.formatVersion !== 1 || o.projectId !== projectId || !Array.isArray(o.keys)) {
      throw new Error(`${CATALOG_BUCKET}/${encryptionObjectKey(projectId)} is not a ${ENCRYPTION_OBJECT_FORMAT} version 1 object of project ${projectId}`);
    }
    return o;
  }

  /**
   * Rebuild: take a project's keys and setting from its encryption object. Keys wrapped by
   * another master key are reported, not restored (import the exported key instead).
   */
  async restore(o: EncryptionObject): Promise<{ restored: number[]; foreign: number[] }> {
    const restored: number[] = [];
    const foreign: number[] = [];
    const now = this.d.clock.now();
    await this.#k.insertInto('trust_projects').values({ project_id: o.projectId, encrypt: o.enabled ? 1 : 0, updated_at: now })
      .onConflict((oc) => oc.column('project_id').doNothing()).execute();
    for (const k of o.keys) {
      if (k.masterKeyCheck !== this.d.box.keyCheck()) {
        foreign.push(k.version);
        continue;
      }
      const r = await this.#k.insertInto('trust_project_keys').values({
        project_id: o.projectId, version: k.version, key_id: k.keyId, wrapped_key: k.wrappedKey, state: k.state,
        created_at: k.createdAt, retired_at: null, exported_at: null,
      }).onConflict((oc) => oc.columns(['project_id', 'version']).doNothing()).executeTakeFirst();
      if (Number(r.numInsertedOrUpdatedRows ?? 0) > 0) restored.push(k.version);
    }
    return { restored, foreign };
  }
}
