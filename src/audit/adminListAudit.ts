import { Type, type Static } from '@sinclair/typebox';
import { defineRoute } from '../http/route.js';
import { appError } from '../http/errors/catalogue.js';
import { BadCursorError, outcomeOf, type AuditRow, type AuditTrail } from './trail.js';

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
export const AuditEntry = Type.Object({
  id: Type.String(),
  time: Type.String({ description: 'ISO 8601 (UTC)' }),
  at: Type.Number({ description: 'epoch milliseconds' }),
  caller: Type.String({ description: 'ak:<AK>, token:<12 hex of the token sha256>, admin, or anonymous' }),
  project_id: Nullable(Type.String()),
  service: Nullable(Type.String()),
  operation: Nullable(Type.String()),
  method: Type.String(),
  route: Type.String(),
  target_id: Nullable(Type.String()),
  job_id: Nullable(Type.String()),
  request_id: Type.String(),
  source_ip: Nullable(Type.String()),
  user_agent: Nullable(Type.String()),
  status: Type.Integer(),
  error_code: Nullable(Type.String()),
  outcome: Type.Union([Type.Literal('ok'), Type.Literal('rejected'), Type.Literal('error')]),
});

export function auditView(r: AuditRow): Static<typeof AuditEntry> {
  return { ...r, at: Number(r.at), status: Number(r.status), time: new Date(Number(r.at)).toISOString(), outcome: outcomeOf(Number(r.status)) };
}

/** `since`/`until`: epoch milliseconds or an ISO 8601 time. */
function parseTime(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const t = /^\d{1,16}$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(t)) throw appError('LOGSNAP.0400', undefined, `${name} must be epoch milliseconds or an ISO 8601 time such as 2026-01-31T12:00:00Z (got ${JSON.stringify(v.slice(0, 40))}).`);
  return t;
}

/** GET /admin/v1/audit: the audit trail, newest first, filtered and paged (admin token). */
export const adminListAudit = (trail: AuditTrail) =>
  defineRoute({
    operationId: 'AdminListAudit', method: 'GET', url: '/admin/v1/audit', auth: 'admin',
    summary: 'The audit trail: every state-changing call (who, what, target, request id, source, outcome), newest first',
    schema: {
      querystring: Type.Object({
        project_id: Type.Optional(Type.String({ maxLength: 64 })),
        operation: Type.Optional(Type.String({ maxLength: 128, description: 'operation id, e.g. CreateLogBackup' })),
        caller: Type.Optional(Type.String({ maxLength: 64, description: 'ak:<AK>, token:<id>, admin or anonymous' })),
        target_id: Type.Optional(Type.String({ maxLength: 128 })),
        since: Type.Optional(Type.String({ maxLength: 40, description: 'from (inclusive): epoch ms or ISO 8601' })),
        until: Type.Optional(Type.String({ maxLength: 40, description: 'to (exclusive): epoch ms or ISO 8601' })),
        limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
        cursor: Type.Optional(Type.String({ maxLength: 200, description: 'next_cursor of the previous page' })),
      }),
      response: { 200: Type.Object({ entries: Type.Array(AuditEntry), next_cursor: Type.Union([Type.String(), Type.Null()]) }) },
    },
    handler: async (req) => {
      const q = req.query;
      try {
        const page = await trail.list(
          { projectId: q.project_id, operation: q.operation, caller: q.caller, targetId: q.target_id, since: parseTime('since', q.since), until: parseTime('until', q.until) },
          { limit: q.limit, cursor: q.cursor },
        );
        return { entries: page.rows.map(auditView), next_cursor: page.next };
      } catch (e) {
        if (e instanceof BadCursorError) throw appError('LOGSNAP.0400', undefined, e.message);
        throw e;
      }
    },
  });
