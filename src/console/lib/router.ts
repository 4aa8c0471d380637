import { Store } from './store';

/** The console is served under /console; client routes live below it. */
export const BASE = '/console';

export interface Location {
  path: string;
  query: URLSearchParams;
}

function read(): Location {
  const p = window.location.pathname;
  const path = p === BASE || p === `${BASE}/` ? '/' : p.startsWith(`${BASE}/`) ? p.slice(BASE.length).replace(/\/$/, '') || '/' : '/';
  return { path, query: new URLSearchParams(window.location.search) };
}

export const location = new Store<Location>(read());

window.addEventListener('popstate', () => location.set(read()));

export function href(to: string): string {
  return BASE + (to === '/' ? '/' : to);
}

/** Go to a client route (`/clusters/…`), keeping history. */
export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  const url = href(to);
  if (opts.replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  location.set(read());
  window.scrollTo(0, 0);
}

/** Change the query string of the current route (filters, paging) without a new history entry. */
export function setQuery(changes: Record<string, string | number | null | undefined>): void {
  const q = new URLSearchParams(window.location.search);
  for (const [k, v] of Object.entries(changes)) {
    if (v === null || v === undefined || v === '') q.delete(k);
    else q.set(k, String(v));
  }
  const s = q.toString();
  window.history.replaceState(null, '', window.location.pathname + (s ? `?${s}` : ''));
  location.set(read());
}

/** `/clusters/:id` against `/clusters/abc` → `{ id: 'abc' }`, or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const a = pattern.split('/').filter(Boolean);
  const b = path.split('/').filter(Boolean);
  if (a.length !== b.length) return null;
  const out: Record<string, string> = {};
  for (let i = 0; i < a.length; i++) {
    if (a[i].startsWith(':')) out[a[i].slice(1)] = decodeURIComponent(b[i]);
    else if (a[i] !== b[i]) return null;
  }
  return out;
}
