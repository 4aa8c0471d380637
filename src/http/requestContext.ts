import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Who is asking, for the life of one HTTP request. Set by the app's first hook (the request id and
 * source address) and completed by authentication (the caller). Code below the routes (the job
 * queue, the audit trail) reads it instead of threading the request through every domain call.
 */
export interface RequestContext {
  requestId: string;
  /** client address as the socket saw it */
  sourceIp?: string;
  /**
   * `ak:<access key>`, `token:<first 12 hex of the token's sha256>` (a project token), or `admin`.
   * Never a secret: an AK is an identifier, a token is named by a prefix of its hash.
   */
  caller?: string;
  /** the caller's project, once authenticated */
  projectId?: string;
}

const als = new AsyncLocalStorage<RequestContext>();

/** Run `fn` (and everything it awaits) with `ctx` as the current request. */
export function runInRequest<T>(ctx: RequestContext, fn: () => T): T {
  return als.run(ctx, fn);
}

/** The request being served, or undefined outside one (scheduler, job runner, CLI). */
export function currentRequest(): RequestContext | undefined {
  return als.getStore();
}
