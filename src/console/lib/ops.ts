/**
 * Every API operation the console calls, as the server's OpenAPI document names it (a test checks
 * this table against /openapi.json). The console has no private API: these are the same calls the
 * SDKs, the CLI and curl make.
 */
export type Auth = 'project' | 'admin' | 'project-or-admin';

export interface Op {
  operationId: string;
  /** the OpenAPI tag: `logsnap call <tag> <operationId>` */
  tag: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** with `{param}` placeholders */
  path: string;
  auth: Auth;
  /** the official SDK package and client class serving it */
  sdk?: { pkg: string; client: string };
}

const CSS = { pkg: '@huaweicloud/huaweicloud-sdk-css', client: 'CssClient' };
const DCS = { pkg: '@huaweicloud/huaweicloud-sdk-dcs', client: 'DcsClient' };
const CCE = { pkg: '@huaweicloud/huaweicloud-sdk-cce', client: 'CceClient' };
const DWS = { pkg: '@huaweicloud/huaweicloud-sdk-dws', client: 'DwsClient' };

const op = (operationId: string, tag: string, method: Op['method'], path: string, auth: Auth, sdk?: Op['sdk']): Op => ({ operationId, tag, method, path, auth, sdk });
const cssCluster = '/v1.0/{project_id}/clusters/{cluster_id}';
const dcsLogs = '/v2/{project_id}/instances/{instance_id}/redislog';
const cceSnap = (prefix: string) => `${prefix}/projects/{project_id}/clusters/{cluster_id}/operation/snapshot`;

export const OPS = {
  // CSS
  ShowClusterDetail: op('ShowClusterDetail', 'css', 'GET', cssCluster, 'project', CSS),
  ShowGetLogSetting: op('ShowGetLogSetting', 'css', 'GET', `${cssCluster}/logs/settings`, 'project', CSS),
  StartLogs: op('StartLogs', 'css', 'POST', `${cssCluster}/logs/open`, 'project', CSS),
  UpdateLogSetting: op('UpdateLogSetting', 'css', 'POST', `${cssCluster}/logs/settings`, 'project', CSS),
  StopLogs: op('StopLogs', 'css', 'PUT', `${cssCluster}/logs/close`, 'project', CSS),
  StartLogAutoBackupPolicy: op('StartLogAutoBackupPolicy', 'css', 'POST', `${cssCluster}/logs/policy/update`, 'project', CSS),
  StopLogAutoBackupPolicy: op('StopLogAutoBackupPolicy', 'css', 'PUT', `${cssCluster}/logs/policy/close`, 'project', CSS),
  CreateLogBackup: op('CreateLogBackup', 'css', 'POST', `${cssCluster}/logs/collect`, 'project', CSS),
  ListLogsJob: op('ListLogsJob', 'css', 'GET', `${cssCluster}/logs/records`, 'project', CSS),
  // DCS
  CreateRedislog: op('CreateRedislog', 'dcs', 'POST', dcsLogs, 'project', DCS),
  ListRedislog: op('ListRedislog', 'dcs', 'GET', dcsLogs, 'project', DCS),
  CreateRedislogDownloadLink: op('CreateRedislogDownloadLink', 'dcs', 'POST', `${dcsLogs}/{id}/links`, 'project', DCS),
  // CCE
  CreateClusterMasterSnapshot: op('CreateClusterMasterSnapshot', 'cce', 'POST', cceSnap('/api/v3.1'), 'project', CCE),
  ListClusterMasterSnapshotTasks: op('ListClusterMasterSnapshotTasks', 'cce', 'GET', `${cceSnap('/api/v3.1')}/tasks`, 'project', CCE),
  CreateAutopilotClusterMasterSnapshot: op('CreateAutopilotClusterMasterSnapshot', 'cce', 'POST', cceSnap('/autopilot/v3.1'), 'project', CCE),
  ListAutopilotClusterMasterSnapshotTasks: op('ListAutopilotClusterMasterSnapshotTasks', 'cce', 'GET', `${cceSnap('/autopilot/v3.1')}/tasks`, 'project', CCE),
  // DWS
  CreateSnapshot: op('CreateSnapshot', 'dws', 'POST', '/v1.0/{project_id}/snapshots', 'project', DWS),
  ListClusterSnapshots: op('ListClusterSnapshots', 'dws', 'GET', '/v1.0/{project_id}/clusters/{cluster_id}/snapshots', 'project', DWS),
  DeleteSnapshot: op('DeleteSnapshot', 'dws', 'DELETE', '/v1.0/{project_id}/snapshots/{snapshot_id}', 'project', DWS),
  RestoreCluster: op('RestoreCluster', 'dws', 'POST', '/v1.0/{project_id}/snapshots/{snapshot_id}/actions', 'project', DWS),
  ListSnapshotPolicy: op('ListSnapshotPolicy', 'dws', 'GET', '/v2/{project_id}/clusters/{cluster_id}/snapshot-policies', 'project', DWS),
  CreateSnapshotPolicy: op('CreateSnapshotPolicy', 'dws', 'PUT', '/v2/{project_id}/clusters/{cluster_id}/snapshot-policies', 'project', DWS),
  DeleteSnapshotPolicy: op('DeleteSnapshotPolicy', 'dws', 'DELETE', '/v1.0/{project_id}/clusters/{cluster_id}/snapshot-policies/{id}', 'project', DWS),
  // logsnap: the console's read API (admin token or project credential)
  ShowSession: op('ShowSession', 'console', 'GET', '/logsnap/v1/session', 'project-or-admin'),
  ShowOverview: op('ShowOverview', 'console', 'GET', '/logsnap/v1/overview', 'project-or-admin'),
  ShowStorageUsage: op('ShowStorageUsage', 'console', 'GET', '/logsnap/v1/storage', 'project-or-admin'),
  ListConsoleClusters: op('ListConsoleClusters', 'console', 'GET', '/logsnap/v1/clusters', 'project-or-admin'),
  ShowConsoleCluster: op('ShowConsoleCluster', 'console', 'GET', '/logsnap/v1/clusters/{cluster_id}', 'project-or-admin'),
  ListClusterRuns: op('ListClusterRuns', 'console', 'GET', '/logsnap/v1/clusters/{cluster_id}/runs', 'project-or-admin'),
  ListConsoleJobs: op('ListConsoleJobs', 'console', 'GET', '/logsnap/v1/jobs', 'project-or-admin'),
  ShowConsoleJob: op('ShowConsoleJob', 'console', 'GET', '/logsnap/v1/jobs/{job_id}', 'project-or-admin'),
  ListJobArtifacts: op('ListJobArtifacts', 'console', 'GET', '/logsnap/v1/jobs/{job_id}/artifacts', 'project-or-admin'),
  CreateArtifactLink: op('CreateArtifactLink', 'console', 'POST', '/logsnap/v1/jobs/{job_id}/artifacts/link', 'project-or-admin'),
  StreamJobEvents: op('StreamJobEvents', 'console', 'GET', '/logsnap/v1/events', 'project-or-admin'),
  // admin API
  AdminListProjects: op('AdminListProjects', 'admin', 'GET', '/admin/v1/projects', 'admin'),
  AdminCreateProject: op('AdminCreateProject', 'admin', 'POST', '/admin/v1/projects', 'admin'),
  AdminDeleteProject: op('AdminDeleteProject', 'admin', 'DELETE', '/admin/v1/projects/{project_id}', 'admin'),
  AdminListCredentials: op('AdminListCredentials', 'admin', 'GET', '/admin/v1/projects/{project_id}/credentials', 'admin'),
  AdminCreateCredential: op('AdminCreateCredential', 'admin', 'POST', '/admin/v1/projects/{project_id}/credentials', 'admin'),
  AdminDeleteCredential: op('AdminDeleteCredential', 'admin', 'DELETE', '/admin/v1/projects/{project_id}/credentials/{ak}', 'admin'),
  AdminIssueToken: op('AdminIssueToken', 'admin', 'POST', '/admin/v1/projects/{project_id}/tokens', 'admin'),
  AdminListTokens: op('AdminListTokens', 'admin', 'GET', '/admin/v1/projects/{project_id}/tokens', 'admin'),
  AdminRevokeToken: op('AdminRevokeToken', 'admin', 'DELETE', '/admin/v1/projects/{project_id}/tokens/{token_id}', 'admin'),
  AdminListClusters: op('AdminListClusters', 'admin', 'GET', '/admin/v1/projects/{project_id}/clusters', 'admin'),
  AdminCreateCluster: op('AdminCreateCluster', 'admin', 'POST', '/admin/v1/projects/{project_id}/clusters', 'admin'),
  AdminUpdateCluster: op('AdminUpdateCluster', 'admin', 'PATCH', '/admin/v1/projects/{project_id}/clusters/{cluster_id}', 'admin'),
  AdminDeleteCluster: op('AdminDeleteCluster', 'admin', 'DELETE', '/admin/v1/projects/{project_id}/clusters/{cluster_id}', 'admin'),
  AdminProbeCluster: op('AdminProbeCluster', 'admin', 'POST', '/admin/v1/projects/{project_id}/clusters/probe', 'admin'),
  AdminListEngineSchemas: op('AdminListEngineSchemas', 'admin', 'GET', '/admin/v1/engine-schemas', 'admin'),
} satisfies Record<string, Op>;

export type OpName = keyof typeof OPS;

/** One call: the operation and its parameters (what the preview renders and the client sends). */
export interface Call {
  op: Op;
  path?: Record<string, string>;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
}

/** `/v1.0/{project_id}/…` with the path parameters filled in (URL-encoded). */
export function fillPath(c: Call): string {
  return c.op.path.replace(/\{(\w+)\}/g, (_, k: string) => {
    const v = c.path?.[k];
    if (v === undefined) throw new Error(`${c.op.operationId}: missing path parameter ${k}`);
    return encodeURIComponent(v);
  });
}

/** The query string (leading `?`), undefined values left out. */
export function queryString(c: Call): string {
  const q = Object.entries(c.query ?? {}).filter(([, v]) => v !== undefined && v !== '');
  if (!q.length) return '';
  return `?${q.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join('&')}`;
}
