/**
 * Reading a V8 .cpuprofile (node --cpu-prof) for the benches: where the main thread's time went
 * inside given time windows (the load runs), by category and by function. Profile timestamps are
 * CLOCK_MONOTONIC microseconds, the same clock as process.hrtime() in any process of the machine.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  children?: number[];
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface WindowShare {
  /** microseconds of samples inside the windows */
  totalUs: number;
  /** shares of that time */
  idle: number;
  gc: number;
  /** JavaScript and native code (everything else) */
  busy: number;
  top: { name: string; share: number }[];
  /** inclusive: the share of samples with the function anywhere on the stack (what a call costs, callees included) */
  inclusive: { name: string; share: number }[];
  byPackage: { name: string; share: number }[];
}

/** `windows` omitted: the whole profile. */
export function analyseWindows(file: string, windows?: { startUs: number; endUs: number }[], top = 25): WindowShare {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const labels = new Map(p.nodes.map((n) => {
    const cf = n.callFrame;
    return [n.id, `${cf.functionName || '(anonymous)'} ${cf.url.split('/').slice(-2).join('/')}${cf.url ? `:${cf.lineNumber + 1}` : ''}`];
  }));
  const incl = new Map<string, number>();
  const fn = new Map<string, number>();
  const pkg = new Map<string, number>();
  let t = p.startTime;
  let total = 0;
  let idle = 0;
  let gc = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i] ?? 0;
    t += dt;
    if (windows && !windows.some((w) => t >= w.startUs && t <= w.endUs)) continue;
    const cf = byId.get(p.samples[i])!.callFrame;
    total += dt;
    if (cf.functionName === '(idle)') idle += dt;
    else if (cf.functionName === '(garbage collector)') gc += dt;
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(cf.url);
    const where = m ? m[1] : cf.url.includes('/src/') ? `src/${cf.url.split('/src/')[1]}` : cf.url.startsWith('node:') ? cf.url : cf.functionName || '(native)';
    const name = labels.get(p.samples[i])!;
    fn.set(name, (fn.get(name) ?? 0) + dt);
    const onStack = new Set<string>();
    for (let id: number | undefined = p.samples[i]; id !== undefined; id = parent.get(id)) onStack.add(labels.get(id)!);
    for (const k of onStack) incl.set(k, (incl.get(k) ?? 0) + dt);
    pkg.set(where, (pkg.get(where) ?? 0) + dt);
  }
  const rank = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, us]) => ({ name, share: total ? us / total : 0 }));
  for (const k of ['(root) ', '(program) ']) incl.delete(k);
  return { totalUs: total, idle: total ? idle / total : 0, gc: total ? gc / total : 0, busy: total ? (total - idle - gc) / total : 0, top: rank(fn), inclusive: rank(incl), byPackage: rank(pkg) };
}

/** The printed summary: shares, then packages, functions (self time) and functions with their callees. */
export function formatShare(a: WindowShare, what: string): string[] {
  const row = (x: { name: string; share: number }) => `  ${(100 * x.share).toFixed(1).padStart(5)} %  ${x.name}`;
  return [
    `${what} (${(a.totalUs / 1e6).toFixed(1)} s sampled): idle ${(100 * a.idle).toFixed(1)} %, GC ${(100 * a.gc).toFixed(1)} %, running ${(100 * a.busy).toFixed(1)} %`,
    ...a.byPackage.slice(0, 15).map(row),
    '  by function:',
    ...a.top.map(row),
    '  inclusive (callees counted):',
    ...a.inclusive.map(row),
  ];
}
