/** Helpers of the notification tests: the docs' verification recipe, the admin API, a moving clock. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Clock } from '../../src/jobs/queue.js';
import { ROOT } from '../helpers/cli.js';
import type { TestServer } from '../helpers/server.js';
import type { Verifier } from '../helpers/webhookReceiver.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

/** The verification recipe of docs/notifications.md, copied out of the file and imported as is. */
export async function docsVerifier(): Promise<Verifier> {
  const md = readFileSync(join(ROOT, 'docs', 'notifications.md'), 'utf8');
  const m = /<!-- recipe:verify -->\s*```js\n([\s\S]*?)```/.exec(md);
  if (!m) throw new Error('docs/notifications.md has no <!-- recipe:verify --> code block');
  const file = join(mkdtempSync(join(tmpdir(), 'recipe-')), 'verify.mjs');
  writeFileSync(file, m[1]);
  const mod = (await import(pathToFileURL(file).href)) as { verifyLogsnapWebhook: (raw: Buffer, header: string | undefined, secret: string) => unknown };
  if (typeof mod.verifyLogsnapWebhook !== 'function') throw new Error('the recipe exports no verifyLogsnapWebhook');
  return (raw, header, secret) => mod.verifyLogsnapWebhook(raw, header, secret);
}

/** Real time shifted by an offset that tests can advance (retries keep flowing; expiries can be reached). */
export class OffsetClock implements Clock {
  offset = 0;
  now(): number {
    return Date.now() + this.offset;
  }
  advance(ms: number): void {
    this.offset += ms;
  }
}

export async function api(s: Pick<TestServer, 'url'>, method: string, path: string, body?: unknown, headers: Record<string, string> = { authorization: `Bearer ${ADMIN_TOKEN}` }) {
  const res = await fetch(s.url + path, {
    method, body: body === undefined ? undefined : JSON.stringify(body),
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

export async function subscribe(s: Pick<TestServer, 'url'>, projectId: string, body: Record<string, unknown>): Promise<string> {
  const r = await api(s, 'POST', `/admin/v1/projects/${projectId}/webhooks`, body);
  if (r.status !== 201) throw new Error(`subscribe: HTTP ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.webhook.id;
}

export async function deliveries(s: Pick<TestServer, 'url'>, projectId: string, id: string, query = ''): Promise<any[]> {
  const r = await api(s, 'GET', `/admin/v1/projects/${projectId}/webhooks/${id}/deliveries?limit=500${query}`);
  if (r.status !== 200) throw new Error(`deliveries: HTTP ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.deliveries;
}

export const ping = (s: Pick<TestServer, 'url'>, projectId: string, id: string) => api(s, 'POST', `/admin/v1/projects/${projectId}/webhooks/${id}/ping`);

/** Short delivery settings for tests (the defaults are minutes and hours). */
export const FAST_WEBHOOKS = { allowPrivate: true, backoffBaseMs: 100, backoffMaxMs: 400, timeoutSeconds: 2, retryForSeconds: 3600 };
