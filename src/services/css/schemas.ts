import { Type } from '@sinclair/typebox';
import { ProjectId, ResourceId } from '../../http/schema.js';

/** Schemas shared by the CSS routes (declared once; validation, serialisation, OpenAPI). */
export const ClusterParams = Type.Object({ project_id: ProjectId, cluster_id: ResourceId });
export const ProjectParams = Type.Object({ project_id: ProjectId });
export const Empty = Type.Object({}, { description: 'no fields (the SDK response has none)' });

export const LogAction = Type.Optional(
  Type.Union([Type.Literal('base_log_collect'), Type.Literal('real_time_log_collect')], {
    description: 'base_log_collect (back logs up to OBS, default); real_time_log_collect is not implemented by logsnap (400)',
  }),
);
export const ActionQuery = Type.Object({ action: LogAction });

const Period = Type.String({ description: 'daily start time, "HH:MM GMT+hh:mm", e.g. "00:00 GMT+08:00"', minLength: 1, maxLength: 32 });
/** OBS bucket names: 3–63 characters (the full rule is checked by the domain: "invalid bucket name …"). */
const Bucket = (description: string) => Type.String({ minLength: 3, maxLength: 63, description });
/** OBS folder: at most 512 characters (css.md §3; the other rules are the domain's). */
const BasePath = (description: string) => Type.String({ minLength: 1, maxLength: 512, description });

export const LogSettingBody = Type.Object({
  agency: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$', 'x-error-code': 'CSS.5130', description: 'IAM agency name: 1–64 letters, digits, "-" and "_" (else 400 CSS.5130)' })),
  log_base_path: Type.Optional(BasePath('folder in the bucket (SDK >= 3.1.156)')),
  logBasePath: Type.Optional(BasePath('older spelling of log_base_path')),
  log_bucket: Type.Optional(Bucket('OBS bucket (SDK >= 3.1.156)')),
  logBucket: Type.Optional(Bucket('older spelling of log_bucket')),
  log_Bucket: Type.Optional(Bucket('spelling seen in a doc example')),
  auto_enable: Type.Optional(Type.Boolean({ description: 'also enable the daily automatic backup' })),
  period: Type.Optional(Period),
  index_prefix: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'real-time collection only (not implemented)' })),
  keep_days: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
  target_cluster_id: Type.Optional(ResourceId),
});

export const PolicyBody = Type.Object({ period: Period });

export const LogConfiguration = Type.Object({
  id: Type.String(), clusterId: Type.String(), obsBucket: Type.String(), agency: Type.String(), updateAt: Type.Number(),
  basePath: Type.String(), autoEnable: Type.Boolean(), period: Type.Union([Type.String(), Type.Null()]), logSwitch: Type.Boolean(),
});

export const LogSettingResponse = Type.Object({
  logConfiguration: Type.Union([LogConfiguration, Type.Null()]),
  realTimeLogCollectRecord: Type.Null({ description: 'real-time collection is not implemented: always null' }),
});

export const LogRecord = Type.Object({
  id: Type.String({ description: 'record UUID' }),
  clusterId: Type.String(),
  createAt: Type.Number({ description: 'epoch ms (a JSON number, as in the service sample)' }),
  logPath: Type.String({ description: '<bucket>/<base path>' }),
  status: Type.String({ description: 'RUNNING, SUCCESS or FAIL' }),
  finishedAt: Type.Union([Type.Number(), Type.Null()]),
  jobTypes: Type.String({ description: 'Manual or Auto' }),
  failedMsg: Type.Union([Type.String(), Type.Null()]),
  jobId: Type.String({ description: '32 hex; also the logsnap job id (GET /logsnap/v1/{project_id}/jobs/{jobId})' }),
});

const Page = (def: number) => Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: def }));

export const ListLogsQuery = Type.Object({
  offset: Page(1),
  limit: Page(10),
  status: Type.Optional(Type.Union([Type.Literal('FAIL'), Type.Literal('NOT_FAIL'), Type.Literal('')], { description: 'FAIL or NOT_FAIL; absent/empty = all' })),
});

export const ListLogsResponse = Type.Object({ clusterLogRecord: Type.Array(LogRecord), totalSize: Type.Number() });

export const ClusterView = Type.Object({
  id: Type.String(), name: Type.String(), status: Type.String(), created: Type.String(), updated: Type.String(),
  datastore: Type.Object({ type: Type.String(), version: Type.String() }),
  endpoint: Type.String(),
  actions: Type.Array(Type.String()),
  actionProgress: Type.Record(Type.String(), Type.String()),
  instances: Type.Array(Type.Object({ status: Type.String(), type: Type.String(), id: Type.String(), name: Type.String(), ip: Type.String() })),
  enterpriseProjectId: Type.String(),
  tags: Type.Array(Type.Object({ key: Type.String(), value: Type.String() })),
  httpsEnable: Type.Boolean(), authorityEnable: Type.Boolean(), diskEncrypted: Type.Boolean(), backupAvailable: Type.Boolean(), period: Type.Boolean(),
});

export const ListClustersQuery = Type.Object({
  offset: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  start: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'alias of offset seen in doc examples' })),
  limit: Page(10),
  datastoreType: Type.Optional(Type.Union([Type.Literal('elasticsearch'), Type.Literal('logstash'), Type.Literal('opensearch')])),
});

export const ListClustersResponse = Type.Object({ totalSize: Type.Number(), clusters: Type.Array(ClusterView) });
