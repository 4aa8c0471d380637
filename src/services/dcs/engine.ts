import { Type, type Static } from '@sinclair/typebox';
import { redactUrlPassword } from '../../security/redact.js';
import type { EngineSpec } from '../../clusters/clusters.js';
import { probeDcs } from './probe.js';

/** IANA zone name shape (e.g. `UTC`, `Asia/Shanghai`); checked for real with Intl when used. */
const TimeZone = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z][A-Za-z0-9_+\\-]*(/[A-Za-z0-9_+\\-]+)*$' });

export const DcsNode = Type.Object(
  {
    /** replica id, the `replication_id` of CreateRedislog */
    replicationId: Type.String({ minLength: 1, maxLength: 64 }),
    /** shown as `replication_ip` and used in file names `redis_<ip>_<yyyy-mm-dd>.log` */
    ip: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9.:_-]+$' }),
    /** redis://[user:password@]host:port[/db] (rediss:// for TLS) */
    url: Type.String({ pattern: '^rediss?://' }),
    /** the Redis log file as logsnap sees it; default: what the node reports (CONFIG GET logfile/dir) */
    logFile: Type.Optional(Type.String({ minLength: 1 })),
    /** shard name shown as `group_name`; default `group-0` */
    groupName: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    /** zone Redis writes its log timestamps in (the Redis host's local time); default: the instance's */
    timeZone: Type.Optional(TimeZone),
  },
  { additionalProperties: false },
);

/** A DCS instance: its Redis nodes (replicas) and where each writes its log. */
export const DcsEngine = Type.Object(
  {
    nodes: Type.Array(DcsNode, { minItems: 1, maxItems: 200 }),
    /** default zone of the nodes' log timestamps; default `UTC` */
    timeZone: Type.Optional(TimeZone),
  },
  { additionalProperties: false },
);

export type DcsEngineT = Static<typeof DcsEngine>;
export type DcsNodeT = Static<typeof DcsNode>;

export const DEFAULT_GROUP = 'group-0';
export const DEFAULT_TIME_ZONE = 'UTC';

export function nodeTimeZone(engine: DcsEngineT, node: DcsNodeT): string {
  return node.timeZone ?? engine.timeZone ?? DEFAULT_TIME_ZONE;
}

export const dcsEngineSpec: EngineSpec = {
  schema: DcsEngine,
  defaultStatus: 'RUNNING',
  probe: probeDcs,
  redact: (e) => {
    const eng = e as { nodes: { url: string }[] };
    return { ...eng, nodes: eng.nodes.map((n) => ({ ...n, url: redactUrlPassword(n.url) })) };
  },
};
