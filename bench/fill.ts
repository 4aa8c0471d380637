/**
 * Bulk rows for the benches, written by one INSERT … SELECT over a generated series in the
 * database itself (SQLite: a recursive CTE; PostgreSQL: generate_series), so a million rows take
 * seconds. Every row is a valid record of its table; any counters or triggers see each insert.
 */
import { sql } from 'kysely';
import type { Db } from '../src/db/index.js';

/** `n` rows numbered 1..n: the FROM clause for each engine, naming the number `i`. */
function series(db: Db, n: number) {
  return db.dialect === 'sqlite'
    ? sql`(WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < ${sql.lit(n)}) SELECT i FROM g) AS s`
    : sql`generate_series(1, ${sql.lit(n)}) AS s(i)`;
}
const hex32 = (db: Db, tag: string) =>
  db.dialect === 'sqlite' ? sql.raw(`printf('%s%028x', '${tag}', i)`) : sql.raw(`'${tag}' || lpad(to_hex(i), 28, '0')`);
const text = (db: Db, prefix: string) => (db.dialect === 'sqlite' ? sql.raw(`'${prefix}' || i`) : sql.raw(`'${prefix}' || i::text`));
/** yyyy-mm-dd, `i / per` days after 2020-01-01 */
const day = (db: Db, per: number) =>
  db.dialect === 'sqlite'
    ? sql.raw(`date('2020-01-01', '+' || (i / ${per}) || ' days')`)
    : sql.raw(`to_char(date '2020-01-01' + (i / ${per})::int, 'YYYY-MM-DD')`);
const tagOf = () => Math.random().toString(16).slice(2, 6).padEnd(4, '0');

/** CSS log records of one cluster: every tenth FAIL, the rest SUCCESS; one second apart. */
export async function fillCssRecords(db: Db, o: { projectId: string; clusterId: string; count: number; start?: number }): Promise<void> {
  const t = tagOf();
  const start = o.start ?? Date.now() - o.count * 1000;
  await sql`INSERT INTO css_log_records (id, job_id, cluster_id, project_id, job_type, status, bucket, base_path, prefix, created_at, finished_at, failed_msg, manifest_key, slot_key, totals)
    SELECT ${text(db, `rec-${t}-`)}, ${hex32(db, t)}, ${o.clusterId}, ${o.projectId}, 'Manual',
      CASE WHEN i % 10 = 0 THEN 'FAIL' ELSE 'SUCCESS' END, 'bench-logs', 'css/log', ${text(db, `css/log/${o.clusterId}/`)},
      ${sql.lit(start)} + i * 1000, ${sql.lit(start)} + i * 1000 + 500,
      CASE WHEN i % 10 = 0 THEN 'node es-1: /var/log/es/es.log: permission denied' ELSE NULL END,
      CASE WHEN i % 10 = 0 THEN NULL ELSE ${text(db, `css/log/${o.clusterId}/m-`)} END, NULL, NULL
    FROM ${series(db, o.count)}`.execute(db.kysely);
}

/** DCS run-log files of one instance: 100 replicas × count/100 days, all collected. */
export async function fillDcsRedislogs(db: Db, o: { projectId: string; instanceId: string; count: number }): Promise<void> {
  const t = tagOf();
  const now = Date.now();
  const rep = db.dialect === 'sqlite' ? sql.raw(`'r' || (i % 100)`) : sql.raw(`'r' || (i % 100)::text`);
  await sql`INSERT INTO dcs_redislogs (id, project_id, instance_id, replication_id, replication_ip, group_name, day, file_name, status, reason, job_id, bucket, object_key, size, sha256, created_at, updated_at, collected_at, expires_at)
    SELECT ${text(db, `log-${t}-`)}, ${o.projectId}, ${o.instanceId}, ${rep}, '10.0.0.1', 'group-0', ${day(db, 100)},
      'redis_10.0.0.1_' || ${day(db, 100)} || '.log', 'succeed', NULL, ${text(db, `job-${t}-`)}, 'dcs-run-logs', ${text(db, `k/${t}/`)}, 1024, NULL,
      ${sql.lit(now)}, ${sql.lit(now)}, ${sql.lit(now)}, ${sql.lit(now + 365 * 86_400_000)}
    FROM ${series(db, o.count)}`.execute(db.kysely);
}

/** CCE snapshot tasks of one cluster: every tenth Failed, the rest Success. */
export async function fillCceTasks(db: Db, o: { projectId: string; clusterId: string; count: number }): Promise<void> {
  const t = tagOf();
  const start = Date.now() - o.count * 1000;
  await sql`INSERT INTO cce_snapshot_tasks (id, project_id, cluster_id, phase, progress, message, endpoint, etcd_version, revision, db_size, bucket, object_key, size, sha256, created_at, updated_at, completed_at)
    SELECT ${text(db, `task-${t}-`)}, ${o.projectId}, ${o.clusterId}, CASE WHEN i % 10 = 0 THEN 'Failed' ELSE 'Success' END, 100,
      CASE WHEN i % 10 = 0 THEN 'etcd unreachable' ELSE NULL END, 'http://10.0.0.1:2379', '3.5.0', '1', 1024, 'cce-master-snapshots',
      ${text(db, `k/${t}/`)}, 1056, NULL, ${sql.lit(start)} + i * 1000, ${sql.lit(start)} + i * 1000 + 500, ${sql.lit(start)} + i * 1000 + 500
    FROM ${series(db, o.count)}`.execute(db.kysely);
}

/** DWS snapshots of one cluster (the project's only cluster), all AVAILABLE. */
export async function fillDwsSnapshots(db: Db, o: { projectId: string; clusterId: string; count: number }): Promise<void> {
  const t = tagOf();
  const start = Date.now() - o.count * 1000;
  await sql`INSERT INTO dws_snapshots (id, project_id, cluster_id, cluster_name, name, name_lower, description, type, status, bucket, object_key, size_bytes, sha256, failure_reason, job_id, keep_until, started_at, finished_at, updated_at)
    SELECT ${text(db, `snap-${t}-`)}, ${o.projectId}, ${o.clusterId}, 'bench', ${text(db, `bench-${t}-`)}, ${text(db, `bench-${t}-`)}, '', 'MANUAL', 'AVAILABLE',
      'logsnap-dws', ${text(db, `k/${t}/`)}, 1048576, NULL, NULL, NULL, NULL,
      ${sql.lit(start)} + i * 1000, ${sql.lit(start)} + i * 1000 + 500, ${sql.lit(start)} + i * 1000 + 500
    FROM ${series(db, o.count)}`.execute(db.kysely);
}

/**
 * CSS clusters of one project, sharing one encrypted engine value (`engineEnc`, from a cluster
 * registered the normal way), so listing them really decrypts what it shows.
 */
export async function fillCssClusters(db: Db, o: { projectId: string; count: number; engineEnc: string; variant?: string | null }): Promise<void> {
  const t = tagOf();
  const start = Date.now() - o.count * 1000;
  const cols = o.variant === undefined ? sql`` : sql`, variant`;
  const vals = o.variant === undefined ? sql`` : sql`, ${o.variant}`;
  await sql`INSERT INTO clusters (id, project_id, service, name, status, engine_enc, created_at, updated_at${cols})
    SELECT ${text(db, `c-${t}-`)}, ${o.projectId}, 'css', ${text(db, `bench-${t}-`)}, '200', ${o.engineEnc}, ${sql.lit(start)} + i * 1000, ${sql.lit(start)} + i * 1000${vals}
    FROM ${series(db, o.count)}`.execute(db.kysely);
}
