import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AdminClient } from '../testmode/adminClient.js';
import { parseDuration } from '../testmode/clock.js';
import type { FaultInput, FaultRule } from '../testmode/faults.js';
import { UsageError } from './usage.js';

export const TEST_HELP = `logsnap test — the test levers of a server started with LOGSNAP_TEST_MODE=true (docs/testing.md)

  logsnap test clock                          show the test clock
  logsnap test clock advance DURATION         move it forward (90, 90s, 15m, 25h, 7d, 1d12h); what became due is scheduled
  logsnap test fault add --service S (--operation OP | --job KIND) EFFECT [--count N] [--project ID] [--cluster ID] [--object TEXT]
      API effects:  --status 409 [--code CSS.0011] [--message TEXT]   |   --latency 2s
      job effects:  --fail TEXT   |   --hold PROGRESS   |   --slow RATE (bytes/s; 64k, 1m)
  logsnap test fault list                     every rule and how often it fired
  logsnap test fault release ID               let the jobs a hold rule holds go on
  logsnap test fault clear [ID]               remove one rule, or all
  logsnap test reset [--project ID]           remove records, jobs, stored objects and faults; keep projects, credentials, clusters

The server: --endpoint, LOGSNAP_ENDPOINT or data/client.json; the admin token: LOGSNAP_ADMIN_TOKEN or data/admin-token
(data = LOGSNAP_DATA_DIR, default ./data).
`;

function parseFlags(argv: string[]): { positionals: string[]; flags: Map<string, string> } {
  const positionals: string[] = [];
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) {
      const [k, inline] = a.slice(2).split(/=(.*)/s);
      const v = inline ?? argv[++i];
      if (v === undefined) throw new UsageError(`--${k} needs a value`);
      flags.set(k, v);
    } else positionals.push(a);
  }
  return { positionals, flags };
}


/** Where the server is and the admin token, as `logsnap call` finds its profile. */
export function adminClientFromEnv(flags: Map<string, string>, env: NodeJS.ProcessEnv = process.env): AdminClient {
  const dataDir = resolve(env.LOGSNAP_DATA_DIR ?? './data');
  let endpoint = flags.get('endpoint') ?? env.LOGSNAP_ENDPOINT;
  const profile = join(dataDir, 'client.json');
  if (!endpoint && existsSync(profile)) {
    try {
      endpoint = (JSON.parse(readFileSync(profile, 'utf8')) as { endpoint?: string }).endpoint;
    } catch {
      /* unreadable profile: reported below */
    }
  }
  let token = flags.get('admin-token') ?? env.LOGSNAP_ADMIN_TOKEN;
  const tokenFile = join(dataDir, 'admin-token');
  if (!token && existsSync(tokenFile)) token = readFileSync(tokenFile, 'utf8').trim();
  if (!endpoint) throw new UsageError(`no server endpoint: start the server once (it writes ${profile}) or set LOGSNAP_ENDPOINT / --endpoint`);
  if (!token) throw new UsageError(`no admin token: set LOGSNAP_ADMIN_TOKEN (or keep the generated ${tokenFile})`);
  return new AdminClient(endpoint, token);
}

/** `64k`, `1m`, `500` → bytes. */
export function parseRate(text: string): number {
  const m = /^(\d+)([kKmM]?)(?:b|B)?(?:\/s)?$/.exec(text.trim());
  if (!m) throw new UsageError(`cannot read the rate ${JSON.stringify(text)}: bytes per second, e.g. 4096, 64k, 1m`);
  return Number(m[1]) * (m[2].toLowerCase() === 'k' ? 1024 : m[2].toLowerCase() === 'm' ? 1024 * 1024 : 1);
}

/** `250`, `250ms`, `2s` → milliseconds. */
export function parseLatency(text: string): number {
  const m = /^(\d+)(ms|s)?$/.exec(text.trim());
  if (!m) throw new UsageError(`cannot read the latency ${JSON.stringify(text)}: milliseconds, or e.g. 250ms, 2s`);
  return Number(m[1]) * (m[2] === 's' ? 1000 : 1);
}

/** The rule `logsnap test fault add` sends, from its flags. */
export function faultFromFlags(flags: Map<string, string>): FaultInput {
  const known = new Set(['service', 'operation', 'job', 'count', 'project', 'cluster', 'object', 'status', 'code', 'message', 'latency', 'fail', 'hold', 'slow', 'endpoint', 'admin-token']);
  const unknown = [...flags.keys()].filter((k) => !known.has(k));
  if (unknown.length) throw new UsageError(`unknown option(s) ${unknown.map((u) => `--${u}`).join(' ')}; see logsnap test help`);
  const service = flags.get('service');
  if (!service) throw new UsageError('--service is required (css, dcs, cce or dws)');
  const effects = ['status', 'latency', 'fail', 'hold', 'slow'].filter((k) => flags.has(k));
  if (effects.length !== 1) throw new UsageError('give exactly one effect: --status (with --code/--message), --latency, --fail, --hold or --slow');
  let effect: FaultInput['effect'];
  switch (effects[0]) {
    case 'status':
      effect = { type: 'error', status: Number(flags.get('status')), ...(flags.has('code') ? { error_code: flags.get('code') } : {}), ...(flags.has('message') ? { error_msg: flags.get('message') } : {}) };
      break;
    case 'latency':
      effect = { type: 'latency', ms: parseLatency(flags.get('latency')!) };
      break;
    case 'fail':
      effect = { type: 'fail', message: flags.get('fail')! };
      break;
    case 'hold':
      effect = { type: 'hold', progress: Number(flags.get('hold')) };
      break;
    default:
      effect = { type: 'slow', bytes_per_second: parseRate(flags.get('slow')!) };
  }
  return {
    service,
    ...(flags.has('operation') ? { operation: flags.get('operation') } : {}),
    ...(flags.has('job') ? { job: flags.get('job') } : {}),
    ...(flags.has('count') ? { count: Number(flags.get('count')) } : {}),
    ...(flags.has('project') ? { project_id: flags.get('project') } : {}),
    ...(flags.has('cluster') ? { cluster_id: flags.get('cluster') } : {}),
    ...(flags.has('object') ? { object: flags.get('object') } : {}),
    effect,
  };
}

function describeEffect(f: FaultRule): string {
  const e = f.effect;
  switch (e.type) {
    case 'error':
      return `HTTP ${e.status} ${e.error_code}: ${e.error_msg}`;
    case 'latency':
      return `+${e.ms} ms`;
    case 'fail':
      return `fail: ${e.message}`;
    case 'hold':
      return `hold at ${e.progress}%${f.released ? ' (released)' : ''}`;
    default:
      return `slow: ${e.bytes_per_second} B/s`;
  }
}

/** `logsnap test …`; returns the exit code. `out` receives each line of the answer (stdout by default). */
export async function testCommand(argv: string[], out: (line: string) => void = (l) => process.stdout.write(l + '\n')): Promise<number> {
  const { positionals, flags } = parseFlags(argv);
  const [what, action, arg] = positionals;
  if (!what || what === 'help') {
    out(TEST_HELP.trimEnd());
    return what ? 0 : 2;
  }
  if (what === 'clock') {
    const c = adminClientFromEnv(flags);
    if (!action) {
      const now = await c.clock.now();
      out(`${new Date(now).toISOString()}  (${now})`);
      return 0;
    }
    if (action !== 'advance' || !arg) throw new UsageError('usage: logsnap test clock advance DURATION (e.g. 25h)');
    let seconds: number;
    try {
      seconds = parseDuration(arg);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const r = await c.clock.advance(seconds);
    out(`${new Date(r.now).toISOString()}  (${r.now})`);
    return 0;
  }
  if (what === 'fault') {
    if (action === 'add') {
      const rule = faultFromFlags(flags);
      const f = await adminClientFromEnv(flags).faults.add(rule);
      out(f.id);
      return 0;
    }
    const c = adminClientFromEnv(flags);
    if (action === 'list') {
      const list = await c.faults.list();
      if (!list.length) out('no fault rules');
      for (const f of list) {
        const target = [f.operation ?? f.job, f.project_id && `project ${f.project_id}`, f.cluster_id && `cluster ${f.cluster_id}`, f.object && `object *${f.object}*`].filter(Boolean).join(', ');
        out(`${f.id}  ${f.service} ${target}  ${describeEffect(f)}  fired ${f.fired}/${f.count}`);
      }
      return 0;
    }
    if (action === 'release' && arg) {
      await c.faults.release(arg);
      out(`released ${arg}`);
      return 0;
    }
    if (action === 'clear') {
      if (arg) await c.faults.remove(arg);
      else await c.faults.clear();
      out(arg ? `removed ${arg}` : 'removed every fault rule');
      return 0;
    }
    throw new UsageError('usage: logsnap test fault add|list|release ID|clear [ID]');
  }
  if (what === 'reset') {
    const r = await adminClientFromEnv(flags).reset({ projectId: flags.get('project') });
    const rows = Object.values(r.tables).reduce((s, n) => s + n, 0);
    out(`reset: ${rows} row(s) in ${Object.keys(r.tables).length} table(s), ${r.objects} object(s) removed`);
    return 0;
  }
  throw new UsageError(`unknown: logsnap test ${what}; see logsnap test help`);
}
