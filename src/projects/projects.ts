import type { Db } from '../db/index.js';
import { isUniqueViolation } from '../db/index.js';
import { hex32, newAccessKey, newSecretKey, newToken } from '../security/ids.js';
import { sha256hex, type SecretBox } from '../security/secrets.js';
import type { Clock } from '../jobs/queue.js';
import { VersionedCache } from '../db/cacheVersions.js';

/** The cache version bumped (by triggers, migration 0050) on any change to these tables. */
export const AUTH_CACHE_VERSION = 'auth';
export const AUTH_TABLES = ['credentials', 'tokens'];

export interface ProjectsOptions {
  /**
   * How long this process may use a cached credential or token lookup before checking the
   * database's auth version again (ms). Bounds how long a key deleted through another process
   * keeps working here. 0: no cache (every request reads the database).
   */
  authCacheMs?: number;
}

type SecretLookup = { secretKey: string; projectId: string } | null;
type TokenLookup = { projectId: string; expiresAt: number | null } | null;

export interface Project {
  id: string;
  name: string;
  created_at: number;
}

export class ProjectExistsError extends Error {}

/** Projects, their AK/SK credentials and their X-Auth-Token tokens. SKs are stored encrypted. */
export class Projects {
  readonly #secrets: VersionedCache<SecretLookup>;
  readonly #tokens: VersionedCache<TokenLookup>;

  constructor(private readonly db: Db, private readonly box: SecretBox, private readonly clock: Clock, opts: ProjectsOptions = {}) {
    const checkMs = opts.authCacheMs ?? 1000;
    this.#secrets = new VersionedCache(db, AUTH_CACHE_VERSION, { checkMs, clock });
    this.#tokens = new VersionedCache(db, AUTH_CACHE_VERSION, { checkMs, clock });
  }

  /** Drop cached lookups now (after a change made through this process; others see it within authCacheMs). */
  #changed(): void {
    this.#secrets.invalidate();
    this.#tokens.invalidate();
  }

  async create(input: { id?: string; name: string }): Promise<Project> {
    const p = { id: input.id ?? hex32(), name: input.name, created_at: this.clock.now() };
    try {
      await this.db.kysely.insertInto('projects').values(p).execute();
    } catch (e) {
      if (isUniqueViolation(e)) throw new ProjectExistsError(`a project with id ${p.id} or name ${p.name} already exists`);
      throw e;
    }
    return p;
  }

  /**
   * Create the project unless one with that id (or name) exists; returns it either way.
   * Safe when several processes start at once with the same config file.
   */
  async ensure(input: { id?: string; name: string }): Promise<Project> {
    const find = () =>
      this.db.kysely
        .selectFrom('projects').selectAll()
        .where((eb) => (input.id ? eb('id', '=', input.id) : eb('name', '=', input.name)))
        .executeTakeFirst();
    const existing = await find();
    if (existing) return existing;
    try {
      return await this.create(input);
    } catch (e) {
      const raced = e instanceof ProjectExistsError ? await find() : undefined;
      if (raced) return raced;
      throw e;
    }
  }

  get(id: string): Promise<Project | undefined> {
    return this.db.kysely.selectFrom('projects').selectAll().where('id', '=', id).executeTakeFirst();
  }

  list(): Promise<Project[]> {
    return this.db.kysely.selectFrom('projects').selectAll().orderBy('created_at').execute();
  }

  async delete(id: string): Promise<boolean> {
    const k = this.db.kysely;
    try {
      return await k.transaction().execute(async (trx) => {
        await trx.deleteFrom('credentials').where('project_id', '=', id).execute();
        await trx.deleteFrom('tokens').where('project_id', '=', id).execute();
        await trx.deleteFrom('clusters').where('project_id', '=', id).execute();
        const r = await trx.deleteFrom('projects').where('id', '=', id).executeTakeFirst();
        return Number(r.numDeletedRows) > 0;
      });
    } finally {
      this.#changed();
    }
  }

  /** Add an AK/SK pair (generated unless given). The SK is returned once and stored encrypted. */
  async addCredential(projectId: string, input: { ak?: string; sk?: string; description?: string } = {}): Promise<{ ak: string; sk: string }> {
    const ak = input.ak ?? newAccessKey();
    const sk = input.sk ?? newSecretKey();
    await this.db.kysely
      .insertInto('credentials')
      .values({ ak, project_id: projectId, sk_enc: this.box.encrypt(sk), description: input.description ?? null, created_at: this.clock.now() })
      .execute();
    this.#changed();
    return { ak, sk };
  }

  /** Insert the credential when its AK is new; when it exists for this project, keep it (idempotent seeding). */
  async ensureCredential(projectId: string, ak: string, sk: string, description?: string): Promise<void> {
    await this.db.kysely
      .insertInto('credentials')
      .values({ ak, project_id: projectId, sk_enc: this.box.encrypt(sk), description: description ?? null, created_at: this.clock.now() })
      .onConflict((oc) => oc.column('ak').doNothing())
      .execute();
    const row = (await this.db.kysely.selectFrom('credentials').select(['project_id', 'sk_enc']).where('ak', '=', ak).executeTakeFirst())!;
    if (row.project_id !== projectId) throw new Error(`access key ${ak} already belongs to another project`);
    if (this.box.decrypt(row.sk_enc) !== sk) {
      await this.db.kysely.updateTable('credentials').set({ sk_enc: this.box.encrypt(sk) }).where('ak', '=', ak).execute();
    }
    this.#changed();
  }

  listCredentials(projectId: string): Promise<{ ak: string; description: string | null; created_at: number }[]> {
    return this.db.kysely.selectFrom('credentials').select(['ak', 'description', 'created_at']).where('project_id', '=', projectId).orderBy('created_at').execute();
  }

  async deleteCredential(projectId: string, ak: string): Promise<boolean> {
    const r = await this.db.kysely.deleteFrom('credentials').where('ak', '=', ak).where('project_id', '=', projectId).executeTakeFirst();
    this.#changed();
    return Number(r.numDeletedRows) > 0;
  }

  /**
   * SK and project for an AK (used by the signature verifier). Cached per process, unknown AKs
   * included, until the auth version moves (see ProjectsOptions.authCacheMs).
   */
  async secretFor(ak: string): Promise<{ secretKey: string; projectId: string } | null> {
    return this.#secrets.get(ak, async () => {
      const row = await this.db.kysely.selectFrom('credentials').select(['sk_enc', 'project_id']).where('ak', '=', ak).executeTakeFirst();
      return row ? { secretKey: this.box.decrypt(row.sk_enc), projectId: row.project_id } : null;
    });
  }

  /** Issue an X-Auth-Token for a project. Only its hash is stored. */
  async issueToken(projectId: string, input: { ttlSeconds?: number; description?: string } = {}): Promise<{ token: string; expires_at: number | null }> {
    const token = newToken('lst');
    const now = this.clock.now();
    const expires_at = input.ttlSeconds ? now + input.ttlSeconds * 1000 : null;
    await this.db.kysely
      .insertInto('tokens')
      .values({ token_hash: sha256hex(token), project_id: projectId, description: input.description ?? null, created_at: now, expires_at })
      .execute();
    this.#changed();
    return { token, expires_at };
  }

  /** A project's tokens, named by the first 12 hex of their hash (what job origins record). */
  async listTokens(projectId: string): Promise<{ id: string; description: string | null; created_at: number; expires_at: number | null }[]> {
    const rows = await this.db.kysely.selectFrom('tokens').select(['token_hash', 'description', 'created_at', 'expires_at'])
      .where('project_id', '=', projectId).orderBy('created_at', 'desc').limit(1000).execute();
    return rows.map((r) => ({ id: r.token_hash.slice(0, 12), description: r.description, created_at: Number(r.created_at), expires_at: r.expires_at === null ? null : Number(r.expires_at) }));
  }

  /** Revoke the project's token(s) whose hash starts with `id` (12 hex). */
  async revokeToken(projectId: string, id: string): Promise<boolean> {
    if (!/^[0-9a-f]{12}$/.test(id)) return false;
    const r = await this.db.kysely.deleteFrom('tokens').where('project_id', '=', projectId).where('token_hash', 'like', `${id}%`).executeTakeFirst();
    this.#changed();
    return Number(r.numDeletedRows) > 0;
  }

  /** Forget every cached lookup now: the whole state was replaced underneath (test mode's reset and import). */
  invalidateAuthCache(): void {
    this.#changed();
  }

  /** The project of an X-Auth-Token (cached like secretFor; expiry is checked against the clock on every call). */
  async projectForToken(token: string): Promise<{ projectId: string } | 'expired' | null> {
    const hash = sha256hex(token);
    const row = await this.#tokens.get(hash, async () => {
      const r = await this.db.kysely.selectFrom('tokens').select(['project_id', 'expires_at']).where('token_hash', '=', hash).executeTakeFirst();
      return r ? { projectId: r.project_id, expiresAt: r.expires_at } : null;
    });
    if (!row) return null;
    if (row.expiresAt !== null && row.expiresAt <= this.clock.now()) return 'expired';
    return { projectId: row.projectId };
  }
}
