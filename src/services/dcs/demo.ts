import { access, constants } from 'node:fs/promises';
import type { ServiceDeps } from '../types.js';
import type { DcsEngineT } from './engine.js';
import { resolveLogFile, withNode } from './redisNode.js';

const LOCAL_REDIS = 'redis://127.0.0.1:6379';

/**
 * Embedded default, first start: when a Redis answers on 127.0.0.1:6379 and its log file is
 * readable here, register it as a single-node DCS instance. Otherwise nothing (quietly).
 */
export async function demoInstance(deps: ServiceDeps, projectId: string): Promise<string[]> {
  const node = { replicationId: 'local-0', ip: '127.0.0.1', url: LOCAL_REDIS, groupName: 'group-0' };
  let logFile: string;
  try {
    logFile = await withNode(node, 1000, async (r) => (await resolveLogFile(r, node)).path);
    await access(logFile, constants.R_OK);
  } catch {
    return [];
  }
  // a Redis on this host stamps its log in this host's zone
  const engine: DcsEngineT = { timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone, nodes: [node] };
  const inst = await deps.clusters.register({ projectId, service: 'dcs', name: 'local-redis', engine });
  return [`dcs: instance ${inst.id} = the Redis on 127.0.0.1:6379 (log ${logFile}); try CreateRedislog?log_type=run`];
}
