/**
 * Every event type logsnap sends (docs/notifications.md lists the same, with their data).
 * Job events come in threes — `<family>.started` (each attempt), `.succeeded`, `.failed` — for
 * every job kind that declares a family (see JobEventSpec in ./jobEvents.ts).
 */
export const EVENT_TYPES = {
  'logsnap.css.backup.started': 'a CSS log backup (CreateLogBackup, or the daily Auto policy) started copying',
  'logsnap.css.backup.succeeded': 'a CSS log backup finished: its record is SUCCESS, the manifest is stored',
  'logsnap.css.backup.failed': 'a CSS log backup failed: its record is FAIL with this failedMsg',
  'logsnap.dcs.runlog.started': 'a DCS run-log collection (CreateRedislog) started reading the Redis log',
  'logsnap.dcs.runlog.succeeded': 'a DCS run-log collection finished: its day files are "succeed"',
  'logsnap.dcs.runlog.failed': 'a DCS run-log collection failed: its day files are "failed" with this reason',
  'logsnap.dcs.runlog.expired': 'a DCS run-log file reached the end of its 7 days and was deleted',
  'logsnap.cce.snapshot.started': 'a CCE master snapshot (CreateClusterMasterSnapshot) started streaming from etcd',
  'logsnap.cce.snapshot.succeeded': 'a CCE master snapshot finished: its task is Success',
  'logsnap.cce.snapshot.failed': 'a CCE master snapshot failed: its task is Failed with this message',
  'logsnap.dws.snapshot.started': 'a DWS snapshot (CreateSnapshot, or an automated policy) started pg_dump',
  'logsnap.dws.snapshot.succeeded': 'a DWS snapshot finished: it is AVAILABLE',
  'logsnap.dws.snapshot.failed': 'a DWS snapshot failed: it is UNAVAILABLE with this reason',
  'logsnap.dws.snapshot.deleted': 'a DWS snapshot was deleted (DeleteSnapshot)',
  'logsnap.dws.snapshot.expired': 'an automated DWS snapshot passed its keep_day and was deleted by retention',
  'logsnap.dws.restore.started': 'a DWS restore (RestoreCluster) started pg_restore into a new cluster',
  'logsnap.dws.restore.succeeded': 'a DWS restore finished: the new cluster is AVAILABLE',
  'logsnap.dws.restore.failed': 'a DWS restore failed: the new cluster is UNAVAILABLE',
  'logsnap.webhook.ping': 'sent by POST …/webhooks/{id}/ping, to try a subscription',
} as const;

export type EventType = keyof typeof EVENT_TYPES;
export const ALL_EVENT_TYPES = Object.keys(EVENT_TYPES) as EventType[];

export function isEventType(t: string): t is EventType {
  return Object.hasOwn(EVENT_TYPES, t);
}

/** Subscription filters: exact type names, or patterns where `*` stands for any characters (`logsnap.css.*`, `*.failed`). */
export function patternRegExp(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

/** A filter problem (unknown type, a pattern that matches nothing), or null. */
export function filterProblem(pattern: string): string | null {
  if (!/^[a-z0-9.*_-]{1,100}$/.test(pattern)) return `event filter ${JSON.stringify(pattern.slice(0, 100))} may only hold a-z, 0-9, ".", "-", "_" and "*"`;
  const re = patternRegExp(pattern);
  if (!ALL_EVENT_TYPES.some((t) => re.test(t))) {
    return `event filter ${JSON.stringify(pattern)} matches no event type; known types: ${ALL_EVENT_TYPES.join(', ')}`;
  }
  return null;
}

/** Whether a subscription with these filters (null: all) receives `type`. Ping always reaches its subscription. */
export function wants(filters: string[] | null, type: string): boolean {
  if (!filters || type === 'logsnap.webhook.ping') return true;
  return filters.some((f) => f === type || (f.includes('*') && patternRegExp(f).test(type)));
}
