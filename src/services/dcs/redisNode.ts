import { isAbsolute, resolve } from 'node:path';
import type { Redis } from 'ioredis';
import { redactUrlPassword, scrubSecrets } from '../../security/redact.js';
import type { DcsNodeT } from './engine.js';

/**
 * The Redis adapter of the DCS service: talk to one node (PING, CONFIG GET) with short
 * timeouts and no retries. Messages never carry the node's password.
 */
export class NodeProblem extends Error {}

function secretsOf(url: string): string[] {
  try {
    const u = new URL(url);
    return [u.password, decodeURIComponent(u.password)].filter(Boolean);
  } catch {
    return [];
  }
}

function describe(url: string, err: unknown): string {
  const msg = (err as Error)?.message ?? String(err);
  return scrubSecrets(msg, secretsOf(url));
}

export async function withNode<T>(node: DcsNodeT, timeoutMs: number, fn: (r: Redis) => Promise<T>): Promise<T> {
  const where = redactUrlPassword(node.url);
  // loaded on first use: a process that never collects DCS logs does not carry the client (~15 MB RSS)
  const { Redis } = await import('ioredis');
  const redis = new Redis(node.url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    reconnectOnError: () => false,
  });
  redis.on('error', () => {
    /* surfaced by the command that fails */
  });
  try {
    let timer: NodeJS.Timeout | undefined;
    try {
      const deadline = new Promise<never>((_, rej) => {
        timer = setTimeout(() => rej(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      });
      await Promise.race([
        (async () => {
          await redis.connect();
          const pong = await redis.ping();
          if (pong !== 'PONG') throw new Error(`unexpected PING answer ${JSON.stringify(pong).slice(0, 40)}`);
        })(),
        deadline,
      ]);
    } catch (e) {
      throw new NodeProblem(`Redis node ${node.replicationId} at ${where} did not answer PING: ${describe(node.url, e)}`);
    } finally {
      clearTimeout(timer);
    }
    return await fn(redis);
  } finally {
    redis.disconnect();
  }
}

async function configGet(redis: Redis, node: DcsNodeT, name: string): Promise<string> {
  try {
    const r = (await redis.call('CONFIG', 'GET', name)) as unknown;
    if (!Array.isArray(r) || r.length < 2 || typeof r[1] !== 'string') throw new Error(`unexpected answer ${JSON.stringify(r).slice(0, 80)}`);
    return r[1];
  } catch (e) {
    throw new NodeProblem(
      `Redis node ${node.replicationId} refused CONFIG GET ${name} (${describe(node.url, e)}); register the node with "logFile" set to the path of its log file`,
    );
  }
}

/**
 * Where the node's log is, as logsnap sees it: the registered `logFile`, else what Redis
 * reports (`CONFIG GET logfile`, relative to `CONFIG GET dir`). Redis logging to stdout
 * (logfile "") is a NodeProblem.
 */
export async function resolveLogFile(redis: Redis, node: DcsNodeT): Promise<{ path: string; source: 'registered' | 'redis' }> {
  if (node.logFile) return { path: node.logFile, source: 'registered' };
  const logfile = await configGet(redis, node, 'logfile');
  if (logfile === '') {
    throw new NodeProblem(
      `Redis node ${node.replicationId} logs to standard output (its "logfile" setting is empty), so there is no log file to collect; set "logfile" in redis.conf, or register the node with "logFile" if its output is captured to a file`,
    );
  }
  if (isAbsolute(logfile)) return { path: logfile, source: 'redis' };
  const dir = await configGet(redis, node, 'dir');
  return { path: resolve(dir, logfile), source: 'redis' };
}

/** The node's Redis version (INFO server), or null when it does not say. */
export async function redisVersion(redis: Redis): Promise<string | null> {
  try {
    return /^redis_version:(\S+)/m.exec(await redis.info('server'))?.[1] ?? null;
  } catch {
    return null;
  }
}
