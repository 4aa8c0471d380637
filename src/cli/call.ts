import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { signRequest } from '../http/auth/signature.js';

export interface Profile {
  endpoint: string;
  project_id: string;
  ak: string;
  sk: string;
}

interface OpenApiOp {
  operationId?: string;
  tags?: string[];
  summary?: string;
  parameters?: { name: string; in: 'path' | 'query' | 'header'; required?: boolean; schema?: unknown }[];
  requestBody?: { content?: Record<string, { schema?: { properties?: Record<string, unknown>; required?: string[] } }> };
}

/** The client profile (file, env, flags); `keys: false` when no AK/SK is needed (admin token calls). */
export function loadProfile(flags: Map<string, string>, opts: { keys?: boolean } = {}): Profile {
  const file = flags.get('profile') ?? process.env.LOGSNAP_CLIENT ?? join(resolve(process.env.LOGSNAP_DATA_DIR ?? './data'), 'client.json');
  let p: Partial<Profile> = {};
  if (existsSync(file)) p = JSON.parse(readFileSync(file, 'utf8'));
  const out = {
    endpoint: flags.get('endpoint') ?? process.env.LOGSNAP_ENDPOINT ?? p.endpoint,
    project_id: flags.get('project-id') ?? process.env.LOGSNAP_PROJECT_ID ?? p.project_id,
    ak: process.env.LOGSNAP_AK ?? p.ak,
    sk: process.env.LOGSNAP_SK ?? p.sk,
  };
  const missing = Object.entries(out).filter(([k, v]) => !v && (opts.keys !== false || (k !== 'ak' && k !== 'sk'))).map(([k]) => k);
  if (missing.length) {
    throw new Error(`no ${missing.join(', ')}: start the server once (npm start writes ${file}) or set LOGSNAP_ENDPOINT, LOGSNAP_PROJECT_ID, LOGSNAP_AK, LOGSNAP_SK`);
  }
  return out as Profile;
}

export async function signedFetch(p: Profile, method: string, pathAndQuery: string, body?: string): Promise<Response> {
  const url = new URL(p.endpoint.replace(/\/$/, '') + pathAndQuery);
  const headers = signRequest({
    method,
    url: url.pathname + url.search,
    headers: { 'Content-Type': 'application/json', Host: url.host, 'X-Project-Id': p.project_id },
    body: body ?? '',
    accessKey: p.ak,
    secretKey: p.sk,
    now: Date.now(),
  });
  delete headers.Host;
  return fetch(url, { method, headers, body: body || undefined });
}

function parseValue(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

/** `logsnap call SERVICE OPERATION --param value … [--body JSON] [--wait]`: returns the exit code. */
export async function callCommand(argv: string[]): Promise<number> {
  const positionals: string[] = [];
  const flags = new Map<string, string>();
  const bools = new Set(['wait', 'list', 'raw']);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) {
      const [k, inline] = a.slice(2).split(/=(.*)/s);
      if (bools.has(k)) flags.set(k, 'true');
      else {
        const v = inline ?? argv[++i];
        if (v === undefined) throw new Error(`--${k} needs a value`);
        flags.set(k, v);
      }
    } else positionals.push(a);
  }
  const profile = loadProfile(flags);
  const doc = (await (await fetch(profile.endpoint.replace(/\/$/, '') + '/openapi.json')).json()) as { paths: Record<string, Record<string, OpenApiOp>> };
  const ops: { path: string; method: string; op: OpenApiOp }[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) if (op.operationId) ops.push({ path, method: method.toUpperCase(), op });
  }
  if (flags.has('list') || positionals.length < 2) {
    for (const o of ops.filter((x) => !positionals[0] || x.op.tags?.includes(positionals[0].toLowerCase()))) {
      process.stdout.write(`${(o.op.tags?.[0] ?? '').padEnd(9)} ${o.op.operationId!.padEnd(34)} ${o.method.padEnd(6)} ${o.path}\n`);
    }
    return positionals.length < 2 && !flags.has('list') ? 2 : 0;
  }
  const [service, operation] = positionals;
  const found = ops.find((o) => o.op.operationId!.toLowerCase() === operation.toLowerCase() && (o.op.tags ?? []).includes(service.toLowerCase()));
  if (!found) {
    process.stderr.write(`logsnap: no operation ${operation} in service ${service}; see logsnap call --list ${service}\n`);
    return 2;
  }
  const params = found.op.parameters ?? [];
  const bodySchema = found.op.requestBody?.content?.['application/json']?.schema;
  const bodyProps = new Set(Object.keys(bodySchema?.properties ?? {}));
  const used = new Set(['wait', 'list', 'raw', 'body', 'endpoint', 'project-id', 'profile']);
  const get = (name: string) => flags.get(name) ?? flags.get(name.replace(/_/g, '-'));
  let path = found.path;
  const query = new URLSearchParams();
  for (const p of params) {
    const v = p.name === 'project_id' ? (get('project_id') ?? profile.project_id) : get(p.name);
    used.add(p.name).add(p.name.replace(/_/g, '-'));
    if (v === undefined) {
      if (p.in === 'path' || p.required) {
        process.stderr.write(`logsnap: ${operation} needs --${p.name}\n`);
        return 2;
      }
      continue;
    }
    if (p.in === 'path') path = path.replace(`{${p.name}}`, encodeURIComponent(v));
    else if (p.in === 'query') query.append(p.name, v);
  }
  let body: string | undefined;
  if (flags.has('body')) body = flags.get('body');
  else if (bodyProps.size) {
    const obj: Record<string, unknown> = {};
    for (const [k, v] of flags) {
      const name = k.replace(/-/g, '_');
      if (bodyProps.has(name)) {
        obj[name] = parseValue(v);
        used.add(k);
      } else if (bodyProps.has(k)) {
        obj[k] = parseValue(v);
        used.add(k);
      }
    }
    if (Object.keys(obj).length) body = JSON.stringify(obj);
  }
  const unknown = [...flags.keys()].filter((k) => !used.has(k) && !bodyProps.has(k.replace(/-/g, '_')));
  if (unknown.length) {
    const known = [...params.map((p) => p.name), ...bodyProps].map((n) => `--${n}`).join(' ');
    process.stderr.write(`logsnap: unknown option(s) ${unknown.map((u) => `--${u}`).join(' ')}; ${operation} takes ${known || 'no options'}\n`);
    return 2;
  }
  const qs = query.toString().replace(/\+/g, '%20');
  const res = await signedFetch(profile, found.method, path + (qs ? `?${qs}` : ''), body);
  const text = await res.text();
  const out = text ? (() => { try { return JSON.stringify(JSON.parse(text), null, 2); } catch { return text; } })() : '';
  if (!res.ok) {
    process.stderr.write(`HTTP ${res.status} (request id ${res.headers.get('x-request-id')})\n`);
    if (out) process.stderr.write(out + '\n');
    return 1;
  }
  process.stderr.write(`HTTP ${res.status}\n`);
  if (out) process.stdout.write(out + '\n');
  const jobId = res.headers.get('x-logsnap-job-id');
  if (flags.has('wait')) {
    if (!jobId) {
      process.stderr.write('logsnap: this operation started no job; nothing to wait for\n');
      return 0;
    }
    return waitForJob(profile, jobId);
  }
  if (jobId) process.stderr.write(`job ${jobId} started (add --wait to follow it)\n`);
  return 0;
}

async function waitForJob(profile: Profile, jobId: string): Promise<number> {
  const tty = process.stderr.isTTY;
  let last = '';
  for (;;) {
    const res = await signedFetch(profile, 'GET', `/logsnap/v1/${profile.project_id}/jobs/${jobId}`);
    if (!res.ok) {
      process.stderr.write(`logsnap: cannot follow job ${jobId}: HTTP ${res.status} ${await res.text()}\n`);
      return 1;
    }
    const job = (await res.json()) as { state: string; progress: number; error: string | null };
    const line = `job ${jobId}: ${job.state} ${Math.floor(job.progress)}%`;
    if (line !== last) {
      process.stderr.write(tty ? `\r${line}   ` : `${line}\n`);
      last = line;
    }
    if (job.state === 'SUCCEEDED' || job.state === 'FAILED') {
      if (tty) process.stderr.write('\n');
      process.stdout.write(JSON.stringify(job, null, 2) + '\n');
      return job.state === 'SUCCEEDED' ? 0 : 1;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}
