/**
 * The request preview shown under every console action: the HTTP request, the equivalent
 * `logsnap call …` line (curl for the admin API, which the CLI does not sign for) and a Node snippet
 * with the official SDK client. Pure (no DOM): unit-tested. No secret ever appears in a preview:
 * credentials are placeholders, and secret-looking body values (passwords, keys, tokens, URL
 * passwords, PEM private keys) are replaced before anything is rendered.
 */
import { fillPath, queryString, type Call } from './ops.js';

export interface Preview {
  http: string;
  /** `logsnap call …` (or curl for the admin API) */
  cli: string;
  cliLabel: string;
  node: string;
}

const SECRET_KEY = /pass(word)?|secret|^sk$|token|private|^key$|credential/i;
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*):[^@\s]+@/gi;

/** A copy of `v` with every secret replaced by a placeholder. */
export function redactSecrets(v: unknown, key = ''): unknown {
  if (typeof v === 'string') {
    if (key && SECRET_KEY.test(key) && v !== '') return '<secret>';
    if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(v)) return '<private key>';
    return v.replace(URL_PASSWORD, '$1:<password>@');
  }
  if (Array.isArray(v)) return v.map((x) => redactSecrets(x, key));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, redactSecrets(x, k)]));
  return v;
}

/** POSIX shell quoting (single quotes unless the word is plainly safe). */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

const camel = (s: string) => s.replace(/[_-]([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const pascal = (s: string) => camel(s).replace(/^[a-z]/, (c) => c.toUpperCase());
const lowerFirst = (s: string) => s.replace(/^[A-Z]/, (c) => c.toLowerCase());
const js = (v: unknown, indent = 0) => JSON.stringify(v, null, 2).replace(/\n/g, `\n${' '.repeat(indent)}`);

/** Would `logsnap call` read this string flag as something else (it parses JSON first)? */
function ambiguous(s: string): boolean {
  try {
    return typeof JSON.parse(s) !== 'string';
  } catch {
    return false;
  }
}

export function buildPreview(call: Call, opts: { origin: string }): Preview {
  const { op } = call;
  const body = call.body === undefined ? undefined : redactSecrets(call.body);
  const path = fillPath(call) + queryString(call);
  const host = opts.origin.replace(/^https?:\/\//, '');
  const authHeader = op.auth === 'admin' ? 'Authorization: Bearer $LOGSNAP_ADMIN_TOKEN' : 'X-Auth-Token: $LOGSNAP_TOKEN';
  const http = [
    `${op.method} ${path} HTTP/1.1`,
    `Host: ${host}`,
    authHeader,
    ...(body !== undefined ? ['Content-Type: application/json', '', JSON.stringify(body, null, 2)] : []),
  ].join('\n');

  let cli: string;
  let cliLabel = 'logsnap call';
  if (op.auth === 'admin') {
    cliLabel = 'curl';
    cli = [
      `curl -X ${op.method} ${shellQuote(opts.origin + path)}`,
      `  -H "Authorization: Bearer $(cat data/admin-token)"`,
      ...(body !== undefined ? [`  -H 'Content-Type: application/json'`, `  -d ${shellQuote(JSON.stringify(body))}`] : []),
    ].join(' \\\n');
  } else {
    const words = ['npx', 'logsnap', 'call', op.tag, op.operationId];
    for (const [k, v] of Object.entries(call.path ?? {})) if (k !== 'project_id') words.push(`--${k}`, shellQuote(v));
    for (const [k, v] of Object.entries(call.query ?? {})) if (v !== undefined && v !== '') words.push(`--${k}`, shellQuote(String(v)));
    if (body !== undefined) {
      const entries = body && typeof body === 'object' && !Array.isArray(body) ? Object.entries(body as Record<string, unknown>) : null;
      if (!entries || entries.some(([, v]) => typeof v === 'string' && ambiguous(v))) words.push('--body', shellQuote(JSON.stringify(body)));
      else for (const [k, v] of entries) words.push(`--${k}`, shellQuote(typeof v === 'string' ? v : JSON.stringify(v)));
    }
    cli = `# signed with the AK/SK of data/client.json (or LOGSNAP_AK, LOGSNAP_SK, LOGSNAP_PROJECT_ID)\n${words.join(' ')}`;
  }

  let node: string;
  const projectId = call.path?.project_id;
  const credentials = [
    'const credentials = new BasicCredentials()',
    '  .withAk(process.env.HUAWEICLOUD_SDK_AK)',
    '  .withSk(process.env.HUAWEICLOUD_SDK_SK)' + (projectId ? '' : ';'),
    ...(projectId ? [`  .withProjectId(${JSON.stringify(projectId)});`] : []),
  ];
  if (op.sdk) {
    const req = `${op.operationId}Request`;
    const setters: string[] = [];
    for (const [k, v] of Object.entries(call.path ?? {})) if (k !== 'project_id') setters.push(`  .with${pascal(k)}(${JSON.stringify(v)})`);
    for (const [k, v] of Object.entries(call.query ?? {})) if (v !== undefined && v !== '') setters.push(`  .with${pascal(k)}(${JSON.stringify(v)})`);
    if (body !== undefined) setters.push(`  .withBody(${js(body, 2)})`);
    node = [
      `// npm install @huaweicloud/huaweicloud-sdk-core ${op.sdk.pkg}`,
      `import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core';`,
      `import { ${op.sdk.client}, ${req} } from '${op.sdk.pkg}';`,
      '',
      ...credentials,
      `const client = ${op.sdk.client}.newBuilder() // a ClientBuilder`,
      '  .withCredential(credentials)',
      `  .withEndpoint(${JSON.stringify(opts.origin)})`,
      '  .build();',
      '',
      `const request = new ${req}()${setters.length ? '\n' + setters.join('\n') : ''};`,
      `const response = await client.${lowerFirst(op.operationId)}(request);`,
      'console.log(response);',
    ].join('\n');
  } else if (op.auth === 'project-or-admin') {
    const options: Record<string, unknown> = { method: op.method, url: op.path, contentType: 'application/json' };
    // the core client needs all three maps, even empty
    options.pathParams = Object.fromEntries(Object.entries(call.path ?? {}).filter(([k]) => k !== 'project_id'));
    options.queryParams = Object.fromEntries(Object.entries(call.query ?? {}).filter(([, v]) => v !== undefined && v !== ''));
    options.headers = {};
    if (body !== undefined) options.data = body;
    node = [
      '// npm install @huaweicloud/huaweicloud-sdk-core   (logsnap API: the core client signs it like any SDK call)',
      `import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core';`,
      `import { ClientBuilder } from '@huaweicloud/huaweicloud-sdk-core/ClientBuilder.js';`,
      '',
      ...credentials,
      'const client = new ClientBuilder((hc) => hc)',
      '  .withCredential(credentials)',
      `  .withEndpoint(${JSON.stringify(opts.origin)})`,
      '  .build();',
      '',
      `const response = await client.sendRequest(${js(options)});`,
      'console.log(response);',
    ].join('\n');
  } else {
    node = [
      '// The admin API takes the admin token (no SDK signs it): plain fetch, Node ≥ 18',
      `const res = await fetch(${JSON.stringify(opts.origin + path)}, {`,
      `  method: ${JSON.stringify(op.method)},`,
      '  headers: {',
      '    Authorization: `Bearer ${process.env.LOGSNAP_ADMIN_TOKEN}`,',
      ...(body !== undefined ? [`    'Content-Type': 'application/json',`, '  },', `  body: JSON.stringify(${js(body, 2)}),`] : ['  },']),
      '});',
      'console.log(res.status, res.status === 204 ? \'\' : await res.json());',
    ].join('\n');
  }
  return { http, cli, cliLabel, node };
}
