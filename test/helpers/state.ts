/**
 * A fingerprint of everything a logsnap server has stored: every table's rows (SQLite or
 * PostgreSQL, tables found at run time, so tables added later are covered) and every object
 * of the fs store. Two equal fingerprints: nothing was created, changed or deleted.
 */
import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { sql } from 'kysely';
import type { TestServer } from './server.js';

export interface StateFingerprint {
  /** table → row count and a hash of its rows */
  tables: Record<string, { rows: number; hash: string }>;
  /** object path → size, under the fs store root (temporary files excluded) */
  objects: Record<string, number>;
}

async function tableNames(s: TestServer): Promise<string[]> {
  const db = s.rt.db;
  const r = db.dialect === 'sqlite'
    ? await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name`.execute(db.kysely)
    : await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`.execute(db.kysely);
  return r.rows.map((x) => x.name);
}

function walk(root: string, dir: string, out: Record<string, number>): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) {
    const p = join(dir, n);
    const rel = relative(root, p);
    if (rel === '.tmp') continue;
    const st = statSync(p);
    if (st.isDirectory()) walk(root, p, out);
    else out[rel] = st.size;
  }
}

/**
 * Tables that record calls rather than state: a rejected state-changing call is written to the
 * audit trail on purpose (docs/audit.md: rejected calls are outcomes too), so it is not a change.
 */
export const CALL_RECORDS = ['audit_log'];
/** Bookkeeping of the scheduler's own ticks (which may land during a test): not a request's doing. */
export const TICK_RECORDS = ['reconcile_slots'];

export async function fingerprint(s: TestServer, opts: { excludeTables?: string[] } = {}): Promise<StateFingerprint> {
  const tables: StateFingerprint['tables'] = {};
  const exclude = [...CALL_RECORDS, ...TICK_RECORDS, ...(opts.excludeTables ?? [])];
  for (const t of await tableNames(s)) {
    if (exclude.includes(t)) continue;
    const rows = await sql<Record<string, unknown>>`select * from ${sql.table(t)}`.execute(s.rt.db.kysely);
    const lines = rows.rows.map((r) => JSON.stringify(r, Object.keys(r).sort())).sort();
    tables[t] = { rows: lines.length, hash: createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 16) };
  }
  const objects: Record<string, number> = {};
  const root = s.rt.config.storage.root;
  walk(root, root, objects);
  return { tables, objects };
}

/** What differs between two fingerprints, in words (empty: nothing). */
export function stateDiff(a: StateFingerprint, b: StateFingerprint): string[] {
  const out: string[] = [];
  for (const t of new Set([...Object.keys(a.tables), ...Object.keys(b.tables)])) {
    const x = a.tables[t];
    const y = b.tables[t];
    if (!x || !y) out.push(`table ${t} ${x ? 'disappeared' : 'appeared'}`);
    else if (x.hash !== y.hash) out.push(`table ${t}: ${x.rows} → ${y.rows} rows, contents changed`);
  }
  for (const o of new Set([...Object.keys(a.objects), ...Object.keys(b.objects)])) {
    if (a.objects[o] !== b.objects[o]) out.push(`object ${o}: ${a.objects[o] ?? 'absent'} → ${b.objects[o] ?? 'absent'} bytes`);
  }
  return out;
}
