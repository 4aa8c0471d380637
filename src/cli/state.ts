import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load.js';
import { createRuntime } from '../runtime.js';
import { parseMasterKey, SecretBox } from '../security/secrets.js';
import { readStateHeader, StateArchiveError } from '../testmode/state.js';
import { UsageError } from './usage.js';

export const STATE_HELP = `logsnap state — the whole state (every database row and stored object) as one archive

  logsnap state export FILE [--config FILE]   write it (tar.gz)
  logsnap state import FILE [--config FILE]   replace the state with it; a damaged archive or another
                                              format version is refused and changes nothing

Works on the configured data dir and database (DATABASE_URL, LOGSNAP_DATA_DIR…), without a server:
stop the server first, or use the admin API of a server in test mode (GET/PUT /admin/v1/test/state).
Secrets stay encrypted: import with the master key of the logsnap that exported (LOGSNAP_MASTER_KEY, or
its master.key in the data dir).
`;

/** `logsnap state export|import FILE`; returns the exit code. `env`: where the configuration comes from. */
export async function stateCommand(argv: string[], env: Record<string, string | undefined> = process.env, out: (line: string) => void = (l) => process.stdout.write(l + '\n')): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: { config: { type: 'string', short: 'c' } }, allowPositionals: true });
  const [action, file] = positionals;
  if (action === 'help' || action === undefined) {
    out(STATE_HELP.trimEnd());
    return action ? 0 : 2;
  }
  if ((action !== 'export' && action !== 'import') || !file || positionals.length > 2) throw new UsageError('usage: logsnap state export FILE | logsnap state import FILE');
  const config = loadConfig({ file: values.config, env });
  // an offline tool: no first-start project, no demo, no seeds; the state levers are needed
  Object.assign(config.core, { testMode: true, bootstrap: false, demo: false, role: 'api' });
  config.projects = [];
  // no admin token is generated into the data dir by this run (the admin API is not served)
  config.security.adminToken ??= randomBytes(24).toString('hex');
  if (action === 'import') {
    if (!existsSync(file)) throw new StateArchiveError(`cannot read ${file}: no such file`);
    const header = await readStateHeader(file);
    const keyFile = join(config.core.dataDir, 'master.key');
    const key = config.security.masterKey ?? (existsSync(keyFile) ? readFileSync(keyFile, 'utf8') : undefined);
    const how = `start with LOGSNAP_MASTER_KEY set to the master key of the logsnap that exported it (or copy its master.key into ${config.core.dataDir})`;
    if (!key) throw new StateArchiveError(`the archive's secrets are encrypted with its logsnap's master key: ${how}`);
    if (new SecretBox(parseMasterKey(key)).keyCheck() !== header.master_key_check) {
      throw new StateArchiveError(`the archive was written with another master key than this one: ${how}`);
    }
  }
  const rt = await createRuntime({ config });
  try {
    if (action === 'export') {
      const s = await rt.levers!.exportState(createWriteStream(file, { mode: 0o600 }));
      out(`exported ${s.rows} row(s) of ${s.tables} table(s) and ${s.objects} object(s) (${s.bytes} bytes) to ${file}`);
    } else {
      const s = await rt.levers!.importState(file);
      out(`imported ${s.rows} row(s) of ${s.tables} table(s) and ${s.objects} object(s) (${s.bytes} bytes) from ${file}`);
    }
  } finally {
    await rt.close();
  }
  return 0;
}
