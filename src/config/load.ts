import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { parse as parseYaml } from 'yaml';
import { ConfigError, resolveSection, type ConfigSection } from './section.js';
import { coreSection, SeedProject } from './core.js';
import { serverSection } from '../http/config.js';
import { databaseSection } from '../db/config.js';
import { storageSection } from '../storage/config.js';
import { securitySection } from '../security/config.js';
import { jobsSection } from '../jobs/config.js';
import { trustSection } from '../trust/config.js';
import { auditSection } from '../audit/config.js';
import { webhooksSection } from '../notify/config.js';
import { consoleSection } from '../readModel/config.js';

type V<S extends ConfigSection> = Static<S['schema']>;

export interface Config {
  core: V<typeof coreSection>;
  server: V<typeof serverSection>;
  database: V<typeof databaseSection> & { url: string };
  storage: V<typeof storageSection> & { root: string };
  security: V<typeof securitySection>;
  jobs: V<typeof jobsSection>;
  trust: V<typeof trustSection>;
  audit: V<typeof auditSection>;
  webhooks: V<typeof webhooksSection>;
  console: V<typeof consoleSection>;
  projects: Static<typeof SeedProject>[];
  /** path of the config file, when one was given */
  file?: string;
}

export interface LoadOptions {
  env?: Record<string, string | undefined>;
  file?: string;
  cwd?: string;
  /** plain object overrides applied over the file (tests) */
  overrides?: Record<string, unknown>;
}

const SECTIONS = [coreSection, serverSection, databaseSection, storageSection, securitySection, jobsSection, trustSection, auditSection, webhooksSection, consoleSection] as const;
const TOP_KEYS = new Set<string>([...SECTIONS.map((s) => s.key), 'projects']);

/** Load and validate the whole configuration. Throws ConfigError with every problem found. */
export function loadConfig(opts: LoadOptions = {}): Config {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const file = opts.file ?? env.LOGSNAP_CONFIG;
  let fileData: Record<string, unknown> = {};
  const problems: string[] = [];
  if (file) {
    let text: string;
    try {
      text = readFileSync(resolve(cwd, file), 'utf8');
    } catch (e) {
      throw new ConfigError([`config file ${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? e}); check the --config path`]);
    }
    try {
      const parsed = parseYaml(text) ?? {};
      if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('top level must be a mapping');
      fileData = parsed as Record<string, unknown>;
    } catch (e) {
      throw new ConfigError([`config file ${file}: not valid YAML: ${(e as Error).message.split('\n')[0]}`]);
    }
  }
  if (opts.overrides) fileData = deepMerge(fileData, opts.overrides);
  for (const k of Object.keys(fileData)) {
    if (!TOP_KEYS.has(k)) problems.push(`${k}: unknown top-level key; expected one of ${[...TOP_KEYS].join(', ')}`);
  }
  const out: Record<string, unknown> = {};
  for (const section of SECTIONS) {
    const r = resolveSection(section as ConfigSection, fileData[section.key], env);
    problems.push(...r.problems);
    out[section.key] = r.value;
  }
  const projects = fileData.projects ?? [];
  const ProjectsSchema = Type.Array(SeedProject);
  if (!Value.Check(ProjectsSchema, projects)) {
    for (const err of Value.Errors(ProjectsSchema, projects)) {
      const path = err.path.replace(/^\//, '').replace(/\//g, '.');
      problems.push(`projects.${path}: ${err.message}; fix it in the config file`);
    }
  }
  if (problems.length) throw new ConfigError(problems);
  const cfg = out as unknown as Config;
  cfg.projects = projects as Config['projects'];
  cfg.file = file;
  cfg.core.dataDir = resolve(cwd, cfg.core.dataDir);
  cfg.database.url ??= `sqlite:${resolve(cfg.core.dataDir, 'logsnap.db')}`;
  cfg.storage.root = resolve(cwd, cfg.storage.root ?? resolve(cfg.core.dataDir, 'objects'));
  if (cfg.storage.driver === 's3' && !cfg.storage.s3) {
    throw new ConfigError(['storage.s3: required when storage.driver is s3; set LOGSNAP_S3_BUCKET (and LOGSNAP_S3_ENDPOINT, credentials) or storage.s3 in the config file']);
  }
  return cfg;
}

/** Merge plain objects recursively (arrays and scalars of `b` replace those of `a`). */
export function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const cur = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && cur && typeof cur === 'object' && !Array.isArray(cur)
        ? deepMerge(cur as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}
