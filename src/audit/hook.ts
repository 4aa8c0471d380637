import type { FastifyReply, FastifyRequest } from 'fastify';
import { currentRequest } from '../http/requestContext.js';
import type { AuditInput, AuditTrail } from './trail.js';

/** Methods that change nothing: never audited. */
const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
const SERVICES = new Set(['css', 'dcs', 'cce', 'dws']);
const JOB_HEADER = 'x-logsnap-job-id';

const cut = (s: unknown, n: number): string | null => (typeof s === 'string' && s.length > 0 ? s.slice(0, n) : null);

/** Path parameters of a route pattern, in order (`/a/:x/b/:y` → x, y). */
function paramNames(route: string): string[] {
  return [...route.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]);
}

/**
 * The id a call acted on: the last path parameter other than the project (the most specific:
 * `…/clusters/:cluster_id/snapshot-policies/:id` → the policy), else the `id` (or `uid`) the
 * successful answer created, at its top level or one level down (`{"snapshot":{"id":…}}`).
 * Only keys named id/uid are read from an answer: nothing else of a body is kept.
 */
function targetOf(route: string | undefined, params: Record<string, unknown>, status: number, payload: unknown): string | null {
  if (route) {
    const names = paramNames(route).filter((n) => n !== 'project_id');
    for (let i = names.length - 1; i >= 0; i--) {
      const v = cut(params[names[i]], 128);
      if (v) return v;
    }
  }
  if (status >= 300 || typeof payload !== 'string' || payload.length > 16_384 || payload[0] !== '{') return null;
  try {
    const body = JSON.parse(payload) as Record<string, unknown>;
    const pick = (o: Record<string, unknown>) => cut(o.id, 128) ?? cut(o.uid, 128);
    const top = pick(body);
    if (top) return top;
    for (const v of Object.values(body)) {
      if (v && typeof v === 'object' && !Array.isArray(v)) {
        const inner = pick(v as Record<string, unknown>);
        if (inner) return inner;
      }
    }
  } catch {
    /* not JSON */
  }
  return null;
}

/** The error code of an error answer (every error style carries `error_code`). */
function errorCodeOf(status: number, payload: unknown): string | null {
  if (status < 400 || typeof payload !== 'string' || payload.length > 65_536) return null;
  try {
    return cut((JSON.parse(payload) as { error_code?: unknown }).error_code, 64);
  } catch {
    return null;
  }
}

/** What the audit row of this answered request says (exported for tests). */
export function auditEntry(req: FastifyRequest, reply: FastifyReply, payload: unknown): AuditInput {
  const ctx = currentRequest();
  const config = req.routeOptions?.config;
  const route = req.routeOptions?.url;
  const params = (req.params ?? {}) as Record<string, unknown>;
  const status = reply.statusCode;
  const style = config?.style;
  const job = reply.getHeader(JOB_HEADER);
  return {
    caller: ctx?.caller ?? 'anonymous',
    project_id: cut(ctx?.projectId ?? params.project_id, 64),
    service: !route ? null : style && SERVICES.has(style) ? style : style === 'admin' ? 'admin' : 'logsnap',
    operation: cut(config?.operationId, 128),
    method: req.method,
    // a path no route serves is kept without its query string (which may carry signatures)
    route: route ?? cut(req.url.split('?')[0], 256) ?? '/',
    target_id: targetOf(route, params, status, payload),
    job_id: cut(typeof job === 'string' ? job : undefined, 64),
    request_id: req.id,
    source_ip: cut(ctx?.sourceIp ?? req.ip, 64),
    user_agent: cut(req.headers['user-agent'], 256),
    status,
    error_code: errorCodeOf(status, payload),
  };
}

/**
 * The onSend hook: writes the row before the answer leaves, so a client that saw an answer to a
 * state-changing call can find it in the trail. Reads cost nothing (one Set lookup).
 */
export function auditOnSend(trail: AuditTrail) {
  // callback style: a read costs no promise
  return (req: FastifyRequest, reply: FastifyReply, payload: unknown, done: (err: null, payload: unknown) => void): void => {
    if (READS.has(req.method)) return done(null, payload);
    let entry: AuditInput;
    try {
      entry = auditEntry(req, reply, payload);
    } catch (err) {
      req.log.error({ err }, 'audit row could not be built');
      return done(null, payload);
    }
    void trail.record(entry).then(() => done(null, payload));
  };
}
