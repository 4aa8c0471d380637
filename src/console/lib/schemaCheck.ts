/**
 * A JSON Schema checker for the subset the engine schemas use (object, array, string, boolean,
 * integer, number; required, additionalProperties: false, minLength, maxLength, pattern, minItems,
 * maxItems, minimum, maximum). The forms check with it as the user types; the API checks the same
 * schemas (served by AdminListEngineSchemas) with TypeBox on submit. A unit test runs both over the
 * real engine schemas and compares their verdicts.
 */
export interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  description?: string;
  anyOf?: JsonSchema[];
  const?: unknown;
}

export interface SchemaProblem {
  /** `nodes.0.logDir` */
  path: string;
  message: string;
}

export function checkSchema(schema: JsonSchema, value: unknown, path = ''): SchemaProblem[] {
  const out: SchemaProblem[] = [];
  const at = (p: string) => (path ? `${path}.${p}` : p);
  const fail = (message: string) => out.push({ path, message });
  if (schema.anyOf) {
    if (!schema.anyOf.some((s) => checkSchema(s, value, path).length === 0)) fail('is not one of the allowed values');
    return out;
  }
  if (schema.const !== undefined && value !== schema.const) fail(`must be ${JSON.stringify(schema.const)}`);
  switch (schema.type) {
    case 'object': {
      if (!value || typeof value !== 'object' || Array.isArray(value)) return [{ path, message: 'must be an object' }];
      const o = value as Record<string, unknown>;
      for (const r of schema.required ?? []) if (o[r] === undefined) out.push({ path: at(r), message: 'is required' });
      for (const [k, v] of Object.entries(o)) {
        const s = schema.properties?.[k];
        if (!s) {
          if (schema.additionalProperties === false) out.push({ path: at(k), message: 'is not a known field' });
          continue;
        }
        if (v !== undefined) out.push(...checkSchema(s, v, at(k)));
      }
      break;
    }
    case 'array': {
      if (!Array.isArray(value)) return [{ path, message: 'must be a list' }];
      if (schema.minItems !== undefined && value.length < schema.minItems) fail(`needs at least ${schema.minItems} item(s)`);
      if (schema.maxItems !== undefined && value.length > schema.maxItems) fail(`takes at most ${schema.maxItems} item(s)`);
      if (schema.items) value.forEach((v, i) => out.push(...checkSchema(schema.items!, v, at(String(i)))));
      break;
    }
    case 'string': {
      if (typeof value !== 'string') return [{ path, message: 'must be text' }];
      if (schema.minLength !== undefined && value.length < schema.minLength) fail(schema.minLength === 1 ? 'must not be empty' : `needs at least ${schema.minLength} characters`);
      if (schema.maxLength !== undefined && value.length > schema.maxLength) fail(`takes at most ${schema.maxLength} characters`);
      if (schema.pattern !== undefined && !new RegExp(schema.pattern).test(value)) fail(`must match ${schema.pattern}`);
      break;
    }
    case 'boolean':
      if (typeof value !== 'boolean') fail('must be true or false');
      break;
    case 'integer':
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value) || (schema.type === 'integer' && !Number.isInteger(value))) return [{ path, message: `must be ${schema.type === 'integer' ? 'a whole number' : 'a number'}` }];
      if (schema.minimum !== undefined && value < schema.minimum) fail(`must be at least ${schema.minimum}`);
      if (schema.maximum !== undefined && value > schema.maximum) fail(`must be at most ${schema.maximum}`);
      break;
    }
    default:
      break;
  }
  return out;
}
