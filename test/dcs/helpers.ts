import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { op, opWithHeaders, type HcClient } from '../helpers/sdk.js';
import { eventually, type TestServer } from '../helpers/server.js';

export const REDIS_URL = process.env.LOGSNAP_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

let redisOk: Promise<boolean> | undefined;
/** Whether the real Redis answers PING. Under CI=true a missing Redis is a failure, never a skip. */
export async function redisSkip(): Promise<string | false> {
  redisOk ??= (async () => {
    const r = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0, retryStrategy: () => null });
    r.on('error', () => undefined);
    try {
      await r.connect();
      return (await r.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      r.disconnect();
    }
  })();
  if (await redisOk) return false;
  if (process.env.CI === 'true') throw new Error(`CI=true but Redis is not reachable at ${REDIS_URL}`);
  return `Redis not reachable at ${REDIS_URL}`;
}

/** A real redis-server logging to stdout (logfile ""), on a free port; null when the binary is missing. */
export async function startStdoutRedis(): Promise<{ url: string; stop(): Promise<void> } | null> {
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    if (process.env.CI === 'true') throw new Error('CI=true but redis-server is not installed');
    return null;
  }
  const port = await freePort();
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--logfile', ''], { stdio: ['ignore', 'ignore', 'ignore'] });
  const url = `redis://127.0.0.1:${port}`;
  await eventually(async () => {
    const r = new Redis(url, { lazyConnect: true, connectTimeout: 500, maxRetriesPerRequest: 0, retryStrategy: () => null });
    r.on('error', () => undefined);
    try {
      await r.connect();
      return (await r.ping()) === 'PONG';
    } finally {
      r.disconnect();
    }
  }, 10_000, 'redis-server to start');
  return {
    url,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A TCP peer that accepts connections and never answers (a hung Redis). */
export async function startSilentPeer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `redis://127.0.0.1:${port}`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

export const URLS = {
  collect: '/v2/{project_id}/instances/{instance_id}/redislog',
  list: '/v2/{project_id}/instances/{instance_id}/redislog',
  link: '/v2/{project_id}/instances/{instance_id}/redislog/{id}/links',
};

/** CreateRedislog through the SDK; also returns the X-Logsnap-Job-Id response header. */
export async function collect(c: HcClient, instanceId: string, q: Record<string, unknown>) {
  const { body, headers } = await opWithHeaders(c, { method: 'POST', url: URLS.collect, pathParams: { instance_id: instanceId }, queryParams: q });
  return { ...body, jobId: headers['x-logsnap-job-id'] };
}
export function list(c: HcClient, instanceId: string, q: Record<string, unknown> = { log_type: 'run' }) {
  return op(c, { method: 'GET', url: URLS.list, pathParams: { instance_id: instanceId }, queryParams: q });
}
export function link(c: HcClient, instanceId: string, id: string) {
  return op(c, { method: 'POST', url: URLS.link, pathParams: { instance_id: instanceId, id } });
}

/** Follow the job a CreateRedislog started until it ends. */
export async function waitJob(s: TestServer, jobId: string): Promise<{ state: string; error: string | null; result: any }> {
  const job = await eventually(async () => {
    const j = await s.rt.queue.get(jobId);
    return j && (j.state === 'SUCCEEDED' || j.state === 'FAILED') ? j : null;
  }, 30_000, `job ${jobId}`);
  return { state: job.state, error: job.error, result: job.result ? JSON.parse(job.result) : null };
}

