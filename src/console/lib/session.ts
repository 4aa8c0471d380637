import { OPS, fillPath } from './ops.js';
import { Store } from './store';
import { navigate } from './router';
import type { SessionResponseT } from '../../http/routes/console/schemas.js';

export interface Session extends SessionResponseT {
  token: string;
  /** server clock − browser clock at sign-in (relative times use the server's clock) */
  offset_ms: number;
}

const KEY = 'logsnap.session';
const PT_KEY = 'logsnap.projectTokens';

function load(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

/** Who is signed in (kept in sessionStorage: gone when the tab closes). */
export const session = new Store<Session | null>(load());
/** Why the last session ended (shown on the sign-in page). */
export const signOutReason = new Store<string | null>(null);

async function ask(headers: Record<string, string>): Promise<{ status: number; body: any }> {
  const res = await fetch(OPS.ShowSession.path, { headers: { ...headers, Accept: 'application/json' } });
  const text = await res.text();
  let body: any = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  return { status: res.status, body };
}

/**
 * Check a token with ShowSession: as the admin token first, then as a project token. Returns an
 * error message, or null when signed in.
 */
export async function signIn(raw: string): Promise<string | null> {
  const token = raw.trim();
  if (!token) return 'Paste the admin token or a project token.';
  if (/\s/.test(token)) return 'A token has no spaces or line breaks; paste just the token.';
  // project tokens issued by logsnap start with lst_: ask in the likelier form first, so a valid
  // token never meets a 401 on the way in
  const forms: Record<string, string>[] = token.startsWith('lst_') ? [{ 'X-Auth-Token': token }, { Authorization: `Bearer ${token}` }] : [{ Authorization: `Bearer ${token}` }, { 'X-Auth-Token': token }];
  let r = await ask(forms[0]);
  if (r.status === 401 && !/expired/i.test(String(r.body?.error_msg ?? ''))) r = await ask(forms[1]);
  if (r.status === 200) {
    const s: Session = { ...(r.body as SessionResponseT), token, offset_ms: (r.body as SessionResponseT).server_time - Date.now() };
    sessionStorage.setItem(KEY, JSON.stringify(s));
    sessionStorage.removeItem(PT_KEY);
    signOutReason.set(null);
    session.set(s);
    return null;
  }
  const msg = String(r.body?.error_msg ?? '');
  if (/expired/i.test(msg)) return 'This token has expired. Ask for a new project token, or sign in with the admin token.';
  if (r.status === 401) return 'This token was not accepted: it is neither the admin token nor a valid project token.';
  return `Sign-in failed: ${msg || `HTTP ${r.status}`}`;
}

export function signOut(reason: string | null = null): void {
  sessionStorage.removeItem(KEY);
  sessionStorage.removeItem(PT_KEY);
  signOutReason.set(reason);
  session.set(null);
  navigate('/sign-in', { replace: true });
}

type Minted = Record<string, { token: string; expires_at: number }>;
const minting = new Map<string, Promise<string>>();

function minted(): Minted {
  try {
    return JSON.parse(sessionStorage.getItem(PT_KEY) ?? '{}') as Minted;
  } catch {
    return {};
  }
}

/**
 * Signed in as admin, the console acts on a project's API (CreateLogBackup …) with a short-lived
 * project token it mints through the admin API (AdminIssueToken, description "console"), kept in
 * this tab only and renewed before it expires.
 */
export async function projectToken(projectId: string): Promise<string> {
  const s = session.get();
  if (!s) throw new Error('Not signed in.');
  if (s.role === 'project') return s.token;
  const cached = minted()[projectId];
  if (cached && cached.expires_at - Date.now() > 5 * 60_000) return cached.token;
  let p = minting.get(projectId);
  if (!p) {
    p = (async () => {
      const c = { op: OPS.AdminIssueToken, path: { project_id: projectId }, body: { ttl_seconds: 3600, description: 'console' } };
      const res = await fetch(fillPath(c), {
        method: 'POST',
        headers: { Authorization: `Bearer ${s.token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(c.body),
      });
      const body = await res.json().catch(() => null);
      if (!res.ok) {
        if (res.status === 401) signOut('Your session is no longer valid. Sign in again.');
        throw new Error(`Could not get a token for project ${projectId}: ${body?.error_msg ?? `HTTP ${res.status}`}`);
      }
      const all = minted();
      // expires_at is the server's clock; keep our own margin from now
      all[projectId] = { token: body.token, expires_at: Date.now() + 3600_000 };
      sessionStorage.setItem(PT_KEY, JSON.stringify(all));
      return body.token as string;
    })().finally(() => minting.delete(projectId));
    minting.set(projectId, p);
  }
  return p;
}

export function dropProjectToken(projectId: string): void {
  const all = minted();
  delete all[projectId];
  sessionStorage.setItem(PT_KEY, JSON.stringify(all));
}

/** Now, on the server's clock. */
export function serverNow(): number {
  return Date.now() + (session.get()?.offset_ms ?? 0);
}
