import { parseArgs } from 'node:util';
import { loadProfile, signedFetch, type Profile } from './call.js';

export const WEBHOOK_HELP = `logsnap webhook — signed webhooks of a project (docs/notifications.md)

  logsnap webhook add --url URL [--secret S] [--events TYPE,PATTERN,...] [--disabled] [--description TEXT]
  logsnap webhook list
  logsnap webhook show ID
  logsnap webhook enable ID | disable ID
  logsnap webhook rm ID
  logsnap webhook deliveries ID [--status PENDING|DELIVERED|FAILED|CANCELLED] [--limit N]
  logsnap webhook ping ID

Signed with the AK/SK of data/client.json (the project's own webhooks), or with the admin token
(--admin-token TOKEN or LOGSNAP_ADMIN_TOKEN) for any project (--project-id).
`;

const OPTIONS = {
  url: { type: 'string' }, secret: { type: 'string' }, events: { type: 'string' }, disabled: { type: 'boolean' },
  description: { type: 'string' }, status: { type: 'string' }, limit: { type: 'string' }, cursor: { type: 'string' },
  'admin-token': { type: 'string' }, 'project-id': { type: 'string' }, endpoint: { type: 'string' }, profile: { type: 'string' },
} as const;

/** `logsnap webhook …`: returns the exit code. */
export async function webhookCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true });
  } catch (e) {
    process.stderr.write(`logsnap webhook: ${(e as Error).message}\n\n${WEBHOOK_HELP}`);
    return 2;
  }
  const { values: v, positionals } = parsed;
  const [sub, id] = positionals;
  const flags = new Map<string, string>();
  for (const k of ['endpoint', 'project-id', 'profile'] as const) if (v[k]) flags.set(k, v[k]!);
  const adminToken = v['admin-token'] ?? process.env.LOGSNAP_ADMIN_TOKEN;
  const profile = loadProfile(flags, { keys: !adminToken });
  const base = `/admin/v1/projects/${profile.project_id}/webhooks`;
  const send = (method: string, path: string, body?: unknown) => request(profile, adminToken, method, path, body);
  const needId = (): string | null => {
    if (!id) process.stderr.write(`logsnap webhook ${sub}: give the webhook id (see logsnap webhook list)\n`);
    return id ?? null;
  };
  switch (sub) {
    case 'add': {
      if (!v.url) {
        process.stderr.write('logsnap webhook add: --url is required\n');
        return 2;
      }
      const body: Record<string, unknown> = { url: v.url };
      if (v.secret) body.secret = v.secret;
      if (v.events) body.events = v.events.split(',').map((e) => e.trim()).filter(Boolean);
      if (v.disabled) body.enabled = false;
      if (v.description) body.description = v.description;
      return send('POST', base, body);
    }
    case 'list':
      return send('GET', base);
    case 'show':
      return needId() ? send('GET', `${base}/${encodeURIComponent(id)}`) : 2;
    case 'enable':
    case 'disable':
      return needId() ? send('PATCH', `${base}/${encodeURIComponent(id)}`, { enabled: sub === 'enable' }) : 2;
    case 'rm':
      return needId() ? send('DELETE', `${base}/${encodeURIComponent(id)}`) : 2;
    case 'deliveries': {
      if (!needId()) return 2;
      const q = new URLSearchParams();
      if (v.status) q.set('status', v.status);
      if (v.limit) q.set('limit', v.limit);
      if (v.cursor) q.set('cursor', v.cursor);
      const qs = q.toString();
      return send('GET', `${base}/${encodeURIComponent(id)}/deliveries${qs ? `?${qs}` : ''}`);
    }
    case 'ping':
      return needId() ? send('POST', `${base}/${encodeURIComponent(id)}/ping`) : 2;
    case 'help':
      process.stdout.write(WEBHOOK_HELP);
      return 0;
    default:
      process.stderr.write(sub ? `logsnap webhook: unknown subcommand ${JSON.stringify(sub)}\n\n${WEBHOOK_HELP}` : WEBHOOK_HELP);
      return 2;
  }
}

async function request(p: Profile, adminToken: string | undefined, method: string, path: string, body?: unknown): Promise<number> {
  const text = body === undefined ? undefined : JSON.stringify(body);
  const res = adminToken
    ? await fetch(p.endpoint.replace(/\/$/, '') + path, {
        method, body: text, headers: { Authorization: `Bearer ${adminToken}`, ...(text ? { 'Content-Type': 'application/json' } : {}) },
      })
    : await signedFetch(p, method, path, text);
  const out = await res.text();
  const pretty = out ? (() => { try { return JSON.stringify(JSON.parse(out), null, 2); } catch { return out; } })() : '';
  if (!res.ok) {
    process.stderr.write(`HTTP ${res.status} (request id ${res.headers.get('x-request-id')})\n${pretty ? pretty + '\n' : ''}`);
    return 1;
  }
  if (pretty) process.stdout.write(pretty + '\n');
  return 0;
}
