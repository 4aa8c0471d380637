import { Type } from '@sinclair/typebox';
import { redactUrlPassword } from '../../security/redact.js';
import type { EngineSpec } from '../../clusters/clusters.js';
import { probeDws } from './probe.js';

/** A DWS cluster: a PostgreSQL connection URL (DWS is PostgreSQL-derived). */
export const DwsEngine = Type.Object(
  { url: Type.String({ pattern: '^postgres(ql)?://' }) },
  { additionalProperties: false },
);
export interface DwsEngineConfig {
  url: string;
}

export const dwsEngineSpec: EngineSpec = {
  schema: DwsEngine,
  defaultStatus: 'AVAILABLE',
  probe: probeDws,
  redact: (e) => ({ ...(e as object), url: redactUrlPassword((e as { url: string }).url) }),
};

/**
 * How the PostgreSQL client tools reach a cluster without the password ever being on a
 * command line: `conninfo` is the URL without password (safe for argv), the password goes
 * to the child through PGPASSWORD, and `secrets` lists every spelling of it for scrubbing.
 */
export interface PgTarget {
  conninfo: string;
  env: Record<string, string>;
  secrets: string[];
  database: string;
  /** for messages */
  display: string;
}

export function pgTarget(url: string): PgTarget {
  const u = new URL(url);
  const secrets: string[] = [];
  let password = '';
  if (u.password) {
    secrets.push(u.password);
    password = safeDecode(u.password);
    u.password = '';
  }
  const qp = u.searchParams.get('password');
  if (qp !== null) {
    password = qp;
    u.searchParams.delete('password');
  }
  if (password) secrets.push(password, encodeURIComponent(password));
  const database = safeDecode(u.pathname.replace(/^\//, '')) || safeDecode(u.username) || 'postgres';
  const conninfo = u.toString();
  const env: Record<string, string> = { PGCONNECT_TIMEOUT: '15', PGAPPNAME: 'logsnap-dws' };
  if (password) env.PGPASSWORD = password;
  return { conninfo, env, secrets, database, display: redactUrlPassword(conninfo) };
}

/** The same server and credentials, another database. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
