import { EventEmitter, once } from 'node:events';
import { Readable } from 'node:stream';
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import type { Db } from '../db/index.js';
import { AppError, CATALOGUE, type ErrorCode } from '../http/errors/catalogue.js';
import { currentJob, type JobScope } from '../jobs/jobContext.js';
import type { Clock, JobRow } from '../jobs/queue.js';
import { JobFailure } from '../jobs/runner.js';
import { uuid } from '../security/ids.js';
import type { GetResult, ObjectInfo, ObjectStore, PutOptions, PutResult, SweepResult } from '../storage/objectStore.js';
import type { TestFaultTable } from './tables.js';
import './tables.js';

/**
 * Fault injection (docs/testing.md). A rule matches API calls (service + SDK operation id) or jobs
 * (service + job kind), optionally one project and one cluster, and fires `count` times.
 *
 * - API effects run as a Fastify preHandler (after authentication and validation): an error in
 *   the owning service's style, rendered by the normal renderer, or added latency.
 * - Job effects act where a job's data meets the object store (`FaultyStore`, installed only in
 *   test mode), so the service code around the fault runs as it does for a real store failure:
 *   `fail` makes the write fail when its stream ends, with an error carrying the rule's message
 *   (nothing is stored; the engine stream has been read to its end; the service's own failure
 *   path words the failure, marks the record and deletes what the job wrote before), `hold` stops
 *   the job's I/O and shows a given progress until the rule is released, `slow` paces the job's writes.
 */

export type FaultEffect =
  | { type: 'error'; status: number; error_code: string; error_msg: string }
  | { type: 'latency'; ms: number }
  | { type: 'fail'; message: string }
  | { type: 'hold'; progress: number }
  | { type: 'slow'; bytes_per_second: number };

export interface FaultRule {
  id: string;
  service: string;
  operation: string | null;
  job: string | null;
  project_id: string | null;
  cluster_id: string | null;
  object: string | null;
  effect: FaultEffect;
  count: number;
  fired: number;
  released: boolean;
  created_at: number;
}

export interface FaultInput {
  service: string;
  operation?: string;
  job?: string;
  project_id?: string;
  cluster_id?: string;
  object?: string;
  count?: number;
  effect: {
    type: string;
    status?: number;
    error_code?: string;
    error_msg?: string;
    ms?: number;
    message?: string;
    progress?: number;
    bytes_per_second?: number;
  };
}

/** What each service offers to fault: its SDK operations and its job kinds. */
export type FaultCatalog = Record<string, { operations: string[]; jobs: string[] }>;

/** A fault rule that cannot be accepted; the message says how to fix it (→ 400 LOGSNAP.0400). */
export class FaultInputError extends Error {}

export const MAX_LATENCY_MS = 60_000;
const INTERNAL: Record<string, ErrorCode> = { css: 'CSS.9999', dcs: 'DCS.5000', cce: 'CCE.01500001', dws: 'DWS.0005' };
const CONFLICT: Record<string, ErrorCode> = { css: 'CSS.0011', cce: 'CCE.01409001', dws: 'DWS.0011' };
/** The API gateway's throttling answer (Huawei APIG), whatever the service. */
const THROTTLED = { code: 'APIGW.0308', message: 'The throttling threshold has been reached.' };
const HOLD_POLL_MS = 100;

/** An injected API error: any code of the service's family, rendered like a catalogue error. */
class InjectedError extends AppError {
  constructor(code: string, status: number, message: string) {
    super('APIGW.0500', message);
    Object.defineProperty(this, 'code', { value: code });
    Object.defineProperty(this, 'wireCode', { value: code });
    Object.defineProperty(this, 'status', { value: status });
  }
}

function isErrorCode(code: string): code is ErrorCode {
  return Object.prototype.hasOwnProperty.call(CATALOGUE, code);
}

/** Check an API error effect and fill in the defaults (status from the catalogue, code from the status). */
export function normaliseErrorEffect(service: string, e: FaultInput['effect']): Extract<FaultEffect, { type: 'error' }> {
  const family = service.toUpperCase();
  let code = e.error_code;
  let status = e.status;
  if (status !== undefined && (!Number.isInteger(status) || status < 400 || status > 599)) {
    throw new FaultInputError(`effect.status must be an HTTP error status from 400 to 599 (got ${status})`);
  }
  if (code !== undefined) {
    if (!/^[A-Z][A-Z0-9_]*\.[0-9A-Za-z_]{1,16}$/.test(code)) throw new FaultInputError(`effect.error_code ${JSON.stringify(code)} is not an error code such as ${family}.0011`);
    const prefix = code.slice(0, code.indexOf('.'));
    if (prefix !== family && prefix !== 'APIGW') {
      throw new FaultInputError(`effect.error_code ${code} belongs to another service: a ${service} operation answers with ${family}.* or APIGW.* codes`);
    }
  } else if (status === 429) code = THROTTLED.code;
  else if (status !== undefined && status >= 500) code = INTERNAL[service];
  else if (status === 409 && CONFLICT[service]) code = CONFLICT[service];
  else {
    throw new FaultInputError(`give effect.error_code (e.g. ${CONFLICT[service] ?? INTERNAL[service]}) or an effect.status of 429, 5xx${CONFLICT[service] ? ' or 409' : ''} to use its default code`);
  }
  const known = isErrorCode(code!) ? CATALOGUE[code!] : code === THROTTLED.code ? { status: 429, message: THROTTLED.message } : undefined;
  if (status === undefined) {
    if (!known) throw new FaultInputError(`effect.error_code ${code} is not in logsnap's catalogue: give its effect.status too`);
    status = known.status;
  }
  const msg = e.error_msg ?? known?.message ?? 'Injected fault.';
  if (msg.length > 1024) throw new FaultInputError('effect.error_msg: at most 1024 characters');
  return { type: 'error', status, error_code: code!, error_msg: msg };
}

/** Validate a rule against the services' operations and job kinds; returns the normalised effect. */
export function validateFault(input: FaultInput, catalog: FaultCatalog): FaultEffect {
  const svc = catalog[input.service];
  if (!svc) throw new FaultInputError(`service must be one of ${Object.keys(catalog).join(', ')} (got ${JSON.stringify(input.service)})`);
  if ((input.operation === undefined) === (input.job === undefined)) {
    throw new FaultInputError('give exactly one of operation (an SDK operation id, for API faults) or job (a job kind, for job faults)');
  }
  if (input.operation !== undefined && !svc.operations.includes(input.operation)) {
    throw new FaultInputError(`operation ${JSON.stringify(input.operation)} is not a ${input.service} operation; one of ${svc.operations.join(', ')}`);
  }
  if (input.job !== undefined && !svc.jobs.includes(input.job)) {
    throw new FaultInputError(`job ${JSON.stringify(input.job)} is not a ${input.service} job kind; one of ${svc.jobs.join(', ')}`);
  }
  if (input.object !== undefined && input.job === undefined) throw new FaultInputError('object matches the object keys a job writes: it goes with job, not operation');
  const e = input.effect;
  const api = input.operation !== undefined;
  const allowed = api ? ['error', 'latency'] : ['fail', 'hold', 'slow'];
  if (!allowed.includes(e.type)) {
    throw new FaultInputError(`effect.type ${JSON.stringify(e.type)} does not apply to ${api ? 'an API' : 'a job'} fault; use one of ${allowed.join(', ')}`);
  }
  switch (e.type) {
    case 'error':
      return normaliseErrorEffect(input.service, e);
    case 'latency':
      if (!Number.isInteger(e.ms) || e.ms! < 1 || e.ms! > MAX_LATENCY_MS) throw new FaultInputError(`effect.ms: the added latency in milliseconds, 1 to ${MAX_LATENCY_MS}`);
      return { type: 'latency', ms: e.ms! };
    case 'fail':
      if (typeof e.message !== 'string' || e.message.length < 1 || e.message.length > 1024) throw new FaultInputError('effect.message: the failure message the job reports, 1 to 1024 characters');
      return { type: 'fail', message: e.message };
    case 'hold':
      if (typeof e.progress !== 'number' || !(e.progress >= 0 && e.progress <= 99)) throw new FaultInputError('effect.progress: the progress (0–99) the job shows while it is held');
      return { type: 'hold', progress: e.progress };
    default:
      if (!Number.isInteger(e.bytes_per_second) || e.bytes_per_second! < 1 || e.bytes_per_second! > 1 << 30) {
        throw new FaultInputError('effect.bytes_per_second: the rate the job may write at, 1 to 1073741824');
      }
      return { type: 'slow', bytes_per_second: e.bytes_per_second! };
  }
}

function toRule(r: TestFaultTable): FaultRule {
  return {
    id: r.id, service: r.service, operation: r.operation, job: r.job_kind, project_id: r.project_id, cluster_id: r.cluster_id,
    object: r.object, effect: JSON.parse(r.effect) as FaultEffect, count: Number(r.count), fired: Number(r.fired),
    released: r.released_at !== null, created_at: Number(r.created_at),
  };
}

/** The rules, kept in the database (every process applies them) with a cache refreshed by version. */
export class Faults {
  #rules: FaultRule[] = [];
  #version = -1;
  readonly #released = new EventEmitter();

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly log: FastifyBaseLogger,
    /** what can be faulted; filled in once the services are built */
    public catalog: FaultCatalog = {},
  ) {
    this.#released.setMaxListeners(0);
  }

  /** Reload the cached rules when the shared version moved (called by TestLevers.sync). */
  async syncVersion(version: number): Promise<void> {
    if (version === this.#version) return;
    const rows = await this.db.kysely.selectFrom('test_faults').selectAll().orderBy('created_at').orderBy('id').execute();
    this.#rules = rows.map(toRule);
    this.#version = version;
  }

  async #bump(): Promise<void> {
    await this.db.kysely.updateTable('test_state').set((eb) => ({ faults_version: eb('faults_version', '+', 1) })).where('id', '=', 'state').execute();
    const row = await this.db.kysely.selectFrom('test_state').select('faults_version').where('id', '=', 'state').executeTakeFirstOrThrow();
    await this.syncVersion(Number(row.faults_version));
  }

  async add(input: FaultInput): Promise<FaultRule> {
    const effect = validateFault(input, this.catalog);
    const row: TestFaultTable = {
      id: uuid(), service: input.service, operation: input.operation ?? null, job_kind: input.job ?? null,
      project_id: input.project_id ?? null, cluster_id: input.cluster_id ?? null, object: input.object ?? null,
      effect: JSON.stringify(effect), count: input.count ?? 1, fired: 0, released_at: null, created_at: this.clock.now(),
    };
    await this.db.kysely.insertInto('test_faults').values(row).execute();
    await this.#bump();
    this.log.info({ fault_id: row.id, service: row.service, operation: row.operation, job: row.job_kind, effect: effect.type, count: row.count }, 'test fault added');
    return toRule(row);
  }

  /** Fresh from the database (fired counts change in every process). */
  async list(): Promise<FaultRule[]> {
    const rows = await this.db.kysely.selectFrom('test_faults').selectAll().orderBy('created_at').orderBy('id').execute();
    return rows.map(toRule);
  }

  async get(id: string): Promise<FaultRule | undefined> {
    const row = await this.db.kysely.selectFrom('test_faults').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toRule(row) : undefined;
  }

  async remove(id: string): Promise<boolean> {
    const r = await this.db.kysely.deleteFrom('test_faults').where('id', '=', id).executeTakeFirst();
    if (Number(r.numDeletedRows) === 0) return false;
    this.#released.emit(id);
    await this.#bump();
    return true;
  }

  async clear(): Promise<number> {
    const ids = (await this.db.kysely.selectFrom('test_faults').select('id').execute()).map((r) => r.id);
    await this.db.kysely.deleteFrom('test_faults').execute();
    for (const id of ids) this.#released.emit(id);
    await this.#bump();
    return ids.length;
  }

  /** Release a hold rule: jobs it holds go on, and it holds no further job. */
  async release(id: string): Promise<FaultRule | undefined> {
    await this.db.kysely.updateTable('test_faults').set({ released_at: this.clock.now() }).where('id', '=', id).where('released_at', 'is', null).execute();
    const rule = await this.get(id);
    if (rule) {
      this.#released.emit(id);
      await this.#bump();
    }
    return rule;
  }

  /** Claim one firing of a rule, across processes; false when its count is used up (or it was released). */
  async fire(rule: FaultRule): Promise<boolean> {
    const r = await this.db.kysely.updateTable('test_faults')
      .set((eb) => ({ fired: eb('fired', '+', 1) }))
      .where('id', '=', rule.id).where((eb) => eb('fired', '<', eb.ref('count'))).where('released_at', 'is', null)
      .executeTakeFirst();
    const ok = Number(r.numUpdatedRows) === 1;
    if (ok) rule.fired++;
    else rule.fired = rule.count;
    return ok;
  }

  /** Cached rules that may fire for an API call, oldest first. */
  forRequest(service: string, operation: string, projectId: string | undefined, clusterId: string | undefined): FaultRule[] {
    return this.#rules.filter((r) =>
      r.operation === operation && r.service === service && r.fired < r.count &&
      (r.project_id === null || r.project_id === projectId) && (r.cluster_id === null || r.cluster_id === clusterId));
  }

  /** Cached rules that may fire for a write of `key` by `job`, oldest first. */
  forJobWrite(job: JobRow, key: string): FaultRule[] {
    return this.#rules.filter((r) =>
      r.job === job.kind && r.fired < r.count && !r.released &&
      (r.project_id === null || r.project_id === job.project_id) && (r.cluster_id === null || r.cluster_id === job.cluster_id) &&
      (r.object === null || key.includes(r.object)));
  }

  /**
   * Wait until a hold rule is released or removed. Throws when the job is aborted or its row was
   * removed (a reset) meanwhile. Other processes release through the database (polled).
   */
  async waitRelease(ruleId: string, jobId: string, signal: AbortSignal): Promise<void> {
    const ac = new AbortController();
    const onAbort = () => ac.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    const local = once(this.#released, ruleId, { signal: ac.signal }).then(() => true, () => false);
    try {
      for (;;) {
        signal.throwIfAborted();
        const [rule, job] = await Promise.all([
          this.db.kysely.selectFrom('test_faults').select('released_at').where('id', '=', ruleId).executeTakeFirst(),
          this.db.kysely.selectFrom('jobs').select('state').where('id', '=', jobId).executeTakeFirst(),
        ]);
        if (!job || job.state !== 'RUNNING') throw new JobFailure('the job was removed while a test fault held it (test reset)');
        if (!rule || rule.released_at !== null) return;
        const tick = new Promise<boolean>((r) => setTimeout(() => r(false), HOLD_POLL_MS).unref());
        if (await Promise.race([local, tick])) return;
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      ac.abort();
    }
  }
}

/** The API side: a Fastify preHandler applying error and latency rules to service operations. */
export function apiFaultHook(faults: Faults) {
  return async (req: FastifyRequest): Promise<void> => {
    const cfg = req.routeOptions.config;
    if (!cfg?.service || !cfg.operationId) return;
    const params = (req.params ?? {}) as Record<string, string | undefined>;
    const body = (req.body ?? {}) as Record<string, any>;
    const clusterId = params.cluster_id ?? params.instance_id ?? body?.cluster_id ?? body?.snapshot?.cluster_id;
    const projectId = req.caller?.projectId ?? params.project_id;
    for (const rule of faults.forRequest(cfg.service, cfg.operationId, projectId, typeof clusterId === 'string' ? clusterId : undefined)) {
      if (!(await faults.fire(rule))) continue;
      req.log.info({ fault_id: rule.id, effect: rule.effect.type }, 'test fault fired');
      if (rule.effect.type === 'latency') {
        await new Promise((r) => setTimeout(r, (rule.effect as { ms: number }).ms));
        continue;
      }
      if (rule.effect.type === 'error') throw new InjectedError(rule.effect.error_code, rule.effect.status, rule.effect.error_msg);
    }
  };
}

interface JobFaultState {
  /** rules that already fired for this job (hold and slow act once per job) */
  applied: Set<string>;
  /** slow: the shared pace of all the job's writes */
  pace?: { rate: number; start: number; bytes: number };
}

function jobState(scope: JobScope): JobFaultState {
  let s = scope.extras.get('test-faults') as JobFaultState | undefined;
  if (!s) scope.extras.set('test-faults', (s = { applied: new Set() }));
  return s;
}

function abortable(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * The object store as jobs see it in test mode: every write made inside a job is checked against
 * the job fault rules; everything else goes straight to the real store.
 */
export class FaultyStore implements ObjectStore {
  readonly driver: ObjectStore['driver'];

  constructor(
    readonly inner: ObjectStore,
    private readonly faults: Faults,
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly sync: () => Promise<void>,
    private readonly log: FastifyBaseLogger,
  ) {
    this.driver = inner.driver;
  }

  async put(bucket: string, key: string, body: Readable, opts: PutOptions = {}): Promise<PutResult> {
    const scope = currentJob();
    if (!scope) return this.inner.put(bucket, key, body, opts);
    await this.sync();
    const rules = this.faults.forJobWrite(scope.job, key);
    if (rules.length === 0) return this.inner.put(bucket, key, body, opts);
    const state = jobState(scope);
    const signal = opts.signal ? AbortSignal.any([opts.signal, scope.ctx.signal]) : scope.ctx.signal;
    let stream: Readable = body;
    for (const rule of rules) {
      const e = rule.effect;
      if (e.type === 'slow') {
        if (!state.applied.has(rule.id)) {
          if (!(await this.faults.fire(rule))) continue;
          state.applied.add(rule.id);
          state.pace = { rate: e.bytes_per_second, start: Date.now(), bytes: 0 };
          this.log.info({ fault_id: rule.id, job_id: scope.job.id, bytes_per_second: e.bytes_per_second }, 'test fault: job writes slowed');
        }
      } else if (e.type === 'hold') {
        if (state.applied.has(rule.id) || !(await this.faults.fire(rule))) continue;
        state.applied.add(rule.id);
        await this.#hold(scope, rule, e.progress, signal);
      } else if (e.type === 'fail') {
        stream = this.#failAtEnd(stream, rule, e.message, scope);
      }
    }
    if (state.pace) stream = this.#paced(stream, state.pace, signal);
    return this.inner.put(bucket, key, stream, opts);
  }

  async #hold(scope: JobScope, rule: FaultRule, progress: number, signal: AbortSignal): Promise<void> {
    scope.progressOverride = progress;
    scope.ctx.progress(progress);
    const now = this.clock.now();
    await this.db.kysely.updateTable('jobs').set({ progress, updated_at: now }).where('id', '=', scope.job.id).where('state', '=', 'RUNNING').execute();
    this.log.info({ fault_id: rule.id, job_id: scope.job.id, progress }, 'test fault: job held');
    try {
      await this.faults.waitRelease(rule.id, scope.job.id, signal);
    } finally {
      scope.progressOverride = undefined;
    }
    this.log.info({ fault_id: rule.id, job_id: scope.job.id }, 'test fault: job released');
  }

  /**
   * Pass the bytes through, then fail the write when its stream ends (if the rule still fires).
   * A lazy generator: nothing is read before the store reads, and the failure reaches the store.
   */
  #failAtEnd(source: Readable, rule: FaultRule, message: string, scope: JobScope): Readable {
    const { faults, log } = this;
    return Readable.from((async function* () {
      for await (const chunk of source) yield chunk as Buffer;
      if (await faults.fire(rule)) {
        log.info({ fault_id: rule.id, job_id: scope.job.id }, 'test fault: job write failed');
        // a plain error, as the store reports a real failure: each service words it as it words those
        throw new Error(message);
      }
    })(), { objectMode: false });
  }

  /** Pace the bytes to the job's rate (shared by all its writes), in slices of a tenth of a second. */
  #paced(source: Readable, pace: NonNullable<JobFaultState['pace']>, signal: AbortSignal): Readable {
    const slice = Math.max(1, Math.floor(pace.rate / 10));
    return Readable.from((async function* () {
      for await (const chunk of source) {
        const buf = chunk as Buffer;
        for (let i = 0; i < buf.length; i += slice) {
          const part = buf.subarray(i, i + slice);
          pace.bytes += part.length;
          const wait = pace.start + (pace.bytes / pace.rate) * 1000 - Date.now();
          if (wait > 0) await abortable(wait, signal);
          yield part;
        }
      }
    })(), { objectMode: false });
  }

  get(bucket: string, key: string, range?: { start: number; end?: number }): Promise<GetResult> {
    return this.inner.get(bucket, key, range);
  }
  head(bucket: string, key: string): Promise<ObjectInfo | null> {
    return this.inner.head(bucket, key);
  }
  list(bucket: string, prefix?: string): AsyncIterable<ObjectInfo> {
    return this.inner.list(bucket, prefix);
  }
  delete(bucket: string, key: string): Promise<void> {
    return this.inner.delete(bucket, key);
  }
  presignGet(bucket: string, key: string, expiresAt: number): Promise<string> {
    return this.inner.presignGet(bucket, key, expiresAt);
  }
  usage(): Promise<{ objects: number; bytes: number }> {
    return this.inner.usage();
  }
  sweepTemporary(olderThanMs: number, now?: number): Promise<SweepResult> {
    return this.inner.sweepTemporary(olderThanMs, now);
  }
  buckets(): AsyncIterable<string> {
    if (!this.inner.buckets) throw new Error(`the ${this.inner.driver} store cannot list its buckets`);
    return this.inner.buckets();
  }
}
