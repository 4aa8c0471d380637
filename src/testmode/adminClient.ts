import { createReadStream, createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { parseDuration } from './clock.js';
import type { FaultInput, FaultRule } from './faults.js';
import type { AdvanceResult } from './levers.js';
import type { ResetResult } from './reset.js';
import type { StateSummary } from './state.js';

/** An answer of the admin API that is not 2xx (the body's error_code and error_msg). */
export class AdminApiError extends Error {
  constructor(readonly status: number, readonly code: string | undefined, message: string) {
    super(message);
    this.name = 'AdminApiError';
  }
}

export interface RegisteredCluster {
  id: string;
  project_id: string;
  service: string;
  name: string;
  status: string;
  engine: unknown;
  created_at: number;
  updated_at: number;
}

/**
 * A client of the test-lever admin API (/admin/v1/test/…) and the cluster registration, over
 * HTTP with the admin token. Used by `logsnap test …` and by `logsnap/testing`.
 */
export class AdminClient {
  readonly #base: string;

  constructor(endpoint: string, private readonly token: string) {
    this.#base = endpoint.replace(/\/$/, '');
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(this.#base + path, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return this.#answer<T>(res, `${method} ${path}`);
  }

  async #answer<T>(res: Response, what: string): Promise<T> {
    const text = await res.text();
    if (!res.ok) {
      let code: string | undefined;
      let msg = text;
      try {
        const j = JSON.parse(text) as { error_code?: string; error_msg?: string };
        code = j.error_code;
        msg = j.error_msg ?? text;
      } catch {
        /* not JSON */
      }
      const hint = res.status === 404 && (code === 'LOGSNAP.0404' || code === 'APIGW.0101') ? ' (is the server running in test mode? LOGSNAP_TEST_MODE=true)' : '';
      throw new AdminApiError(res.status, code, `${what}: HTTP ${res.status}${code ? ` ${code}` : ''}: ${msg}${hint}`);
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }

  readonly clock = {
    now: async (): Promise<number> => (await this.request<{ now: number }>('GET', '/admin/v1/test/clock')).now,
    /** seconds, or a duration such as '25h', '7d', '1d12h' */
    advance: (by: number | string): Promise<AdvanceResult> => this.request('POST', '/admin/v1/test/clock', { advance_seconds: parseDuration(by) }),
  };

  readonly faults = {
    add: (rule: FaultInput): Promise<FaultRule> => this.request('POST', '/admin/v1/test/faults', rule),
    list: async (): Promise<FaultRule[]> => (await this.request<{ faults: FaultRule[] }>('GET', '/admin/v1/test/faults')).faults,
    get: (id: string): Promise<FaultRule> => this.request('GET', `/admin/v1/test/faults/${encodeURIComponent(id)}`),
    remove: (id: string): Promise<void> => this.request('DELETE', `/admin/v1/test/faults/${encodeURIComponent(id)}`),
    clear: (): Promise<void> => this.request('DELETE', '/admin/v1/test/faults'),
    release: (id: string): Promise<FaultRule> => this.request('POST', `/admin/v1/test/faults/${encodeURIComponent(id)}/release`),
  };

  reset(opts: { projectId?: string } = {}): Promise<ResetResult> {
    return this.request('POST', '/admin/v1/test/reset', opts.projectId ? { project_id: opts.projectId } : {});
  }

  registerCluster(projectId: string, c: { service: string; name: string; engine: Record<string, unknown>; id?: string; status?: string }): Promise<RegisteredCluster> {
    return this.request('POST', `/admin/v1/projects/${encodeURIComponent(projectId)}/clusters`, c);
  }

  /** Stream the server's whole state into a file (a tar.gz archive). */
  async exportState(file: string): Promise<void> {
    const res = await fetch(`${this.#base}/admin/v1/test/state`, { headers: { authorization: `Bearer ${this.token}` } });
    if (!res.ok || !res.body) await this.#answer(res, 'GET /admin/v1/test/state');
    await pipeline(Readable.fromWeb(res.body as unknown as WebReadableStream<Uint8Array>), createWriteStream(file));
  }

  /** Replace the server's whole state with an archive file (streamed up). */
  async importState(file: string): Promise<StateSummary> {
    const res = await fetch(`${this.#base}/admin/v1/test/state`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/gzip' },
      body: Readable.toWeb(createReadStream(file)) as unknown as RequestInit["body"],
      duplex: 'half',
    } as RequestInit);
    return this.#answer<StateSummary>(res, 'PUT /admin/v1/test/state');
  }
}
