/**
 * The shared request-schema machinery: every route's params, query and body schema goes
 * through `hardenSchema` when it is registered, and is validated by `validatorCompiler`.
 * Rules (docs/errors.md, "Input rules"):
 * - Query and path values are text: they become integers, numbers or booleans only when they
 *   are written canonically (`12`, `-3`, `1.5`, `true`); `1e3`, `0x10`, ` 7`, `Infinity`, `NaN`
 *   stay text and fail the type check (no silent coercion, no clamping).
 * - Numbers without bounds get the safe-integer range; strings without a length limit get
 *   one (path/query 1024, body 65536); a one-of-literals union becomes an `enum`.
 * - Strings are single-line (no C0 control character or DEL) unless the schema says
 *   `'x-multiline': true`; every string of a JSON body, its keys included, is well-formed
 *   Unicode (no lone surrogates) without NUL; bodies nest at most 32 levels.
 * - A schema may name the catalogue code its violations answer with: `'x-error-code'`.
 * - Declared `format`s (uri, date-time, uuid, email, ipv4, …) are enforced (ajv-formats).
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifySchemaCompiler } from 'fastify';

export type SchemaPart = 'params' | 'querystring' | 'headers' | 'body';

/** Default maximum length of strings that declare none. */
export const DEFAULT_MAX_LENGTH: Record<SchemaPart, number> = { params: 1024, querystring: 1024, headers: 8192, body: 65536 };
/** Maximum nesting of a JSON body. */
export const MAX_BODY_DEPTH = 32;

const OPTIONAL = Symbol.for('TypeBox.Optional');

// ---- shared field schemas -------------------------------------------------------------------

/** `{project_id}` of a path: the caller's project (32 hex for projects logsnap creates). */
export const ProjectId = Type.String({ minLength: 1, maxLength: 64, description: "the caller's project id" });
/** A resource id in a path or body (cluster, instance, snapshot, log file, policy): 1–64 characters. */
export const ResourceId = Type.String({ minLength: 1, maxLength: 64 });
/** A 0-based offset of a listing: far past any list logsnap keeps is refused, not clamped. */
export const Offset0 = (description = '0-based index of the first item') =>
  Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0, description });
type Json = Record<string, any>;

function isLiteralUnion(node: Json): boolean {
  return Array.isArray(node.anyOf) && node.anyOf.length > 0 &&
    node.anyOf.every((b: Json) => b && typeof b === 'object' && 'const' in b && ['string', 'number', 'boolean'].includes(typeof b.const)) &&
    new Set(node.anyOf.map((b: Json) => typeof b.const)).size === 1;
}

function harden(node: unknown, part: SchemaPart): unknown {
  if (!node || typeof node !== 'object' || Array.isArray(node)) return node;
  const n: Json = { ...(node as Json) };
  if (isLiteralUnion(n)) {
    const values = n.anyOf.map((b: Json) => b.const);
    delete n.anyOf;
    n.type = typeof values[0] === 'number' ? (values.every(Number.isInteger) ? 'integer' : 'number') : typeof values[0];
    n.enum = values;
  }
  const types: string[] = Array.isArray(n.type) ? n.type : n.type ? [n.type] : [];
  const fixed = 'enum' in n || 'const' in n;
  if (types.includes('string') && !fixed) {
    if (n.maxLength === undefined) n.maxLength = DEFAULT_MAX_LENGTH[part];
    if (n['x-multiline'] !== true) n['x-line'] = true;
  }
  if ((types.includes('integer') || types.includes('number')) && !fixed) {
    if (n.minimum === undefined && n.exclusiveMinimum === undefined) n.minimum = Number.MIN_SAFE_INTEGER;
    if (n.maximum === undefined && n.exclusiveMaximum === undefined) n.maximum = Number.MAX_SAFE_INTEGER;
  }
  if (n.properties) n.properties = Object.fromEntries(Object.entries(n.properties).map(([k, v]) => [k, harden(v, part)]));
  if (n.patternProperties) n.patternProperties = Object.fromEntries(Object.entries(n.patternProperties).map(([k, v]) => [k, harden(v, part)]));
  if (n.additionalProperties && typeof n.additionalProperties === 'object') n.additionalProperties = harden(n.additionalProperties, part);
  if (n.items) n.items = Array.isArray(n.items) ? n.items.map((i: unknown) => harden(i, part)) : harden(n.items, part);
  for (const k of ['anyOf', 'oneOf', 'allOf'] as const) if (Array.isArray(n[k])) n[k] = n[k].map((b: unknown) => harden(b, part));
  if (n.not) n.not = harden(n.not, part);
  return n;
}

/**
 * A route part's schema with the defaults above applied (a copy; the declared schema is not
 * changed). A TypeBox `Type.Optional(...)` body is marked `x-optional`: no body at all is fine.
 */
export function hardenSchema<T extends TSchema | undefined>(schema: T, part: SchemaPart): T {
  if (!schema) return schema;
  const out = harden(schema, part) as Json;
  if ((schema as unknown as Record<symbol, unknown>)[OPTIONAL] === 'Optional') out['x-optional'] = true;
  return out as T;
}

// ---- text values of query strings and paths ------------------------------------------

const INTEGER_TEXT = /^-?(?:0|[1-9][0-9]*)$/;
const NUMBER_TEXT = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?$/;

/** The value a text means for a schema, or the text itself when it is not written canonically. */
function fromText(schema: Json, text: string): unknown {
  const types: string[] = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  for (const t of types) {
    if (t === 'string') return text;
    if (t === 'integer' && INTEGER_TEXT.test(text)) return Number(text);
    if (t === 'number' && NUMBER_TEXT.test(text)) return Number(text);
    if (t === 'boolean' && (text === 'true' || text === 'false')) return text === 'true';
  }
  for (const branch of schema.anyOf ?? []) {
    const v = fromText(branch, text);
    if (v !== text) return v;
  }
  return text;
}

type Coerce = (data: Json) => void;

/** Precompiled per route: which query/path properties are not text, and how to read them. */
function coercionOf(schema: Json): Coerce {
  const props = Object.entries((schema.properties ?? {}) as Record<string, Json>).filter(([, s]) => {
    const types = JSON.stringify([s.type, s.items?.type, s.anyOf?.map((b: Json) => b.type)]);
    return /integer|number|boolean|array/.test(types);
  });
  if (props.length === 0) return () => undefined;
  return (data) => {
    for (const [key, s] of props) {
      const v = data[key];
      if (v === undefined) continue;
      if (s.type === 'array') {
        const list = Array.isArray(v) ? v : [v];
        data[key] = list.map((x) => (typeof x === 'string' && s.items ? fromText(s.items, x) : x));
      } else if (typeof v === 'string') data[key] = fromText(s, v);
    }
  };
}

// ---- strings of a JSON body -------------------------------------------------------------

const CONTROL = /[\u0000-\u001f\u007f]/;

/** The first string (or key) of a parsed JSON body that is not clean text, as a validation error. */
export function bodyTextProblem(root: unknown): ErrorObject | null {
  const stack: [unknown, string, number][] = [[root, '', 0]];
  while (stack.length) {
    const [v, path, depth] = stack.pop()!;
    if (typeof v === 'string') {
      const p = stringProblem(v);
      if (p) return problem(path, p);
    } else if (v && typeof v === 'object') {
      if (depth >= MAX_BODY_DEPTH) return problem(path, `must not nest deeper than ${MAX_BODY_DEPTH} levels`);
      if (Array.isArray(v)) v.forEach((x, i) => stack.push([x, `${path}/${i}`, depth + 1]));
      else {
        for (const [k, x] of Object.entries(v)) {
          const key = `${path}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`;
          const p = stringProblem(k);
          if (p) return problem(key, `(a property name) ${p}`);
          stack.push([x, key, depth + 1]);
        }
      }
    }
  }
  return null;
}

function stringProblem(s: string): string | null {
  if (!(s as unknown as { isWellFormed(): boolean }).isWellFormed()) return 'must be well-formed Unicode text (it has a lone UTF-16 surrogate)';
  if (s.includes('\u0000')) return 'must not contain NUL characters';
  return null;
}

function problem(instancePath: string, message: string): ErrorObject {
  const printable = instancePath.replace(/[^\x20-\x7e]/g, '?').slice(0, 200);
  return { instancePath: printable, schemaPath: '#/x-text', keyword: 'x-text', params: {}, message };
}

// ---- the validator compiler -----------------------------------------------------------------

// ajv-formats is CommonJS: its function is the module's default export (or the module itself)
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

export function createAjv(): Ajv {
  const ajv = new Ajv({ useDefaults: true, removeAdditional: true, allErrors: false, strict: false, coerceTypes: false, verbose: true });
  // declared formats (uri, date-time, uuid, ipv4, …) are enforced, as Fastify's own compiler would
  addFormats(ajv);
  ajv.addKeyword({
    keyword: 'x-line',
    type: 'string',
    schemaType: 'boolean',
    errors: true,
    validate: function line(this: unknown, on: boolean, data: string): boolean {
      if (!on || !CONTROL.test(data)) return true;
      (line as unknown as { errors: Partial<ErrorObject>[] }).errors = [{ keyword: 'x-line', message: 'must not contain control characters (tab, newline, NUL, …)', params: {} }];
      return false;
    },
  });
  for (const keyword of ['x-multiline', 'x-error-code', 'x-optional']) ajv.addKeyword({ keyword });
  return ajv;
}

/**
 * Fastify's validator compiler: no type coercion by Ajv (see `fromText`), text checks on
 * bodies, optional bodies. One Ajv per app (no module singleton).
 */
export function validatorCompiler(ajv: Ajv = createAjv()): FastifySchemaCompiler<Json> {
  return ({ schema, httpPart }) => {
    const validate: ValidateFunction = ajv.compile(schema);
    if (httpPart === 'body') {
      const optional = schema['x-optional'] === true;
      const check = (data: unknown) => {
        if (optional && (data === null || data === undefined)) return true;
        if (!validate(data)) {
          check.errors = validate.errors;
          return false;
        }
        const p = bodyTextProblem(data);
        check.errors = p ? [p] : null;
        return !p;
      };
      check.errors = null as ValidateFunction['errors'];
      return check;
    }
    const coerce = coercionOf(schema);
    const check = (data: unknown) => {
      if (data && typeof data === 'object') coerce(data as Json);
      const ok = validate(data);
      check.errors = validate.errors;
      return ok;
    };
    check.errors = null as ValidateFunction['errors'];
    return check;
  };
}

/** The catalogue code a failed validation asks for (`x-error-code` on the failing schema), if any. */
export function errorCodeOf(errors: ErrorObject[] | undefined): string | undefined {
  const parent = errors?.[0]?.parentSchema as Json | undefined;
  const code = parent?.['x-error-code'];
  return typeof code === 'string' ? code : undefined;
}

/** A readable message for a validation error: the allowed values of an enum are listed. */
export function validationMessage(context: string, errors: ErrorObject[]): string {
  return errors
    .slice(0, 3)
    .map((e) => {
      const where = `${context}${e.instancePath}`;
      if (e.keyword === 'enum') return `${where} must be one of: ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
      if (e.keyword === 'required') return `${where} must have the property ${JSON.stringify((e.params as { missingProperty: string }).missingProperty)}`;
      return `${where} ${e.message}`;
    })
    .join('; ');
}
