import { type Static, type TObject } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

/**
 * A config section is owned by the module that uses it: the module declares the
 * schema (with defaults), and which environment variables feed which fields.
 * The loader (./load.ts) merges defaults < config file < environment and validates.
 */
export interface ConfigSection<S extends TObject = TObject> {
  key: string;
  schema: S;
  /** ENV_NAME -> dotted field path inside this section */
  env: Record<string, string>;
}

export function defineSection<S extends TObject>(section: ConfigSection<S>): ConfigSection<S> {
  return section;
}

export type SectionValue<S extends ConfigSection> = Static<S['schema']>;

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur = obj;
  for (const p of parts.slice(0, -1)) {
    if (typeof cur[p] !== 'object' || cur[p] === null) cur[p] = {};
    cur = cur[p] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1]] = value;
}

/** Resolve one section: defaults, then file values, then env; returns the value or problems. */
export function resolveSection<S extends TObject>(
  section: ConfigSection<S>,
  fileValue: unknown,
  env: Record<string, string | undefined>,
): { value?: Static<S>; problems: string[] } {
  const problems: string[] = [];
  const raw: Record<string, unknown> =
    fileValue && typeof fileValue === 'object' ? structuredClone(fileValue as Record<string, unknown>) : {};
  if (fileValue !== undefined && (typeof fileValue !== 'object' || fileValue === null || Array.isArray(fileValue))) {
    problems.push(`${section.key}: must be a mapping in the config file`);
  }
  const envFor = new Map<string, string>();
  for (const [name, path] of Object.entries(section.env)) {
    const v = env[name];
    if (v !== undefined && v !== '') {
      setPath(raw, path, v);
      envFor.set(path, name);
    }
  }
  const withDefaults = Value.Default(section.schema, raw);
  const converted = Value.Convert(section.schema, withDefaults);
  for (const err of Value.Errors(section.schema, converted)) {
    const path = err.path.replace(/^\//, '').replace(/\//g, '.');
    const full = path ? `${section.key}.${path}` : section.key;
    const envName = envFor.get(path) ?? Object.entries(section.env).find(([, p]) => p === path)?.[0];
    const got = err.value === undefined ? 'nothing' : JSON.stringify(redactValue(path, err.value));
    const how = envName ? `set ${envName} or ${full} in the config file` : `set ${full} in the config file`;
    problems.push(`${full}: ${err.message} (got ${got}); ${how}`);
  }
  if (problems.length) return { problems };
  return { value: converted as Static<S>, problems };
}

function redactValue(path: string, value: unknown): unknown {
  return /key|token|secret|password|sk$/i.test(path) ? '***' : value;
}
