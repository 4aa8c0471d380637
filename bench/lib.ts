/**
 * Small helpers shared by the benches: the smoke switch, medians, the RESULT line, child processes.
 *
 * BENCH_SMOKE=1 makes every bench run on small sizes with few rounds: a quick check that it works and
 * roughly moves the right way, never a figure to publish.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pg from 'pg';

export const SMOKE = process.env.BENCH_SMOKE === '1' || process.env.BENCH_SMOKE === 'true';

/** A number from the environment, with a default and a smoke default. */
export function envNumber(name: string, full: number, smoke: number): number {
  const v = process.env[name];
  if (v !== undefined && v !== '') {
    const n = Number(v);
    if (!Number.isFinite(n)) throw new Error(`${name}=${v}: not a number`);
    return n;
  }
  return SMOKE ? smoke : full;
}

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** `RESULT <name> ratio=<r> k=v …`: the one machine-readable line every bench ends with. */
export function resultLine(name: string, ratio: number, fields: Record<string, string | number>): string {
  const f = (v: string | number) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(v >= 100 ? 1 : 3)) : v);
  return `RESULT ${name} ratio=${ratio.toFixed(3)}${SMOKE ? ' smoke=1' : ''} ${Object.entries(fields).map(([k, v]) => `${k}=${f(v)}`).join(' ')}`;
}

/** Run a node child (TypeScript through tsx, unless tsx: false) and collect its last stdout line as JSON. */
export async function runJsonChild<T>(args: string[], opts: { env?: NodeJS.ProcessEnv; nodeArgs?: string[]; tsx?: boolean } = {}): Promise<T> {
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), ...(opts.tsx === false ? [] : ['--import', 'tsx']), ...args], {
    env: { ...process.env, ...(opts.env ?? {}) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (d: string) => (out += d));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`child ${args.join(' ')} exited with ${code}: ${out.slice(-2000)}`);
  const last = out.trim().split('\n').pop() ?? '';
  return JSON.parse(last) as T;
}

/** Stop a child we started and wait for it to exit. */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/** Query a PostgreSQL database with a one-off connection. */
export async function pgQuery(url: string, text: string): Promise<any[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text)).rows;
  } finally {
    await c.end();
  }
}

function newestMtime(dir: string): number {
  let t = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    t = Math.max(t, st.isDirectory() ? newestMtime(p) : st.mtimeMs);
  }
  return t;
}

/**
 * The compiled server (`npm run build` → dist/), as production runs it: benches that report memory run
 * plain `node` on it, not tsx (whose loader alone adds ~35 MB of RSS). Rebuilt when src/ changed.
 */
export function ensureBuilt(): string {
  const dist = resolve('dist');
  const stamp = join(dist, '.bench-build');
  if (existsSync(stamp) && Number(readFileSync(stamp, 'utf8')) >= newestMtime(resolve('src'))) return dist;
  console.log('building dist/ (tsc -p tsconfig.build.json) …');
  execFileSync(process.execPath, [resolve('node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  writeFileSync(stamp, String(newestMtime(resolve('src'))));
  return dist;
}

/** RSS now and its high-water mark (kB) of a process, from /proc. */
export function procMemory(pid: number): { rssKb: number; hwmKb: number } {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? NaN);
  return { rssKb: kb('VmRSS'), hwmKb: kb('VmHWM') };
}

/** `logsnap serve` from dist/ in its own process, logs to `logFile`; resolves once it listens. */
export async function startDistServer(env: NodeJS.ProcessEnv, logFile: string, nodeArgs: string[] = []): Promise<{ url: string; child: ChildProcess }> {
  const dist = ensureBuilt();
  const fd = openSync(logFile, 'a');
  const child = spawn(process.execPath, [...nodeArgs, join(dist, 'cli/main.js'), 'serve'], { env: { ...process.env, LOGSNAP_PORT: '0', LOGSNAP_DEMO: 'false', ...env }, stdio: ['ignore', fd, 'inherit'] });
  closeSync(fd);
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`logsnap exited with ${child.exitCode} (log: ${logFile})`);
    const m = /listening on (http:\/\/[^\s"]+)/.exec(readFileSync(logFile, 'utf8'));
    if (m) return { url: m[1], child };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('logsnap did not start within 60 s');
}

export const BENCH_ADMIN_TOKEN = 'bench-admin-token-0123456789';

/** JSON calls to the admin API (Authorization: Bearer). */
export function adminClient(url: string, token = BENCH_ADMIN_TOKEN) {
  return async (method: string, path: string, body?: unknown): Promise<any> => {
    const r = await fetch(url + path, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
    return r.status === 204 ? null : r.json();
  };
}

/**
 * A benchmarked logsnap: `logsnap serve` from dist/ with its data under `dir`, killed if the bench
 * dies, with a project and an AK/SK made through the admin API.
 */
export async function benchServer(dir: string, o: { env?: NodeJS.ProcessEnv; nodeArgs?: string[] } = {}) {
  mkdirSync(dir, { recursive: true });
  const { url, child } = await startDistServer(
    { LOGSNAP_DATA_DIR: join(dir, 'data'), LOGSNAP_ADMIN_TOKEN: BENCH_ADMIN_TOKEN, LOGSNAP_JOB_POLL_MS: '50', ...(o.env ?? {}) },
    join(dir, 'server.log'), o.nodeArgs,
  );
  process.once('exit', () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const admin = adminClient(url);
  const { project, credential } = (await admin('POST', '/admin/v1/projects', { name: 'bench' })) as { project: { id: string }; credential: { ak: string; sk: string } };
  return { url, child, admin, project, credential, dataDir: join(dir, 'data') };
}
