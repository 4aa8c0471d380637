import { useEffect, useState } from 'preact/hooks';
import { OPS } from './ops.js';
import { Store, useStore } from './store';
import { serverNow, session, signOut } from './session';
import type { JobEventT } from '../../http/routes/console/schemas.js';

export type JobEvent = JobEventT;
export type LiveStatus = 'off' | 'connecting' | 'live' | 'retrying';

/**
 * One server-sent event stream per tab (GET /logsnap/v1/events), read with fetch so the session's
 * token goes in a header (EventSource cannot send one). Every job change lands in `jobs`; pages
 * subscribe with useLiveJob / onJobEvent. Reconnects with back-off; a 401 ends the session.
 */
export const liveStatus = new Store<LiveStatus>('off');
export const liveJobs = new Store<Map<string, JobEvent>>(new Map());
const listeners = new Set<(e: JobEvent) => void>();

let controller: AbortController | null = null;
let retryTimer: number | undefined;
let backoff = 1000;

export function onJobEvent(fn: (e: JobEvent) => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function apply(e: JobEvent): void {
  const cur = liveJobs.get().get(e.id);
  if (cur && cur.updated_at > e.updated_at) return;
  const next = new Map(liveJobs.get());
  next.set(e.id, e);
  // keep the map small: ended jobs are dropped after 15 minutes
  const cutoff = serverNow() - 15 * 60_000;
  for (const [id, j] of next) if ((j.state === 'SUCCEEDED' || j.state === 'FAILED') && (j.finished_at ?? j.updated_at) < cutoff && id !== e.id) next.delete(id);
  liveJobs.set(next);
  for (const fn of [...listeners]) fn(e);
}

async function run(signal: AbortSignal): Promise<void> {
  const s = session.get();
  if (!s) return;
  const headers: Record<string, string> = s.role === 'admin' ? { Authorization: `Bearer ${s.token}` } : { 'X-Auth-Token': s.token };
  liveStatus.set('connecting');
  const res = await fetch(OPS.StreamJobEvents.path, { headers: { ...headers, Accept: 'text/event-stream' }, signal, cache: 'no-store' });
  if (res.status === 401) {
    signOut('Your session is no longer valid. Sign in again.');
    return;
  }
  if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
  liveStatus.set('live');
  backoff = 1000;
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error('stream ended');
    buf += value;
    let i: number;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (event === 'job' && data.length) {
        try {
          apply(JSON.parse(data.join('\n')) as JobEvent);
        } catch {
          /* a malformed event is skipped */
        }
      }
    }
  }
}

function connect(): void {
  stopLive();
  const c = new AbortController();
  controller = c;
  run(c.signal).catch(() => {
    if (c.signal.aborted || controller !== c || !session.get()) return;
    liveStatus.set('retrying');
    retryTimer = window.setTimeout(connect, backoff);
    backoff = Math.min(15_000, backoff * 2);
  });
}

export function stopLive(): void {
  controller?.abort();
  controller = null;
  window.clearTimeout(retryTimer);
  liveStatus.set('off');
}

/** Follow the session: stream while signed in. */
export function startLive(): void {
  const follow = () => {
    if (session.get()) connect();
    else {
      stopLive();
      liveJobs.set(new Map());
    }
  };
  session.subscribe(follow);
  follow();
}

/** The latest live state of one job (undefined until an event for it arrives). */
export function useLiveJob(id: string | null | undefined): JobEvent | undefined {
  const jobs = useStore(liveJobs);
  return id ? jobs.get(id) : undefined;
}

/** Re-render every `ms` (relative times, "last heartbeat 3 s ago"). */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(serverNow());
  useEffect(() => {
    const t = window.setInterval(() => setNow(serverNow()), ms);
    return () => window.clearInterval(t);
  }, [ms]);
  return now;
}
