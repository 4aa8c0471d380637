import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { UsageError } from './usage.js';
import pino from 'pino';
import { loadConfig } from '../config/load.js';
import { createRuntime, type Runtime, type RuntimeOptions } from '../runtime.js';
import { KeyUnavailableError } from '../trust/keys.js';
import { parseSince } from '../trust/routes.js';
import type { ArtifactReport } from '../trust/verify.js';

/**
 * The trust commands. verify, catalog and key work on the configured database and store
 * directly (no server needed: they run on a bad day too); decrypt (decrypt.ts) needs neither.
 */

/** Open the deployment's database and store for a maintenance command (no bootstrap, no demo, no worker, logs to stderr). */
async function openRuntime(configFile: string | undefined): Promise<Runtime> {
  const config = loadConfig({ file: configFile, overrides: { core: { bootstrap: false, demo: false, role: 'api' } } });
  const logger = pino({ level: process.env.LOGSNAP_CLI_LOG ?? 'warn' }, pino.destination(2)) as unknown as RuntimeOptions['logger'];
  return createRuntime({ config, logger });
}

async function withRuntime<T>(configFile: string | undefined, fn: (rt: Runtime) => Promise<T>): Promise<T> {
  const rt = await openRuntime(configFile);
  try {
    return await fn(rt);
  } finally {
    await rt.close();
  }
}

const out = (s: string) => process.stdout.write(s.endsWith('\n') ? s : `${s}\n`);
const err = (s: string) => process.stderr.write(s.endsWith('\n') ? s : `${s}\n`);

/** `logsnap verify`: exit 0 when every artifact is intact, 1 naming every one that is not. */
export async function verifyCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { config: { type: 'string', short: 'c' }, project: { type: 'string' }, cluster: { type: 'string' }, since: { type: 'string' }, json: { type: 'boolean' }, quiet: { type: 'boolean', short: 'q' } },
    allowPositionals: false,
  });
  let since: number | undefined;
  if (values.since !== undefined) {
    since = parseSince(values.since);
    if (since === undefined) throw new UsageError(`--since ${JSON.stringify(values.since)} is not a date; use YYYY-MM-DD or an ISO 8601 date-time`);
  }
  return withRuntime(values.config, async (rt) => {
    const line = (r: ArtifactReport) =>
      `${r.result.padEnd(10)} ${r.service} ${r.set_id} ${r.role.padEnd(8)} ${r.bucket}/${r.key}${r.detail ? `  — ${r.detail}` : ''}`;
    const report = await rt.trust.verifier.run({
      trigger: 'cli',
      filter: { projectId: values.project, clusterId: values.cluster, since },
      onArtifact: values.json ? undefined : (r) => {
        if (r.result !== 'ok' || !values.quiet) out(line(r));
      },
    });
    if (values.json) out(JSON.stringify(report, null, 2));
    else {
      out(`\n${report.sets} sets, ${report.artifacts} artifacts: ${report.ok} ok, ${report.problems.length} with problems (run ${report.run_id})`);
      if (report.problems.length) {
        err(`logsnap verify: ${report.problems.length} artifacts are missing, truncated, altered or unreadable:`);
        for (const p of report.problems) err(`  ${line(p)}`);
      }
    }
    return report.problems.length ? 1 : 0;
  });
}

/** `logsnap catalog rebuild|backfill` */
export async function catalogCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'rebuild' && sub !== 'backfill') throw new UsageError('usage: logsnap catalog rebuild|backfill [--config FILE] [--json]');
  const { values } = parseArgs({ args: rest, options: { config: { type: 'string', short: 'c' }, json: { type: 'boolean' } }, allowPositionals: false });
  if (sub === 'backfill') {
    return withRuntime(values.config, async (rt) => {
      const r = await rt.trust.rebuilder.backfill();
      if (values.json) out(JSON.stringify(r, null, 2));
      else {
        for (const w of r.written) out(`written    ${w.service} ${w.set_id} ${w.manifest}`);
        for (const f of r.failed) err(`failed     ${f.service} ${f.set_id}: ${f.error}`);
        out(`${r.written.length} manifests written, ${r.failed.length} failed`);
      }
      return r.failed.length ? 1 : 0;
    });
  }
  return withRuntime(values.config, async (rt) => {
    const r = await rt.trust.rebuilder.rebuild();
    if (values.json) out(JSON.stringify(r, null, 2));
    else {
      out(`${r.manifests} manifests read: ${r.restored.length} sets restored, ${r.present} already present, ${r.skipped.length} skipped, ${r.unreadable.length} unreadable`);
      for (const x of r.restored) out(`restored   ${x.service} ${x.set_id} (project ${x.project_id}, cluster ${x.cluster_id})`);
      for (const p of r.projects_created) out(`project    ${p} created (no credentials: add them with the config file or the admin API)`);
      for (const k of r.keys) {
        const v = (l: number[]) => `key version${l.length > 1 ? 's' : ''} ${l.join(', ')}`;
        if (k.restored.length) out(`keys       project ${k.project_id}: ${v(k.restored)} restored`);
        if (k.wrapped_by_another_master_key.length) {
          const w = k.wrapped_by_another_master_key;
          out(`keys       project ${k.project_id}: ${v(w)} ${w.length > 1 ? 'are' : 'is'} wrapped by another master key: logsnap key import --project ${k.project_id} --key-file FILE`);
        }
      }
      for (const u of r.unattached) out(`unattached ${u.sets} ${u.service} sets of cluster ${u.cluster_id} (${u.cluster_name ?? 'unnamed'}) in project ${u.project_id}: register the cluster with this id, then run the rebuild again`);
      for (const s of r.skipped) out(`skipped    ${s.manifest}: ${s.reason}`);
      for (const u of r.unreadable) err(`unreadable ${u.manifest}: ${u.error}`);
    }
    return r.unreadable.length ? 1 : 0;
  });
}

/** `logsnap key export|import|rotate --project ID` */
export async function keyCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values } = parseArgs({ args: rest, options: { config: { type: 'string', short: 'c' }, project: { type: 'string' }, 'key-file': { type: 'string' } }, allowPositionals: false });
  if (!['export', 'import', 'rotate'].includes(sub ?? '') || !values.project) {
    throw new UsageError('usage: logsnap key export|rotate --project ID [--config FILE]\n       logsnap key import --project ID --key-file FILE [--config FILE]');
  }
  const project = values.project;
  let importText: string | undefined;
  if (sub === 'import') {
    if (!values['key-file']) throw new UsageError('logsnap key import: --key-file FILE is required (the output of `logsnap key export`)');
    importText = await readFile(values['key-file'], 'utf8');
  }
  return withRuntime(values.config, async (rt) => {
    if (!(await rt.deps.projects.get(project))) throw new UsageError(`no project ${project}`);
    try {
      if (sub === 'export') {
        const k = await rt.trust.keys.export(project);
        // the key goes to stdout only (redirect it to a file); nothing else is printed there
        out(JSON.stringify(k));
        err(`logsnap: project ${project} key version ${k.version} (key id ${k.keyId}) exported. Keep it offline: with it and a manifest, \`logsnap decrypt\` reads this project's artifacts without the master key.`);
      } else if (sub === 'import') {
        const s = await rt.trust.keys.import(project, importText!);
        out(`project ${project}: key version ${s.key?.version} (key id ${s.key?.key_id}) imported; wrapped by this deployment's master key`);
      } else {
        const r = await rt.trust.rotate(project);
        out(`project ${project}: key version ${r.version} (key id ${r.key_id}) active; ${r.rewrapped} data keys re-wrapped, ${r.manifests} manifests rewritten, versions ${r.retired.join(', ') || '(none)'} destroyed`);
      }
      return 0;
    } catch (e) {
      if (e instanceof KeyUnavailableError) {
        err(`logsnap key ${sub}: ${e.message}`);
        return 1;
      }
      throw e;
    }
  });
}

