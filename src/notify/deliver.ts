import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import { assertAllowed, guardedLookup, hostOf, TargetRefusedError } from './ssrf.js';

export interface PostResult {
  /** HTTP status, or null when no answer came (refused, unreachable, timed out) */
  status: number | null;
  latencyMs: number;
  /** why the attempt failed (no response body is ever kept); null on a 2xx */
  error: string | null;
}

export const USER_AGENT = 'logsnap-webhooks/1';

/**
 * POST one webhook body. Never throws: the outcome is the result. Redirects are not followed
 * (a 3xx is a failed attempt). The SSRF guard runs at connect time on the address connected to.
 * A fresh connection per attempt (no keep-alive): every attempt is checked.
 */
export function postWebhook(target: string, body: string, headers: Record<string, string>, opts: { allowPrivate: boolean; signal: AbortSignal }): Promise<PostResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  return new Promise<PostResult>((resolve) => {
    let done = false;
    const finish = (r: Omit<PostResult, 'latencyMs'>) => {
      if (done) return;
      done = true;
      resolve({ ...r, latencyMs: elapsed() });
    };
    let url: URL;
    try {
      url = new URL(target);
      const host = hostOf(url);
      if (isIP(host)) assertAllowed(host, host, opts.allowPrivate);
    } catch (e) {
      return finish({ status: null, error: (e as Error).message });
    }
    if (opts.signal.aborted) return finish({ status: null, error: abortText(opts.signal) });
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, {
      method: 'POST',
      headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)), 'User-Agent': USER_AGENT, Connection: 'close' },
      agent: false,
      lookup: guardedLookup(opts.allowPrivate) as never,
      signal: opts.signal,
    });
    req.on('socket', (socket) => {
      // belt and braces: the address actually connected to (IP literals skip lookup)
      socket.once('connect', () => {
        try {
          if (socket.remoteAddress) assertAllowed(hostOf(url), socket.remoteAddress, opts.allowPrivate);
        } catch (e) {
          req.destroy(e as Error);
        }
      });
    });
    req.on('response', (res: IncomingMessage) => {
      res.resume(); // the answer's body is read and dropped: nothing of it is kept
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        const ok = status >= 200 && status < 300;
        const error = ok ? null : status >= 300 && status < 400 ? `HTTP ${status} (redirects are not followed: point the subscription at the final URL)` : `HTTP ${status}`;
        finish({ status, error });
      });
      res.on('error', (e) => finish({ status: res.statusCode ?? null, error: `reading the answer failed: ${e.message}` }));
    });
    req.on('error', (e: NodeJS.ErrnoException) => {
      if (e instanceof TargetRefusedError) return finish({ status: null, error: e.message });
      if (opts.signal.aborted) return finish({ status: null, error: abortText(opts.signal) });
      finish({ status: null, error: `${e.code ? `${e.code}: ` : ''}${e.message}` });
    });
    req.end(body);
  });
}

function abortText(signal: AbortSignal): string {
  const r = signal.reason as Error | undefined;
  return r?.message ? `aborted: ${r.message}` : 'aborted';
}
