import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load.js';
import { ConfigError } from '../config/section.js';
import { createRuntime } from '../runtime.js';
import { callCommand } from './call.js';
import { redactUrlPassword } from '../security/redact.js';

const HELP = `logsnap — Huawei Cloud CSS/DCS/CCE/DWS log backup and snapshot APIs, for real.

Usage:
  logsnap serve [--config FILE]          start the server (env: see README "Configuration")
  logsnap call SERVICE OPERATION [--name value ...] [--body JSON] [--wait]
                                         call an operation, signed with data/client.json's AK/SK
  logsnap call --list                    list the operations the server offers
  logsnap help

Examples:
  logsnap call css ListClustersDetails
  logsnap call css CreateLogBackup --cluster_id <id> --wait
`;

async function serve(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { config: { type: 'string', short: 'c' } }, allowPositionals: false });
  const config = loadConfig({ file: values.config });
  const rt = await createRuntime({ config });
  const url = await rt.listen();
  const s = rt.start;
  const lines = ['', `logsnap ${config.core.role === 'all' ? '' : `(${config.core.role}) `}listening on ${url}`];
  // the web console first: open the URL, paste the admin token
  if (config.console.enabled && config.core.role !== 'worker') {
    const how = s?.adminToken
      ? 'sign in with the admin token below'
      : config.security.adminToken
        ? 'sign in with the admin token (LOGSNAP_ADMIN_TOKEN)'
        : `sign in with the admin token in ${config.core.dataDir}/admin-token`;
    lines.push(`  console:  ${url}/console/   (${how})`);
  }
  if (s?.adminToken) lines.push(`  admin token: ${s.adminToken}   (kept in ${config.core.dataDir}/admin-token)`);
  lines.push(
    `  API docs: ${url}/docs  (OpenAPI: ${url}/openapi.json)`,
    `  database: ${redactUrlPassword(config.database.url)}`,
    `  objects:  ${config.storage.driver === 'fs' ? config.storage.root : `s3 bucket ${config.storage.s3?.bucket}`}`,
  );
  if (s) {
    lines.push(`  project id: ${s.projectId}`, `  access key: ${s.ak}`);
    lines.push(s.sk ? `  secret key: ${s.sk}   (shown at first start only; kept in ${config.core.dataDir}/client.json, mode 0600)` : `  secret key: in ${config.core.dataDir}/client.json`);
    lines.push(...s.demo.map((d) => `  ${d}`));
    lines.push('', 'Try it (signed with the AK/SK above):', '  npx logsnap call css ListClustersDetails', '');
  }
  process.stdout.write(lines.join('\n') + '\n');
  let stopping = false;
  const stop = async (sig: string) => {
    if (stopping) return;
    stopping = true;
    rt.app.log.info({ signal: sig }, 'shutting down: draining jobs');
    await rt.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

async function main(): Promise<void> {
  // `logsnap call --list | head` closes stdout early: that is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  const [cmd, ...rest] = process.argv.slice(2);
  try {
    switch (cmd) {
      case 'serve':
        await serve(rest);
        break;
      case 'call':
        process.exitCode = await callCommand(rest);
        break;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(HELP);
        break;
      default:
        process.stderr.write(`logsnap: unknown command ${JSON.stringify(cmd)}\n\n${HELP}`);
        process.exitCode = 2;
    }
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`logsnap: ${e.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`logsnap: ${(e as Error).message}\n`);
    process.exit(1);
  }
}

await main();
