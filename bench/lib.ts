/**
 * Small helpers shared by the benches: the smoke switch, medians, the RESULT line, child processes.
 *
 * BENCH_SMOKE=1 makes every bench run on small sizes with few rounds: a quick check that it works and
 * roughly moves the right way, never a figure to publish.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

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

/** Run a node child (TypeScript through tsx) and collect its last stdout line as JSON. */
export async function runJsonChild<T>(args: string[], opts: { env?: NodeJS.ProcessEnv; nodeArgs?: string[] } = {}): Promise<T> {
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', ...args], {
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
