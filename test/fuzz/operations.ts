/**
 * The fuzz suite's model of the API, read from the served /openapi.json (so operations added
 * later are covered without changes here): every operation, a schema-valid base request built
 * from its schemas, and fast-check arbitraries of mutated requests the server must refuse.
 */
import fc from 'fast-check';
import { createAjv, validatorCompiler } from '../../src/http/schema.js';
import { OWNER_EXPECT, type Owner } from '../helpers/errors.js';

type Json = Record<string, any>;

export interface Param {
  name: string;
  in: 'path' | 'query';
  required: boolean;
  schema: Json;
}

export interface Operation {
  id: string;
  method: string;
  /** OpenAPI path template, e.g. /v2/{project_id}/instances/{instance_id}/redislog */
  template: string;
  tag: string;
  owner: Owner;
  auth: 'project' | 'admin' | 'none';
  params: Param[];
  body?: { schema: Json; optional: boolean };
  /** codes a schema of the operation names for its violations (`x-error-code`) */
  errorCodes: string[];
  /** also served under this prefix (SDK endpoint http://host/css) */
  mountPrefix?: string;
}

const TAG_OWNER: Record<string, Owner> = {
  css: 'css', dcs: 'dcs', cce: 'cce', dws: 'dws', admin: 'logsnap', jobs: 'logsnap', downloads: 'logsnap', iam: 'gateway', platform: 'gateway',
};

function collectCodes(schema: unknown, out: Set<string>): void {
  if (!schema || typeof schema !== 'object') return;
  const s = schema as Json;
  if (typeof s['x-error-code'] === 'string') out.add(s['x-error-code']);
  for (const v of Object.values(s)) if (v && typeof v === 'object') collectCodes(v, out);
}

/** Every operation of the document (hidden mount-prefix copies are not in it). */
export function operations(doc: { paths: Record<string, Record<string, Json>> }): Operation[] {
  const ops: Operation[] = [];
  for (const [template, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      if (!op.operationId) continue;
      const security: Json[] = op.security ?? [];
      const auth = security.length === 0 ? 'none' : security.some((x) => 'admin' in x) ? 'admin' : 'project';
      const tag: string = op.tags?.[0] ?? '';
      const owner: Owner = TAG_OWNER[tag] ?? (/^\/(admin|logsnap)(\/|$)/.test(template) ? 'logsnap' : 'gateway');
      const params: Param[] = (op.parameters ?? [])
        .filter((p: Json) => p.in === 'path' || p.in === 'query')
        .map((p: Json) => ({ name: p.name, in: p.in, required: !!p.required, schema: p.schema ?? {} }));
      const bodySchema = op.requestBody?.content?.['application/json']?.schema;
      const codes = new Set<string>();
      collectCodes(op.parameters, codes);
      collectCodes(bodySchema, codes);
      ops.push({
        id: op.operationId, method: method.toUpperCase(), template, tag, owner, auth, params,
        body: bodySchema ? { schema: bodySchema, optional: bodySchema['x-optional'] === true || op.requestBody.required === false } : undefined,
        errorCodes: [...codes],
        mountPrefix: ['css', 'dcs', 'cce', 'dws'].includes(tag) ? `/${tag}` : undefined,
      });
    }
  }
  return ops;
}

// ---- schema-valid values -----------------------------------------------------------------

export interface Fixtures {
  projectId: string;
  /** an existing cluster / instance id per service */
  clusterOf: Partial<Record<Owner, string>>;
  seed: number;
}

function typeOf(s: Json): string | undefined {
  return Array.isArray(s.type) ? s.type.find((t: string) => t !== 'null') : s.type;
}

function fitsLength(s: Json, v: string): boolean {
  return v.length >= (s.minLength ?? 0) && v.length <= (s.maxLength ?? Infinity);
}

function namedValue(name: string, owner: Owner, fx: Fixtures): string | undefined {
  if (name === 'project_id') return fx.projectId;
  if (name === 'cluster_id' || name === 'instance_id') return fx.clusterOf[owner] ?? fx.clusterOf.css;
  if (name === '*') return 'fuzz/object.txt';
  if (name === 'bucket') return 'fuzz-bucket';
  return undefined;
}

const FORMAT_EXAMPLES: Record<string, string> = {
  'date-time': '2026-01-02T03:04:05Z', date: '2026-01-02', time: '03:04:05Z', uri: 'https://example.com/fuzz', url: 'https://example.com/fuzz',
  'uri-reference': '/fuzz', email: 'fuzz@example.com', hostname: 'example.com', ipv4: '10.0.0.1', ipv6: '::1',
  uuid: '3ea6ce21-048e-447a-83c3-3fb004b88439', regex: '^fuzz$',
};

/** A value the schema accepts (deterministic for a seed); throws when none can be built. */
export function validValue(s: Json, name: string, owner: Owner, fx: Fixtures): unknown {
  if ('const' in s) return s.const;
  if (Array.isArray(s.enum)) return s.enum[0];
  if ('default' in s) return s.default;
  if (Array.isArray(s.anyOf)) return validValue(s.anyOf.find((b: Json) => typeOf(b) !== 'null') ?? s.anyOf[0], name, owner, fx);
  switch (typeOf(s)) {
    case 'string': {
      const named = namedValue(name, owner, fx);
      if (named !== undefined && fitsLength(s, named) && (!s.pattern || new RegExp(s.pattern, 'u').test(named))) return named;
      if (typeof s.format === 'string' && FORMAT_EXAMPLES[s.format]) return FORMAT_EXAMPLES[s.format];
      if (s.pattern) {
        const re = new RegExp(s.pattern, 'u');
        const found = fc.sample(fc.stringMatching(re, { size: 'small' }), { seed: fx.seed, numRuns: 200 }).find((v) => fitsLength(s, v) && !/[\u0000-\u001f\u007f]/.test(v));
        if (found === undefined) throw new Error(`no value found for ${name} matching ${s.pattern}`);
        return found;
      }
      const n = Math.max(s.minLength ?? 1, Math.min(4, s.maxLength ?? 4));
      return 'fuzz'.padEnd(n, 'z').slice(0, n);
    }
    case 'integer':
    case 'number':
      return Math.min(Math.max(1, s.minimum ?? (s.exclusiveMinimum ?? 0) + 1), s.maximum ?? Number.MAX_SAFE_INTEGER);
    case 'boolean':
      return false;
    case 'array':
      return Array.from({ length: s.minItems ?? 0 }, () => validValue(s.items ?? {}, name, owner, fx));
    case 'object': {
      const out: Json = {};
      for (const k of s.required ?? []) out[k] = validValue(s.properties?.[k] ?? {}, k, owner, fx);
      return out;
    }
    default:
      return 'fuzz';
  }
}

/** The server's own checks over the document's schemas (query/path text coercion included). */
export function localValidators(op: Operation) {
  const compile = validatorCompiler(createAjv());
  const partSchema = (where: 'path' | 'query'): Json => {
    const ps = op.params.filter((p) => p.in === where);
    return { type: 'object', properties: Object.fromEntries(ps.map((p) => [p.name, p.schema])), required: ps.filter((p) => p.required).map((p) => p.name) };
  };
  const q = compile({ schema: partSchema('query'), httpPart: 'querystring', method: op.method, url: op.template });
  const b = op.body ? compile({ schema: op.body.schema, httpPart: 'body', method: op.method, url: op.template }) : undefined;
  return {
    query: (v: Record<string, string | string[]>) => !!q(structuredClone(v)),
    body: (v: unknown) => (b ? !!b(structuredClone(v)) : true),
  };
}

// ---- requests ---------------------------------------------------------------------------------

export interface Mutant {
  kind: string;
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  body?: Buffer;
  expect: { statuses: number[]; codes: string[] };
}

export interface Base {
  path: Record<string, string>;
  query: Record<string, string>;
  body?: unknown;
}

export function baseRequest(op: Operation, fx: Fixtures): Base {
  const path: Record<string, string> = {};
  const query: Record<string, string> = {};
  for (const p of op.params) {
    const v = validValue(p.schema, p.name, op.owner, fx);
    if (p.in === 'path') path[p.name] = String(v);
    else if (p.required) query[p.name] = String(v);
  }
  const body = op.body ? validValue(op.body.schema, 'body', op.owner, fx) : undefined;
  return { path, query, body };
}

const enc = (v: string) => encodeURIComponent(v);
const encPathValue = (name: string, v: string) => (name === '*' ? v.split('/').map(enc).join('/') : enc(v));

interface Parts {
  path: Record<string, string>; // encoded
  query: [string, string][]; // encoded pairs
  body?: Buffer;
  contentType?: string | null;
  prefix: boolean;
}

function partsOf(op: Operation, base: Base, prefix: boolean): Parts {
  return {
    path: Object.fromEntries(Object.entries(base.path).map(([k, v]) => [k, encPathValue(k, v)])),
    query: Object.entries(base.query).map(([k, v]) => [enc(k), enc(v)]),
    body: base.body === undefined ? undefined : Buffer.from(JSON.stringify(base.body)),
    contentType: op.body ? 'application/json' : undefined,
    prefix,
  };
}

function toMutant(op: Operation, p: Parts, kind: string, expect: Mutant['expect']): Mutant {
  const path = (p.prefix && op.mountPrefix ? op.mountPrefix : '') + op.template.replace(/\{([^}]+)\}/g, (_, n: string) => p.path[n] ?? '');
  const headers: Record<string, string> = {};
  if (p.contentType) headers['content-type'] = p.contentType;
  return { kind, method: op.method, path, query: p.query.map(([k, v]) => `${k}=${v}`).join('&'), headers, body: p.body, expect };
}

/** Percent-encodings that are malformed, not UTF-8 (lone surrogate, overlong, truncated) or decode to control characters. */
const BAD_ENCODINGS = ['%ZZ', '%FF', '%ED%A0%80', '%C0%AF', '%', 'x%2', '%E2%82', '%00', '%0A', '%1B', '%7F', '%C2%85'];
const BAD_INTEGER_TEXT = ['1e3', '1E2', '0x10', 'Infinity', '-Infinity', 'NaN', '1.5', '+1', '01', ' 1', '', 'abc', 'true', '1,2', '١'];
const BAD_BOOLEAN_TEXT = ['yes', '1', '0', 'TRUE', 'False', '', 'null'];
const WRONG_CONTENT_TYPES = [
  'text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'text/xml', 'multipart/form-data; boundary=fuzz',
  'application/octet-stream', 'text/json', 'application/json-patch+json', 'application/jsonx', 'json', '*/*', null,
];
const MALFORMED_JSON = ['{', '{"a":', '[1,]', "{'a':1}", 'nul', '{"a":1}}', '{"a":01}', '{"a":"\\x41"}', '{"a":NaN}', '{"a":Infinity}', '\u0000'];

/** A string a schema of that kind must refuse, for a body field. */
function badStrings(s: Json): fc.Arbitrary<string>[] {
  const arbs: fc.Arbitrary<string>[] = [
    fc.tuple(fc.string({ maxLength: 6 }), fc.integer({ min: 0xd800, max: 0xdfff }), fc.string({ maxLength: 6 })).map(([a, c, b]) => a + String.fromCharCode(c) + b),
    fc.tuple(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 })).map(([a, b]) => `${a}\u0000${b}`),
  ];
  if (s['x-line']) arbs.push(fc.tuple(fc.string({ maxLength: 6 }), fc.constantFrom('\n', '\r', '\t', '\u001b', '\u007f', '\u0001'), fc.string({ maxLength: 6 })).map(([a, c, b]) => a + c + b));
  if (typeof s.maxLength === 'number') arbs.push(fc.integer({ min: s.maxLength + 1, max: s.maxLength + 40 }).map((n) => 'a'.repeat(n)));
  if (typeof s.minLength === 'number' && s.minLength > 0) arbs.push(fc.integer({ min: 0, max: s.minLength - 1 }).map((n) => 'a'.repeat(n)));
  if (Array.isArray(s.enum)) arbs.push(fc.string({ minLength: 1, maxLength: 12 }).filter((v) => !s.enum.includes(v)), fc.constantFrom(...s.enum.filter((e: unknown) => typeof e === 'string').map((e: string) => e.toUpperCase() === e ? e.toLowerCase() : e.toUpperCase())));
  if (s.pattern) arbs.push(fc.constantFrom('!', ' ', '../x', 'a b', '<x>', '{}', '1').filter((v) => !new RegExp(s.pattern, 'u').test(v)));
  if (typeof s.format === 'string') arbs.push(fc.constantFrom('%%not-a-value%%', '-', 'x:y:z'));
  return arbs;
}

const OTHER_TYPES: Record<string, unknown[]> = {
  string: [1, -1.5, true, null, [], {}, ['a']],
  integer: ['1', 'x', true, null, [], {}, 1.5],
  number: ['1', true, null, [], {}],
  boolean: ['true', 1, 0, null, [], {}],
  array: ['a', 1, true, null, {}],
  object: ['a', 1, true, null, []],
};

interface Site {
  /** property names from the body root */
  at: string[];
  schema: Json;
}

function sites(schema: Json, at: string[] = [], out: Site[] = [], depth = 0): Site[] {
  out.push({ at, schema });
  if (depth > 6) return out;
  for (const [k, v] of Object.entries<Json>(schema.properties ?? {})) sites(v, [...at, k], out, depth + 1);
  if (schema.items && typeof schema.items === 'object' && !Array.isArray(schema.items)) sites(schema.items, [...at, '0'], out, depth + 1);
  return out;
}

/** The base body with `value` at `at` (objects and arrays on the way made schema-valid). */
function setAt(body: unknown, root: Json, at: string[], value: unknown, op: Operation, fx: Fixtures): unknown {
  if (at.length === 0) return value;
  const copy: Json = structuredClone(body ?? {}) as Json;
  let node: Json = copy;
  let schema = root;
  for (let i = 0; i < at.length - 1; i++) {
    const k = at[i];
    schema = schema.properties?.[k] ?? schema.items ?? {};
    if (node[k] === undefined || node[k] === null || typeof node[k] !== 'object') node[k] = typeOf(schema) === 'array' ? [] : validValue(schema, k, op.owner, fx);
    node = node[k];
  }
  node[at[at.length - 1]] = value;
  return copy;
}

function unsetAt(body: unknown, at: string[]): unknown {
  const copy: Json = structuredClone(body) as Json;
  let node: Json = copy;
  for (const k of at.slice(0, -1)) node = node?.[k];
  if (node && typeof node === 'object') delete node[at[at.length - 1]];
  return copy;
}

/**
 * Mutated requests of an operation, each with what the server must answer. Every mutation
 * breaks exactly one rule of the document or of docs/errors.md; the rest of the request is the
 * schema-valid base (checked), so the refusal can only come from the mutation.
 */
export function mutants(op: Operation, base: Base, fx: Fixtures): { arb: fc.Arbitrary<Mutant>; kinds: string[] } {
  const codes = OWNER_EXPECT[op.owner];
  const invalid = { statuses: [400], codes: [codes.invalid, ...op.errorCodes] };
  const local = localValidators(op);
  const arbs: [string, fc.Arbitrary<Mutant>][] = [];
  const withParts = (kind: string, f: (p: Parts) => Parts | null, expect: Mutant['expect']) =>
    fc.boolean().map((prefix) => {
      const p = f(partsOf(op, base, prefix));
      return p ? toMutant(op, p, kind, expect) : null;
    }).filter((m): m is Mutant => m !== null);

  // every operation: an extra query parameter whose value is not clean text
  arbs.push(['query:bad-encoding', fc.tuple(fc.constantFrom(...BAD_ENCODINGS), fc.stringMatching(/^[a-z_]{1,8}$/)).chain(([bad, key]) =>
    withParts('query:bad-encoding', (p) => ({ ...p, query: [...p.query, [`zz_${key}`, bad]] }), { statuses: [400], codes: [codes.invalid] }))]);

  for (const prm of op.params) {
    const s = prm.schema;
    const t = typeOf(s);
    if (prm.in === 'path') {
      if (prm.name === 'project_id' && op.auth === 'project') {
        // another project's id (403 from authorisation), or not even an id (400)
        arbs.push([`path:${prm.name}:foreign`, fc.oneof(fc.stringMatching(/^[0-9a-f]{32}$/), fc.integer({ min: 101, max: 200 }).map((n) => 'f'.repeat(n))).filter((v) => v !== fx.projectId).chain((v) =>
          withParts(`path:${prm.name}:foreign`, (p) => ({ ...p, path: { ...p.path, [prm.name]: v } }), { statuses: [400, 403], codes: [codes.invalid, 'APIGW.0302'] }))]);
        continue;
      }
      const bad: fc.Arbitrary<string>[] = [fc.constantFrom(...BAD_ENCODINGS).map((b) => `a${b}`)];
      if (typeof s.maxLength === 'number') bad.push(fc.integer({ min: s.maxLength + 1, max: Math.max(s.maxLength + 1, 160) }).map((n) => 'p'.repeat(n)));
      if (s.pattern) bad.push(fc.constantFrom('~x~', 'A.B', '-').filter((v) => !new RegExp(s.pattern, 'u').test(v)));
      arbs.push([`path:${prm.name}`, fc.oneof(...bad).chain((v) => withParts(`path:${prm.name}`, (p) => ({ ...p, path: { ...p.path, [prm.name]: v } }), invalid))]);
      continue;
    }
    // query parameters: values the schema refuses (as decoded text), and raw bad encodings
    const values: fc.Arbitrary<string>[] = [];
    if (t === 'integer' || t === 'number') {
      values.push(fc.constantFrom(...BAD_INTEGER_TEXT.filter((v) => !(t === 'number' && /^-?\d+\.\d+$/.test(v)))));
      if (typeof s.maximum === 'number') values.push(s.maximum < 1e15 ? fc.integer({ min: 1, max: 1_000_000 }).map((d) => String(s.maximum + d)) : fc.integer({ min: 17, max: 40 }).map((n) => '9'.repeat(n)));
      if (typeof s.minimum === 'number') values.push(s.minimum > -1e15 ? fc.integer({ min: 1, max: 1_000_000 }).map((d) => String(s.minimum - d)) : fc.integer({ min: 17, max: 40 }).map((n) => `-${'9'.repeat(n)}`));
    } else if (t === 'boolean') values.push(fc.constantFrom(...BAD_BOOLEAN_TEXT));
    else if (Array.isArray(s.enum)) values.push(fc.string({ minLength: 1, maxLength: 12 }).filter((v) => !s.enum.map(String).includes(v)));
    else if (t === 'string') {
      if (typeof s.maxLength === 'number') values.push(fc.integer({ min: s.maxLength + 1, max: s.maxLength + 40 }).map((n) => 'q'.repeat(n)));
      if (s['x-line']) values.push(fc.constantFrom('\n', '\t', '\r', '\u0001'));
    }
    if (values.length) {
      arbs.push([`query:${prm.name}`, fc.oneof(...values).filter((v) => !local.query({ ...base.query, [prm.name]: v })).chain((v) =>
        withParts(`query:${prm.name}`, (p) => ({ ...p, query: [...p.query.filter(([k]) => k !== enc(prm.name)), [enc(prm.name), enc(v)]] }), invalid))]);
    }
    arbs.push([`query:${prm.name}:bad-encoding`, fc.constantFrom(...BAD_ENCODINGS).chain((v) =>
      withParts(`query:${prm.name}:bad-encoding`, (p) => ({ ...p, query: [...p.query.filter(([k]) => k !== enc(prm.name)), [enc(prm.name), v]] }), invalid))]);
    if (t !== 'array') {
      arbs.push([`query:${prm.name}:repeated`, withParts(`query:${prm.name}:repeated`, (p) => ({ ...p, query: [...p.query.filter(([k]) => k !== enc(prm.name)), [enc(prm.name), enc(String(validValue(s, prm.name, op.owner, fx)))], [enc(prm.name), enc(String(validValue(s, prm.name, op.owner, fx)))]] }), invalid)]);
    }
    if (prm.required && !('default' in s)) {
      arbs.push([`query:${prm.name}:missing`, withParts(`query:${prm.name}:missing`, (p) => ({ ...p, query: p.query.filter(([k]) => k !== enc(prm.name)) }), invalid)]);
    }
  }

  if (op.body) {
    const root = op.body.schema;
    arbs.push(['body:content-type', fc.constantFrom(...WRONG_CONTENT_TYPES).chain((ct) =>
      withParts('body:content-type', (p) => ({ ...p, contentType: ct }), { statuses: [400], codes: [codes.contentType] }))]);
    arbs.push(['body:not-utf8', fc.constantFrom([0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82]).chain((bytes) =>
      withParts('body:not-utf8', (p) => {
        const text = JSON.stringify({ ...(base.body as Json), zz_fuzz: 'MARK' });
        const [a, b] = text.split('MARK');
        return { ...p, body: Buffer.concat([Buffer.from(a), Buffer.from(bytes), Buffer.from(b)]) };
      }, { statuses: [400], codes: [codes.invalid] }))]);
    arbs.push(['body:malformed-json', fc.constantFrom(...MALFORMED_JSON).chain((text) =>
      withParts('body:malformed-json', (p) => ({ ...p, body: Buffer.from(text) }), { statuses: [400], codes: [codes.invalid] }))]);
    const wrongRoots = ['[]', '"s"', '1', 'true', '[{}]'];
    if (!op.body.optional) wrongRoots.push('null');
    arbs.push(['body:wrong-root', fc.constantFrom(...wrongRoots).chain((text) =>
      withParts('body:wrong-root', (p) => ({ ...p, body: Buffer.from(text) }), { statuses: [400], codes: [codes.invalid, codes.missingBody, ...op.errorCodes] }))]);
    if (!op.body.optional) {
      arbs.push(['body:missing', withParts('body:missing', (p) => ({ ...p, body: undefined }), { statuses: [400], codes: [codes.missingBody] })]);
    }
    // one field of the body breaks its schema; nothing else changes
    const fieldArbs: fc.Arbitrary<unknown>[] = [];
    for (const site of sites(root)) {
      const s = site.schema;
      const t = typeOf(s);
      const put = (v: unknown) => setAt(base.body, root, site.at, v, op, fx);
      const values: fc.Arbitrary<unknown>[] = [];
      // (the root's wrong types are body:wrong-root, where JSON null means "no body")
      if (t && OTHER_TYPES[t] && site.at.length > 0) values.push(fc.constantFrom(...OTHER_TYPES[t]));
      if (t === 'string') values.push(...badStrings(s));
      if (t === 'integer' || t === 'number') {
        if (typeof s.maximum === 'number') values.push(fc.double({ min: s.maximum + 1, max: s.maximum * 2 + 1e6, noNaN: true, noDefaultInfinity: true }).map((v) => (t === 'integer' ? Math.ceil(v) : v)));
        if (typeof s.minimum === 'number') values.push(fc.double({ min: s.minimum - 1e6 - Math.abs(s.minimum), max: s.minimum - 1, noNaN: true, noDefaultInfinity: true }).map((v) => (t === 'integer' ? Math.floor(v) : v)));
        if (t === 'integer') values.push(fc.constantFrom(0.5, 1.25, -7.5));
      }
      if (t === 'array' && typeof s.maxItems === 'number') values.push(fc.constant(Array(s.maxItems + 1).fill(validValue(s.items ?? {}, 'item', op.owner, fx))));
      for (const v of values) fieldArbs.push(v.map(put));
      if (t === 'object') {
        for (const k of s.required ?? []) fieldArbs.push(fc.constant(unsetAt(put(validValue(s, site.at.at(-1) ?? 'body', op.owner, fx)), [...site.at, k])));
        // extra fields are ignored, but must be clean text too (a hostile value, or a hostile name)
        fieldArbs.push(fc.oneof(...badStrings({}).slice(0, 2)).map((v) => put({ ...(validValue(s, 'x', op.owner, fx) as Json), ...getAt(base.body, site.at), zz_extra: v })));
        fieldArbs.push(fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => put({ ...(validValue(s, 'x', op.owner, fx) as Json), ...getAt(base.body, site.at), [`zz${String.fromCharCode(c)}`]: 1 })));
      }
    }
    if (fieldArbs.length) {
      arbs.push(['body:field', fc.oneof(...fieldArbs).filter((b) => !local.body(b)).chain((b) =>
        withParts('body:field', (p) => ({ ...p, body: Buffer.from(JSON.stringify(b)) }), invalid))]);
    }
    // a number JSON cannot hold: Infinity after parsing
    const numeric = sites(root).filter((x) => ['integer', 'number'].includes(typeOf(x.schema) ?? ''));
    if (numeric.length) {
      arbs.push(['body:overflow', fc.tuple(fc.constantFrom(...numeric), fc.constantFrom('1e400', '-1e400', `1${'0'.repeat(400)}`)).chain(([site, raw]) =>
        withParts('body:overflow', (p) => {
          const text = JSON.stringify(setAt(base.body, root, site.at, '__RAW__', op, fx)).replace('"__RAW__"', raw);
          return { ...p, body: Buffer.from(text) };
        }, invalid))]);
    }
  }
  return { arb: fc.oneof(...arbs.map(([, a]) => a)), kinds: arbs.map(([k]) => k) };
}

function getAt(body: unknown, at: string[]): Json {
  let node = body as Json;
  for (const k of at) node = node?.[k];
  return node && typeof node === 'object' && !Array.isArray(node) ? node : {};
}
