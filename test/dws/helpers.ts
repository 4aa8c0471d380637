/** Shared helpers of the DWS tests: real PostgreSQL databases as DWS clusters. */
import pg from 'pg';
import { PG_ADMIN_URL } from '../helpers/server.js';
import { op, type HcClient } from '../helpers/sdk.js';
import { eventually } from '../helpers/server.js';

export async function sql<T = any>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text, params)).rows as T[];
  } finally {
    await c.end();
  }
}

/** A few tables with text, numeric, jsonb and bytea, and a two-account ledger. */
export async function seedWarehouse(url: string, rows = 500): Promise<void> {
  await sql(url, `
    create table items(id int primary key, label text not null, price numeric(20,6), attrs jsonb, blob bytea);
    insert into items select g, 'row ' || g || ' ✓ ''quoted''', g * 1.5 + 0.000001, jsonb_build_object('g', g, 'tags', jsonb_build_array('a', g)), decode(md5(g::text), 'hex')
      from generate_series(1, ${rows}) g;
    create table accounts(id int primary key, balance bigint not null);
    insert into accounts values (1, 1000000), (2, 0);
    create table ledger(id bigserial primary key, amount int not null, at timestamptz default now());
    create view rich as select * from accounts where balance > 10;
  `);
}

/** md5 of every row of every user table, in primary-key order. */
export async function fingerprint(url: string): Promise<Record<string, string>> {
  const tables = await sql<{ t: string }>(url, `select table_name as t from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`);
  const out: Record<string, string> = {};
  for (const { t } of tables) {
    const [r] = await sql<{ h: string; n: string }>(url, `select md5(coalesce(string_agg(x::text, '|' order by x.id), '')) as h, count(*) as n from "${t}" x`);
    out[t] = `${r.n}:${r.h}`;
  }
  return out;
}

export function dbUrl(name: string): string {
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function dropDatabase(name: string): Promise<void> {
  await sql(PG_ADMIN_URL, `drop database if exists "${name}" with (force)`);
}

/** Poll ListSnapshotDetails until the snapshot leaves CREATING. */
export async function settled(client: HcClient, projectId: string, id: string, timeoutMs = 60_000): Promise<Record<string, any>> {
  return eventually(async () => {
    const r = await op(client, { method: 'GET', url: '/v1.0/{project_id}/snapshots/{snapshot_id}', pathParams: { project_id: projectId, snapshot_id: id } });
    return r.snapshot.status !== 'CREATING' ? r.snapshot : undefined;
  }, timeoutMs, `snapshot ${id} to settle`);
}
