import { readFileSync } from 'node:fs';
import type { FastifyBaseLogger } from 'fastify';
import { Gauge, type Registry } from 'prom-client';
import type { Config } from '../config/load.js';
import { ConfigError } from '../config/section.js';
import type { Db } from '../db/index.js';
import { JobConflictError, type Clock, type JobQueue } from '../jobs/queue.js';
import type { JobKind } from '../jobs/runner.js';
import type { Schedule } from '../jobs/scheduler.js';
import type { SecretBox } from '../security/secrets.js';
import type { ObjectStore } from '../storage/objectStore.js';
import { ArtifactCatalog } from './catalog.js';
import { encryptedProjectList } from './config.js';
import { EncryptingStore } from './encryptingStore.js';
import { KeyUnavailableError, ProjectKeys } from './keys.js';
import { Rebuilder, type RebuildReport } from './rebuild.js';
import { RESULTS, Verifier } from './verify.js';
import type { ArtifactAdapter, SetFilter } from './types.js';
import type { Selectable } from 'kysely';
import type { TrustVerifyRunTable } from './tables.js';
import './tables.js';
import * as m0040 from './migrations/0040_trust_catalog.js';

export const TRUST_MIGRATIONS = { '0040_trust_catalog': m0040 };
export const VERIFY_JOB_KIND = 'trust.verify';
/** one verification at a time, whoever starts it */
export const VERIFY_ACTIVE_KEY = 'trust-verify';
const HOUR = 3_600_000;

export interface VerifyPayload {
  trigger: 'schedule' | 'admin';
  filter: SetFilter;
}

/** logsnap's version, from its package.json (src/trust/ and dist/trust/ are both two levels down). */
export function logsnapVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export interface TrustOptions {
  config: Config;
  db: Db;
  box: SecretBox;
  clock: Clock;
  log: FastifyBaseLogger;
  queue: JobQueue;
  /** the configured store (fs or S3) */
  raw: ObjectStore;
  linkKey: Buffer;
  publicUrl: () => string;
}

/**
 * The trust module wired from runtime deps: the encrypting store every service writes through,
 * the catalogue of manifests, verification (job, schedule, metrics), catalogue rebuild.
 */
export class Trust {
  readonly keys: ProjectKeys;
  readonly store: EncryptingStore;
  readonly catalog: ArtifactCatalog;
  readonly verifier: Verifier;
  readonly rebuilder: Rebuilder;
  #adapters: ArtifactAdapter[] = [];

  constructor(private readonly o: TrustOptions) {
    this.keys = new ProjectKeys({ db: o.db, box: o.box, clock: o.clock, raw: o.raw });
    this.store = new EncryptingStore(o.raw, this.keys, { key: o.linkKey, baseUrl: o.publicUrl });
    this.catalog = new ArtifactCatalog({ db: o.db, raw: o.raw, keys: this.keys, clock: o.clock, version: logsnapVersion() });
    const adapters = this.#adapters;
    this.verifier = new Verifier({ db: o.db, raw: o.raw, catalog: this.catalog, keys: this.keys, adapters, clock: o.clock, log: o.log });
    this.rebuilder = new Rebuilder({ db: o.db, raw: o.raw, catalog: this.catalog, keys: this.keys, adapters, clock: o.clock, log: o.log });
  }

  /** The services' adapters (known once the services are created from deps that include the catalogue). */
  useAdapters(adapters: ArtifactAdapter[]): void {
    this.#adapters.splice(0, this.#adapters.length, ...adapters);
  }

  /** `trust.encryptedProjects`: turn encryption on for the named projects (idempotent, every start). */
  async applyConfig(): Promise<void> {
    const wanted = encryptedProjectList(this.o.config.trust.encryptedProjects);
    const problems: string[] = [];
    for (const ref of wanted) {
      const p = await this.o.db.kysely.selectFrom('projects').select('id').where((eb) => eb.or([eb('id', '=', ref), eb('name', '=', ref)])).executeTakeFirst();
      if (!p) {
        problems.push(`trust.encryptedProjects: no project ${JSON.stringify(ref)} (use a project id or name declared under projects: or created with the admin API)`);
        continue;
      }
      if (!(await this.keys.encrypts(p.id))) {
        try {
          await this.keys.setEncryption(p.id, true);
          this.o.log.info({ project_id: p.id }, 'encryption at rest turned on (trust.encryptedProjects)');
        } catch (e) {
          // the store holds the project's key under another master key: it waits for `logsnap key import`
          if (!(e instanceof KeyUnavailableError)) throw e;
          this.o.log.warn({ project_id: p.id }, `encryption at rest stays off until the project key is imported: ${e.message}`);
        }
      }
    }
    if (problems.length) throw new ConfigError(problems);
  }

  /** Rebuild on start: only into an empty catalogue, only from a store that has manifests. */
  async rebuildOnStart(): Promise<RebuildReport | null> {
    if (!this.o.config.trust.rebuildOnStart) return null;
    if (!(await this.rebuilder.catalogueEmpty()) || !(await this.rebuilder.storeHasManifests())) return null;
    return this.rebuilder.rebuild();
  }

  jobKind(): JobKind<VerifyPayload> {
    return {
      kind: VERIFY_JOB_KIND,
      // re-reading from the start is safe
      retryable: true,
      maxAttempts: 2,
      run: async (ctx) => {
        const r = await this.verifier.run({ id: ctx.job.id, jobId: ctx.job.id, trigger: ctx.payload.trigger, filter: ctx.payload.filter, signal: ctx.signal, progress: ctx.progress });
        return { run_id: r.run_id, sets: r.sets, artifacts: r.artifacts, ok: r.ok, problems: r.problems.length, counts: r.counts };
      },
    };
  }

  /** Enqueue a verification (admin API); JobConflictError while one runs. */
  async enqueueVerify(filter: SetFilter, trigger: VerifyPayload['trigger'], uniqueKey?: string) {
    return this.o.queue.enqueue({ kind: VERIFY_JOB_KIND, payload: { trigger, filter } satisfies VerifyPayload, activeKey: VERIFY_ACTIVE_KEY, uniqueKey, maxAttempts: 2 });
  }

  /**
   * Scheduled verification: slots every `verifyEveryHours` from this deployment's first worker
   * start (kept in the database); the slot's unique key makes it one run per slot across
   * processes. Also brings manifests up to date after a key rotation (cheap when none is stale).
   */
  schedule(): Schedule {
    return {
      name: 'trust-verify',
      tick: async (now) => {
        await this.catalog.refreshManifests();
        const hours = this.o.config.trust.verifyEveryHours;
        if (hours === 0) return;
        const k = this.o.db.kysely;
        await k.insertInto('meta').values({ key: 'trust_verify_anchor', value: String(now) }).onConflict((oc) => oc.column('key').doNothing()).execute();
        const anchor = Number((await k.selectFrom('meta').select('value').where('key', '=', 'trust_verify_anchor').executeTakeFirstOrThrow()).value);
        const n = Math.floor((now - anchor) / (hours * HOUR));
        if (n < 1) return;
        const slot = anchor + n * hours * HOUR;
        try {
          const job = await this.enqueueVerify({}, 'schedule', `trust-verify:${slot}`);
          if (job) this.o.log.info({ job_id: job.id, slot: new Date(slot).toISOString() }, 'scheduled verification started');
        } catch (e) {
          // a verification is running (admin-started): the slot is tried again next tick
          if (!(e instanceof JobConflictError)) throw e;
        }
      },
    };
  }

  /** Rotate a project key; the manifests of the project are rewritten with the re-wrapped data keys. */
  rotate(projectId: string) {
    return this.keys.rotate(projectId, () => this.catalog.refreshManifests(projectId));
  }

  run(id: string) {
    return this.o.db.kysely.selectFrom('trust_verify_runs').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async verifyState<V>(view: (r: Selectable<TrustVerifyRunTable>) => V) {
    const k = this.o.db.kysely;
    const last = await k.selectFrom('trust_verify_runs').selectAll().where('state', '=', 'DONE').orderBy('finished_at', 'desc').limit(1).executeTakeFirst();
    const running = await k.selectFrom('trust_verify_runs').selectAll().where('state', '=', 'RUNNING').orderBy('started_at', 'desc').limit(1).executeTakeFirst();
    const rows = await k.selectFrom('trust_artifact_sets').select(['last_status', (eb) => eb.fn.countAll<number | string>().as('n'), (eb) => eb.fn.min('last_verified_at').as('oldest')]).groupBy('last_status').execute();
    const sets = { total: 0, ok: 0, problems: 0, unverified: 0 };
    let oldest: number | null = null;
    for (const r of rows) {
      const n = Number(r.n);
      sets.total += n;
      if (r.last_status === 'ok' || r.last_status === 'problems') sets[r.last_status] += n;
      else sets.unverified += n;
      if (r.oldest !== null && r.oldest !== undefined) oldest = oldest === null ? Number(r.oldest) : Math.min(oldest, Number(r.oldest));
    }
    return { last_run: last ? view(last) : null, running: running ? view(running) : null, all_verified_since: sets.unverified || !sets.total ? null : oldest, sets };
  }

  async listSets(q: { project_id?: string; cluster_id?: string; service?: string; status?: string; limit: number; offset: number }) {
    const base = this.o.db.kysely.selectFrom('trust_artifact_sets')
      .$if(!!q.project_id, (b) => b.where('project_id', '=', q.project_id!))
      .$if(!!q.cluster_id, (b) => b.where('cluster_id', '=', q.cluster_id!))
      .$if(!!q.service, (b) => b.where('service', '=', q.service!))
      .$if(q.status === 'unverified', (b) => b.where('last_status', 'is', null))
      .$if(q.status === 'ok' || q.status === 'problems', (b) => b.where('last_status', '=', q.status!));
    const total = Number((await base.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow()).n);
    const rows = await base.selectAll().orderBy('finished_at', 'desc').orderBy('set_id').limit(q.limit).offset(q.offset).execute();
    return {
      total,
      artifact_sets: rows.map((r) => ({
        service: r.service, set_id: r.set_id, project_id: r.project_id, cluster_id: r.cluster_id, job_id: r.job_id,
        manifest: `${r.manifest_bucket}/${r.manifest_key}`, files: r.files, bytes: r.bytes, encrypted: r.encrypted === 1,
        finished_at: r.finished_at, last_verified_at: r.last_verified_at, last_status: r.last_status,
        problems: r.last_problems ? JSON.parse(r.last_problems) : [],
      })),
    };
  }

  /** Verification metrics, read from the database at scrape time. */
  registerMetrics(registry: Registry): void {
    const k = this.o.db.kysely;
    const lastRun = () => k.selectFrom('trust_verify_runs').selectAll().where('state', '=', 'DONE').orderBy('finished_at', 'desc').limit(1).executeTakeFirst();
    new Gauge({
      name: 'logsnap_verify_last_run_timestamp_seconds',
      help: 'When the last finished verification ended (0: never)',
      registers: [registry],
      async collect() {
        const r = await lastRun();
        this.set(r?.finished_at ? r.finished_at / 1000 : 0);
      },
    });
    new Gauge({
      name: 'logsnap_verify_artifacts',
      help: 'Artifacts checked by the last finished verification, by result (ok, missing, truncated, altered, invalid, mismatch, unreadable)',
      labelNames: ['result'],
      registers: [registry],
      async collect() {
        const r = await lastRun();
        const counts = r?.report ? (JSON.parse(r.report) as { counts: Record<string, number> }).counts : {};
        for (const result of RESULTS) this.set({ result }, counts[result] ?? 0);
      },
    });
    new Gauge({
      name: 'logsnap_artifact_sets',
      help: 'Artifact sets in the catalogue by the state of their last verification (ok, problems, unverified)',
      labelNames: ['state'],
      registers: [registry],
      async collect() {
        const rows = await k.selectFrom('trust_artifact_sets').select(['last_status', (eb) => eb.fn.countAll<number | string>().as('n')]).groupBy('last_status').execute();
        const by = new Map(rows.map((r) => [r.last_status ?? 'unverified', Number(r.n)]));
        for (const state of ['ok', 'problems', 'unverified']) this.set({ state }, by.get(state) ?? 0);
      },
    });
  }
}
