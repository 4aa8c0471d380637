import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { Selectable } from 'kysely';
import type { Db } from '../db/index.js';
import { isUniqueViolation } from '../db/index.js';
import type { ClusterTable } from '../db/types.js';
import { countRows, type CountedTable } from '../db/rowCounts.js';
import { prepared } from '../db/prepared.js';
import { uuid } from '../security/ids.js';
import type { SecretBox } from '../security/secrets.js';
import type { Clock } from '../jobs/queue.js';

declare module '../db/types.js' {
  interface ClusterTable {
    /**
     * A plain-text facet of the encrypted engine that lists filter on (EngineSpec.variant: the CSS
     * datastore type, the CCE flavour); '' when the service has none; null on rows written before
     * migration 0050 or by code that bypassed register() (derived again on demand).
     */
    variant: string | null;
  }
}

type ClusterRow = Selectable<ClusterTable>;

/** Cluster totals per (project, service) and variant, kept by triggers (migration 0050). */
export const CLUSTER_COUNTS: CountedTable = { scope: 'clusters', table: 'clusters', k1: ['project_id', 'service'], k2: 'variant' };

export type ServiceName = 'css' | 'dcs' | 'cce' | 'dws';

const clusterOf = prepared((k, p: { id: string; projectId: string; service: string }) =>
  k.selectFrom('clusters').selectAll().where('id', '=', p.id).where('project_id', '=', p.projectId).where('service', '=', p.service));
export const SERVICE_NAMES: ServiceName[] = ['css', 'dcs', 'cce', 'dws'];

export interface Cluster<E = unknown> {
  id: string;
  project_id: string;
  service: ServiceName;
  name: string;
  status: string;
  engine: E;
  created_at: number;
  updated_at: number;
}

export interface ClusterInput {
  id?: string;
  projectId: string;
  service: ServiceName;
  name: string;
  status?: string;
  engine: unknown;
}

export class ClusterValidationError extends Error {}
export class ClusterExistsError extends Error {}

/** One thing a connection test reached (a node, an endpoint, a database). Never holds a secret. */
export interface ProbeCheck {
  target: string;
  ok: boolean;
  message: string;
  details: string[];
}

/** How each service validates and describes its clusters' engine connection. */
export interface EngineSpec {
  schema: TSchema;
  defaultStatus: string;
  /** the engine with secrets masked, for listings */
  redact(engine: unknown): unknown;
  /** reach the engine for real (list log folders, PING, etcd status, `select 1`), within `timeoutMs` per target */
  probe?(engine: unknown, opts: { timeoutMs: number }): Promise<ProbeCheck[]>;
  /** a plain-text facet of the engine lists can filter on without decrypting (stored in clusters.variant) */
  variant?(engine: unknown): string;
}

/** Registered clusters of every service. Engine connections are stored encrypted. */
export class Clusters {
  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
    private readonly clock: Clock,
    private readonly engines: Partial<Record<ServiceName, EngineSpec>>,
  ) {}

  validate(service: string, engine: unknown, where = 'engine'): void {
    const spec = this.engines[service as ServiceName];
    if (!spec) throw new ClusterValidationError(`service: must be one of ${Object.keys(this.engines).join(', ')} (got ${JSON.stringify(service)})`);
    const errors = [...Value.Errors(spec.schema, engine)].slice(0, 5);
    if (errors.length) {
      throw new ClusterValidationError(
        errors.map((e) => `${where}${e.path.replace(/\//g, '.')}: ${e.message}`).join('; '),
      );
    }
  }

  async register(input: ClusterInput): Promise<Cluster> {
    this.validate(input.service, input.engine);
    const now = this.clock.now();
    const row = {
      id: input.id ?? uuid(),
      project_id: input.projectId,
      service: input.service,
      name: input.name,
      status: input.status ?? this.engines[input.service]!.defaultStatus,
      engine_enc: this.box.encrypt(JSON.stringify(input.engine)),
      variant: this.#variant(input.service, input.engine),
      created_at: now,
      updated_at: now,
    };
    try {
      await this.db.kysely.insertInto('clusters').values(row).execute();
    } catch (e) {
      if (isUniqueViolation(e)) throw new ClusterExistsError(`a cluster with id ${row.id} already exists`);
      throw e;
    }
    return this.#decode(row);
  }

  /** Create or update (same id, same project) — how the config file declares clusters. */
  async ensure(input: ClusterInput & { id: string }): Promise<Cluster> {
    this.validate(input.service, input.engine);
    let existing = await this.db.kysely.selectFrom('clusters').selectAll().where('id', '=', input.id).executeTakeFirst();
    if (!existing) {
      try {
        return await this.register(input);
      } catch (e) {
        if (!(e instanceof ClusterExistsError)) throw e;
        existing = (await this.db.kysely.selectFrom('clusters').selectAll().where('id', '=', input.id).executeTakeFirst())!;
      }
    }
    if (existing.project_id !== input.projectId || existing.service !== input.service) {
      throw new ClusterValidationError(`cluster ${input.id} already exists in another project or service`);
    }
    const now = this.clock.now();
    await this.db.kysely
      .updateTable('clusters')
      .set({
        name: input.name, engine_enc: this.box.encrypt(JSON.stringify(input.engine)), variant: this.#variant(input.service, input.engine), updated_at: now,
        ...(input.status ? { status: input.status } : {}),
      })
      .where('id', '=', input.id)
      .execute();
    return (await this.getAny(input.id))!;
  }

  #variant(service: string, engine: unknown): string {
    return this.engines[service as ServiceName]?.variant?.(engine) ?? '';
  }

  /**
   * A row as a Cluster whose `engine` is decrypted on first use: a route that only checks the
   * cluster exists (most of them) never pays for AES-GCM and JSON.parse.
   */
  #decode(row: ClusterRow): Cluster {
    const { engine_enc, variant: _variant, ...rest } = row;
    const box = this.box;
    let engine: unknown;
    let decoded = false;
    const c = { ...rest, service: rest.service as ServiceName } as Cluster;
    Object.defineProperty(c, 'engine', {
      enumerable: true,
      configurable: true,
      get() {
        if (!decoded) {
          engine = JSON.parse(box.decrypt(engine_enc));
          decoded = true;
        }
        return engine;
      },
      set(v: unknown) {
        engine = v;
        decoded = true;
      },
    });
    return c;
  }

  /** A cluster of this project and service; another project's cluster is indistinguishable from none. */
  async get<E = unknown>(projectId: string, service: ServiceName, id: string): Promise<Cluster<E> | undefined> {
    // every service route starts here: a prepared query, and the engine is decrypted only if used
    const [row] = await clusterOf(this.db, { id, projectId, service });
    return row ? (this.#decode(row) as Cluster<E>) : undefined;
  }

  /** By id alone — for jobs, which already carry a checked cluster id. */
  async getAny<E = unknown>(id: string): Promise<Cluster<E> | undefined> {
    const row = await this.db.kysely.selectFrom('clusters').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? (this.#decode(row) as Cluster<E>) : undefined;
  }

  /**
   * One page of a project's clusters of a service, newest first, with the exact total: an index
   * range and a counter lookup (migration 0050), whatever the number of clusters. `variant` filters
   * on EngineSpec.variant (e.g. a CSS datastore type) without decrypting anything.
   */
  async page<E = unknown>(projectId: string, service: ServiceName, q: { offset: number; limit: number; variant?: string }): Promise<{ total: number; rows: Cluster<E>[] }> {
    if (q.variant !== undefined) await this.#deriveVariants(projectId, service);
    const total = await countRows(this.db, CLUSTER_COUNTS.scope, `${projectId}/${service}`, q.variant);
    if (total === 0 || q.offset >= total) return { total, rows: [] };
    const rows = await this.db.kysely
      .selectFrom('clusters').selectAll()
      .where('project_id', '=', projectId).where('service', '=', service)
      .$if(q.variant !== undefined, (qb) => qb.where('variant', '=', q.variant!))
      .orderBy('created_at', 'desc').orderBy('id')
      .limit(q.limit).offset(q.offset)
      .execute();
    return { total, rows: rows.map((r) => this.#decode(r) as Cluster<E>) };
  }

  /** Rows without a variant (written before migration 0050, or not through register()) get theirs. */
  async #deriveVariants(projectId: string, service: ServiceName): Promise<void> {
    if (!this.engines[service]?.variant) return;
    for (;;) {
      const rows = await this.db.kysely.selectFrom('clusters').select(['id', 'engine_enc'])
        .where('project_id', '=', projectId).where('service', '=', service).where('variant', 'is', null)
        .limit(200).execute();
      for (const r of rows) {
        const variant = this.#variant(service, JSON.parse(this.box.decrypt(r.engine_enc)));
        await this.db.kysely.updateTable('clusters').set({ variant }).where('id', '=', r.id).where('variant', 'is', null).execute();
      }
      if (rows.length < 200) return;
    }
  }

  async list<E = unknown>(projectId: string, service?: ServiceName): Promise<Cluster<E>[]> {
    const rows = await this.db.kysely
      .selectFrom('clusters').selectAll()
      .where('project_id', '=', projectId)
      .$if(!!service, (qb) => qb.where('service', '=', service!))
      .orderBy('created_at', 'desc').orderBy('id')
      .execute();
    return rows.map((r) => this.#decode(r) as Cluster<E>);
  }

  /** All clusters of a service across projects (schedulers). */
  async listByService<E = unknown>(service: ServiceName): Promise<Cluster<E>[]> {
    const rows = await this.db.kysely.selectFrom('clusters').selectAll().where('service', '=', service).execute();
    return rows.map((r) => this.#decode(r) as Cluster<E>);
  }

  /**
   * Change a cluster's name, status or engine (validated like a new one). Secrets come back masked
   * from listings: an engine sent back with a masked value keeps the stored secret (see unredact).
   */
  async update(projectId: string, id: string, input: { name?: string; status?: string; engine?: unknown }): Promise<Cluster | undefined> {
    const current = await this.getAny(id);
    if (!current || current.project_id !== projectId) return undefined;
    const engine = input.engine === undefined ? current.engine : this.unredact(current, input.engine);
    this.validate(current.service, engine);
    await this.db.kysely.updateTable('clusters')
      .set({
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.status !== undefined ? { status: input.status } : {}),
        ...(input.engine !== undefined ? { engine_enc: this.box.encrypt(JSON.stringify(engine)), variant: this.#variant(current.service, engine) } : {}),
        updated_at: this.clock.now(),
      })
      .where('id', '=', id).where('project_id', '=', projectId)
      .execute();
    return this.getAny(id);
  }

  /**
   * An engine edited from a masked listing, with the stored secrets put back: a value equal to
   * the masked value at the same place is the stored value; a URL whose password is the mask gets
   * the stored URL's password. Array items are matched by position.
   */
  unredact(current: Cluster, submitted: unknown): unknown {
    const masked = this.redact(current).engine;
    const walk = (sub: unknown, red: unknown, stored: unknown): unknown => {
      if (typeof sub === 'string') {
        if (typeof stored === 'string' && sub === red && red !== stored) return stored;
        return typeof stored === 'string' ? withStoredPassword(sub, stored) : sub;
      }
      if (Array.isArray(sub)) return sub.map((v, i) => walk(v, Array.isArray(red) ? red[i] : undefined, Array.isArray(stored) ? stored[i] : undefined));
      if (sub && typeof sub === 'object') {
        const r = (red && typeof red === 'object' ? red : {}) as Record<string, unknown>;
        const st = (stored && typeof stored === 'object' ? stored : {}) as Record<string, unknown>;
        return Object.fromEntries(Object.entries(sub as Record<string, unknown>).map(([k, v]) => [k, walk(v, r[k], st[k])]));
      }
      return sub;
    };
    return walk(submitted, masked, current.engine);
  }

  async setStatus(id: string, status: string): Promise<void> {
    await this.db.kysely.updateTable('clusters').set({ status, updated_at: this.clock.now() }).where('id', '=', id).execute();
  }

  async delete(projectId: string, id: string): Promise<boolean> {
    const r = await this.db.kysely.deleteFrom('clusters').where('id', '=', id).where('project_id', '=', projectId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  redact(cluster: Cluster): Cluster {
    return { ...cluster, engine: this.engines[cluster.service]?.redact(cluster.engine) ?? cluster.engine };
  }
}

export const MASK = '***';

/** `scheme://user:***@host…` with the password of `stored` (same scheme), else `sub` unchanged. */
function withStoredPassword(sub: string, stored: string): string {
  try {
    const u = new URL(sub);
    const s = new URL(stored);
    if (u.password !== MASK || !s.password || u.protocol !== s.protocol) return sub;
    u.password = s.password;
    return u.toString();
  } catch {
    return sub;
  }
}
