import type { FastifyBaseLogger } from 'fastify';
import type { Selectable } from 'kysely';
import type { Db } from '../db/index.js';
import type { Clock } from '../jobs/queue.js';
import type { Schedule } from '../jobs/scheduler.js';
import { uuid } from '../security/ids.js';

/**
 * The audit trail: who changed what, when, from where, and how it ended. One row per
 * state-changing API call (every method but GET, HEAD and OPTIONS), rejected calls included.
 * A row holds identifiers only — never a body, a header, a query string or a secret.
 * See docs/audit.md.
 */
export interface AuditTable {
  id: string;
  /** epoch ms (the injected clock) */
  at: number;
  /** `ak:<AK>`, `token:<12 hex of the token's sha256>`, `admin`, or `anonymous` (authentication failed) */
  caller: string;
  project_id: string | null;
  /** css, dcs, cce, dws, admin, logsnap (platform routes); null for a path no route serves */
  service: string | null;
  /** the operation id (SDK operation name, e.g. CreateLogBackup; AdminCreateWebhook); null when no route matched */
  operation: string | null;
  method: string;
  /** the route pattern (`/v1.0/:project_id/clusters/:cluster_id/logs/collect`), or the bare path when none matched */
  route: string;
  /** the most specific id in the path (cluster, snapshot, file, credential…), else the id the answer created */
  target_id: string | null;
  /** the job the call started (X-Logsnap-Job-Id) */
  job_id: string | null;
  request_id: string;
  source_ip: string | null;
  user_agent: string | null;
  /** HTTP status answered */
  status: number;
  /** the error code answered (APIGW.0301, CSS.0011 …); null on success */
  error_code: string | null;
}

declare module '../db/types.js' {
  interface Database {
    audit_log: AuditTable;
  }
}

export type AuditRow = Selectable<AuditTable>;
export type AuditInput = Omit<AuditTable, 'id' | 'at'>;
export type AuditOutcome = 'ok' | 'rejected' | 'error';

export const outcomeOf = (status: number): AuditOutcome => (status < 400 ? 'ok' : status < 500 ? 'rejected' : 'error');

export interface AuditFilter {
  projectId?: string;
  operation?: string;
  caller?: string;
  targetId?: string;
  /** inclusive lower bound, epoch ms */
  since?: number;
  /** exclusive upper bound, epoch ms */
  until?: number;
}

export interface AuditPage {
  rows: AuditRow[];
  /** pass back as `cursor` for the next (older) page; null on the last page */
  next: string | null;
}

export interface AuditMetrics {
  written(outcome: AuditOutcome): void;
  failed(): void;
}

export class BadCursorError extends Error {}

/** Keyset cursor over (at, id), newest first. */
export function encodeCursor(row: { at: number; id: string }): string {
  return Buffer.from(`${row.at}.${row.id}`).toString('base64url');
}
export function decodeCursor(cursor: string): { at: number; id: string } {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const m = /^(\d{1,16})\.([0-9a-f-]{36})$/.exec(text);
  if (!m) throw new BadCursorError('cursor is not one this API returned; start again without it');
  return { at: Number(m[1]), id: m[2] };
}

export class AuditTrail {
  #lastPrune = 0;
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly log: FastifyBaseLogger,
    private readonly opts: { retentionMs: number; metrics?: AuditMetrics },
  ) {}

  /** One insert. Failures are logged and counted, never thrown: the call itself already happened. */
  async record(input: AuditInput): Promise<void> {
    try {
      await this.db.kysely.insertInto('audit_log').values({ id: uuid(), at: this.clock.now(), ...input }).execute();
      this.opts.metrics?.written(outcomeOf(input.status));
    } catch (err) {
      this.opts.metrics?.failed();
      this.log.error({ err, request_id: input.request_id, operation: input.operation }, 'audit row could not be written');
    }
  }

  /** Newest first, filtered, one page at a time. */
  async list(f: AuditFilter, page: { limit: number; cursor?: string }): Promise<AuditPage> {
    const after = page.cursor ? decodeCursor(page.cursor) : undefined;
    const rows = await this.db.kysely
      .selectFrom('audit_log').selectAll()
      .$if(f.projectId !== undefined, (q) => q.where('project_id', '=', f.projectId!))
      .$if(f.operation !== undefined, (q) => q.where('operation', '=', f.operation!))
      .$if(f.caller !== undefined, (q) => q.where('caller', '=', f.caller!))
      .$if(f.targetId !== undefined, (q) => q.where('target_id', '=', f.targetId!))
      .$if(f.since !== undefined, (q) => q.where('at', '>=', f.since!))
      .$if(f.until !== undefined, (q) => q.where('at', '<', f.until!))
      .$if(after !== undefined, (q) =>
        q.where((eb) => eb.or([eb('at', '<', after!.at), eb.and([eb('at', '=', after!.at), eb('id', '<', after!.id)])])),
      )
      .orderBy('at', 'desc').orderBy('id', 'desc')
      .limit(page.limit + 1)
      .execute();
    const more = rows.length > page.limit;
    const out = more ? rows.slice(0, page.limit) : rows;
    return { rows: out, next: more ? encodeCursor(out[out.length - 1]) : null };
  }

  /** Delete rows older than the retention. */
  async prune(now = this.clock.now()): Promise<number> {
    const cutoff = now - this.opts.retentionMs;
    // a read first: nothing to delete takes no write lock
    if (!(await this.db.kysely.selectFrom('audit_log').select('id').where('at', '<', cutoff).limit(1).executeTakeFirst())) return 0;
    const res = await this.db.kysely.deleteFrom('audit_log').where('at', '<', cutoff).executeTakeFirst();
    return Number(res.numDeletedRows);
  }

  /** Retention on the scheduler: at most once a minute per process (the delete is idempotent). */
  schedule(): Schedule {
    return {
      name: 'audit-retention',
      tick: async (now) => {
        if (now - this.#lastPrune < 60_000 && now >= this.#lastPrune) return;
        this.#lastPrune = now;
        const n = await this.prune(now);
        if (n) this.log.info({ deleted: n }, 'audit rows past their retention deleted');
      },
    };
  }
}
