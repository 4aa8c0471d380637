import { fillPath, queryString, type Call } from './ops.js';
import { session, projectToken, dropProjectToken, signOut } from './session';

/** An API answer that was not 2xx, with what the server said. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | null,
    message: string,
    readonly requestId: string | null,
    readonly operationId: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface Result<T> {
  data: T;
  status: number;
  /** X-Logsnap-Job-Id: the job an operation started */
  jobId: string | null;
  requestId: string | null;
}

type Auth = { header: 'Authorization' | 'X-Auth-Token'; value: string; minted: boolean };

async function authFor(c: Call): Promise<Auth> {
  const s = session.get();
  if (!s) throw new ApiError(401, null, 'Not signed in.', null, c.op.operationId);
  if (c.op.auth === 'admin' || (c.op.auth === 'project-or-admin' && s.role === 'admin')) {
    return { header: 'Authorization', value: `Bearer ${s.token}`, minted: false };
  }
  if (s.role === 'project') return { header: 'X-Auth-Token', value: s.token, minted: false };
  // admin on a project's API: a short-lived project token minted through the admin API
  const projectId = c.path?.project_id;
  if (!projectId) throw new ApiError(400, null, `${c.op.operationId} needs a project.`, null, c.op.operationId);
  return { header: 'X-Auth-Token', value: await projectToken(projectId), minted: true };
}

/** The error text of any service style (every style carries error_msg / error_code). */
function errorOf(status: number, body: unknown): { code: string | null; message: string } {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const message = (b.error_msg ?? b.message ?? b.errorMessage ?? b.externalMessage) as string | undefined;
  const code = (b.error_code ?? b.errorCode ?? b.errCode) as string | undefined;
  return { code: code ?? null, message: message || `HTTP ${status}` };
}

/** Call an operation with the session's credential. */
export async function call<T = any>(c: Call, opts: { signal?: AbortSignal } = {}): Promise<Result<T>> {
  for (let attempt = 1; ; attempt++) {
    const auth = await authFor(c);
    const headers: Record<string, string> = { [auth.header]: auth.value, Accept: 'application/json' };
    let body: string | undefined;
    if (c.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(c.body);
    }
    const res = await fetch(fillPath(c) + queryString(c), { method: c.op.method, headers, body, signal: opts.signal });
    const text = await res.text();
    let data: unknown = null;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = text;
      }
    }
    const requestId = res.headers.get('X-Request-Id');
    if (res.ok) return { data: data as T, status: res.status, jobId: res.headers.get('X-Logsnap-Job-Id'), requestId };
    const { code, message } = errorOf(res.status, data);
    if (res.status === 401) {
      if (auth.minted && attempt === 1 && c.path?.project_id) {
        dropProjectToken(c.path.project_id);
        continue;
      }
      if (!auth.minted) signOut(/expired/i.test(message) ? 'Your token has expired. Sign in again.' : 'Your session is no longer valid. Sign in again.');
    }
    throw new ApiError(res.status, code, message, requestId, c.op.operationId);
  }
}

/** `message (CODE, request id …)` for error banners. */
export function describeError(e: unknown): string {
  if (e instanceof ApiError) return `${e.message}${e.code ? ` (${e.code}` : ' ('}${e.requestId ? `${e.code ? ', ' : ''}request ${e.requestId}` : ''})`.replace(' ()', '');
  return (e as Error)?.message ?? String(e);
}

/** Call and return only the body (for loading data). */
export async function get<T = any>(c: Call, opts: { signal?: AbortSignal } = {}): Promise<T> {
  return (await call<T>(c, opts)).data;
}
