/** Wire schemas of the DWS snapshot operations (dws.md), declared once, and row → view mapping. */
import { Type, type Static } from '@sinclair/typebox';
import { gigabytes, isoSeconds, NAME_RE } from './rules.js';
import { Offset0, ProjectId, ResourceId } from '../../http/schema.js';
import type { PolicyRow, SnapshotRow, StrategyRow } from './tables.js';

export const ProjectParams = Type.Object({ project_id: ProjectId });
export const SnapshotParams = Type.Object({ project_id: ProjectId, snapshot_id: ResourceId });
export const ClusterParams = Type.Object({ project_id: ProjectId, cluster_id: ResourceId });
export const PolicyParams = Type.Object({ project_id: ProjectId, cluster_id: ResourceId, id: ResourceId });

/** Snapshot and cluster names (dws.md §1, §5): 4–64 characters, a letter first, letters/digits/-/_. */
const Name = (code: 'DWS.0001' | 'DWS.5057', description: string) =>
  Type.String({ minLength: 4, maxLength: 64, pattern: NAME_RE.source, 'x-error-code': code, description });

export const SnapshotView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  started: Type.String({ description: 'YYYY-MM-DDThh:mm:ssZ (UTC)' }),
  finished: Type.Union([Type.String(), Type.Null()], { description: 'null while CREATING' }),
  size: Type.Number({ description: 'archive size in GB (2^30 bytes), 0 while CREATING' }),
  status: Type.String({ description: 'CREATING | AVAILABLE | UNAVAILABLE' }),
  type: Type.String({ description: 'MANUAL | AUTO' }),
  cluster_id: Type.String(),
  cluster_name: Type.String(),
  updated: Type.String(),
  backup_device: Type.String(),
  backup_level: Type.String(),
  bak_keep_day: Type.Optional(Type.Number()),
  // logsnap extensions
  size_bytes: Type.Number({ description: 'logsnap extension: exact archive size in bytes' }),
  sha256: Type.Union([Type.String(), Type.Null()], { description: 'logsnap extension: sha256 of the pg_dump archive' }),
  failure_reason: Type.Optional(Type.String({ description: 'logsnap extension: why the snapshot is UNAVAILABLE' })),
  job_id: Type.Optional(Type.String({ description: 'logsnap extension: the job that created it (GET /logsnap/v1/{project_id}/jobs/{job_id})' })),
});
export type SnapshotViewT = Static<typeof SnapshotView>;

export function snapshotView(r: SnapshotRow): SnapshotViewT {
  const v: SnapshotViewT = {
    id: r.id, name: r.name, description: r.description,
    started: isoSeconds(r.started_at), finished: r.finished_at === null ? null : isoSeconds(r.finished_at),
    size: gigabytes(r.size_bytes), status: r.status, type: r.type, cluster_id: r.cluster_id, cluster_name: r.cluster_name,
    updated: isoSeconds(r.updated_at), backup_device: 'OBS', backup_level: 'cluster',
    size_bytes: r.size_bytes, sha256: r.sha256,
  };
  if (r.keep_until !== null) v.bak_keep_day = Math.round((r.keep_until - r.started_at) / 86_400_000);
  if (r.failure_reason) v.failure_reason = r.failure_reason;
  if (r.job_id) v.job_id = r.job_id;
  return v;
}

export const CreateSnapshotBody = Type.Object({
  snapshot: Type.Object({
    name: Name('DWS.0001', 'unique in the project, case-insensitive'),
    cluster_id: ResourceId,
    description: Type.Optional(Type.String({ maxLength: 256, pattern: '^[^!<>\'=&"]*$', 'x-multiline': true, description: 'at most 256 characters, none of ! < > \' = & "' })),
  }),
});

/** SDK `PublicIp` (dws.md §5). */
const PublicIp = Type.Object({
  public_bind_type: Type.Optional(Type.Union([Type.Literal('auto_assign'), Type.Literal('not_use'), Type.Literal('bind_existing')])),
  eip_id: Type.Optional(Type.String({ maxLength: 64 })),
  ip_type: Type.Optional(Type.String({ maxLength: 32 })),
  eip_address: Type.Optional(Type.String({ maxLength: 64 })),
  band_width: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, description: 'Mbit/s' })),
  status: Type.Optional(Type.String({ maxLength: 64 })),
  error_message: Type.Optional(Type.String({ maxLength: 1024 })),
});

export const RestoreBody = Type.Object({
  restore: Type.Object({
    name: Name('DWS.5057', 'the new cluster; unique in the project'),
    subnet_id: Type.Optional(ResourceId),
    security_group_id: Type.Optional(ResourceId),
    vpc_id: Type.Optional(ResourceId),
    availability_zone: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535, description: 'database port' })),
    public_ip: Type.Optional(PublicIp),
    enterprise_project_id: Type.Optional(ResourceId),
    ipv6_enable: Type.Optional(Type.Boolean()),
    number_of_cn: Type.Optional(Type.Integer({ minimum: 1, maximum: 256, description: 'coordinator nodes (SDK only)' })),
  }),
});

export const SORT_KEY_VALUES = ['started', 'finished', 'name', 'size', 'status', 'type'] as const;
/** ListSnapshots has no paging in the Huawei API: these are logsnap extensions (at most 1000 per answer). */
export const ListSnapshotsQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'logsnap extension: snapshots per answer (default and maximum 1000)' })),
  offset: Type.Optional(Type.Integer({ minimum: 0, description: 'logsnap extension: snapshots to skip, newest first (default 0)' })),
});

export const ListClusterSnapshotsQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  offset: Type.Optional(Offset0('page offset (page number − 1)')),
  sort_key: Type.Optional(Type.Union(SORT_KEY_VALUES.map((k) => Type.Literal(k)), { description: 'started (default), finished, name, size, status, type' })),
  sort_dir: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')])),
});

const StrategyFields = {
  policy_id: Type.Optional(ResourceId),
  policy_name: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  backup_strategy: Type.String({ minLength: 1, maxLength: 128, description: 'Quartz-style cron, e.g. "0 0 2 * * ?" (UTC)' }),
  backup_type: Type.Optional(Type.String({ maxLength: 32, description: 'full | increment' })),
  backup_level: Type.Optional(Type.String({ maxLength: 32, description: 'cluster (schema and table are not supported)' })),
  next_fire_time: Type.Optional(Type.String({ maxLength: 64 })),
  update_time: Type.Optional(Type.String({ maxLength: 64 })),
  time_zone_offset: Type.Optional(Type.Integer({ minimum: -1440, maximum: 1440, description: 'only 0 is supported (UTC)' })),
  backup_database: Type.Optional(Type.String({ maxLength: 128 })),
  backup_schema_list: Type.Optional(Type.String({ maxLength: 4096 })),
  backup_table_list: Type.Optional(Type.String({ maxLength: 4096 })),
};

export const PutPolicyBody = Type.Object({
  keep_day: Type.Optional(Type.Integer({ minimum: 1, maximum: 31, description: 'days automated snapshots are kept' })),
  backup_strategies: Type.Optional(Type.Array(Type.Object(StrategyFields), { maxItems: 16 })),
  device_name: Type.Optional(Type.String({ maxLength: 32, description: 'OBS (the only device logsnap has)' })),
  server_port: Type.Optional(Type.String({ maxLength: 5, pattern: '^[0-9]{1,5}$', description: 'a port number, as text' })),
  backup_param: Type.Optional(Type.String({ maxLength: 1024 })),
  server_ips: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 32 })),
  auto_backup: Type.Optional(Type.Boolean()),
});

export const StrategyView = Type.Object({
  policy_id: Type.String(), policy_name: Type.String(), backup_strategy: Type.String(),
  backup_type: Type.String(), backup_level: Type.String(),
  next_fire_time: Type.Union([Type.String(), Type.Null()]), update_time: Type.String(),
  time_zone_offset: Type.Number(), backup_database: Type.String(), backup_schema_list: Type.String(), backup_table_list: Type.String(),
});

export const PolicyView = Type.Object({
  keep_day: Type.Number(),
  backup_strategies: Type.Array(StrategyView),
  device_name: Type.String(),
  server_ips: Type.Array(Type.String()),
  server_port: Type.Union([Type.String(), Type.Null()]),
  backup_param: Type.Union([Type.String(), Type.Null()]),
  auto_backup: Type.Boolean(),
  backup_strategy_cluster_type_limit_num: Type.Number(),
  backup_strategy_schema_type_limit_num: Type.Number(),
});

export function policyView(p: PolicyRow | undefined, strategies: StrategyRow[], nextFire: (expr: string) => number | null, limit: number): Static<typeof PolicyView> {
  return {
    keep_day: p?.keep_day ?? 7,
    backup_strategies: strategies.map((s) => {
      const n = nextFire(s.backup_strategy);
      return {
        policy_id: s.id, policy_name: s.policy_name, backup_strategy: s.backup_strategy, backup_type: s.backup_type,
        backup_level: s.backup_level, next_fire_time: n === null ? null : isoSeconds(n), update_time: isoSeconds(s.updated_at),
        time_zone_offset: 0, backup_database: '', backup_schema_list: '', backup_table_list: '',
      };
    }),
    device_name: p?.device_name ?? 'OBS',
    server_ips: p ? (JSON.parse(p.server_ips) as string[]) : [],
    server_port: p?.server_port ?? null,
    backup_param: p?.backup_param ?? null,
    auto_backup: p ? p.auto_backup === 1 : false,
    backup_strategy_cluster_type_limit_num: limit,
    backup_strategy_schema_type_limit_num: 0,
  };
}
