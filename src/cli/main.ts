import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load.js';
import { ConfigError } from '../config/section.js';
import { UsageError } from './usage.js';
import { redactUrlPassword } from '../security/redact.js';
import { StateArchiveError } from '../testmode/errors.js';
import { AdminApiError } from '../testmode/adminClient.js';
import { startBanner } from './banner.js';

const HELP = `logsnap — Huawei Cloud CSS/DCS/CCE/DWS log backup and snapshot APIs, for real.

Usage:
  logsnap serve [--config FILE]          start the server (env: see README "Configuration")
  logsnap call SERVICE OPERATION [--name value ...] [--body JSON] [--wait]
                                         call an operation, signed with data/client.json's AK/SK
  logsnap call --list                    list the operations the server offers
  logsnap verify [--project ID] [--cluster ID] [--since DATE] [--json] [--config FILE]
                                         re-read every stored artifact; exit 1 naming each missing,
                                         truncated or altered one
  logsnap catalog rebuild [--config FILE]  recreate records from the manifests in the store
  logsnap catalog backfill [--config FILE] write manifests of sets recorded before they existed
  logsnap key export|rotate --project ID   export (to stdout only) or rotate a project's key
  logsnap key import --project ID --key-file FILE
                                         put an exported project key back (lost master key)
  logsnap decrypt --key-file KEY --manifest MANIFEST [--out FILE] ENCRYPTED
                                         decrypt an artifact offline
  logsnap webhook add|list|show|enable|disable|rm|deliveries|ping
                                         signed webhooks of the project (logsnap webhook help)
  logsnap test clock|fault|reset …       test levers of a server in test mode (logsnap test help)
  logsnap state export|import FILE       the whole state as one archive (logsnap state help)
  logsnap help

Examples:
  logsnap call css ListClustersDetails
  logsnap call css CreateLogBackup --cluster_id <id> --wait
`;

async function serve(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { config: { type: 'string', short: 'c' } }, allowPositionals: false });
  const config = loadConfig({ file: values.config });
  // loaded here, not at start: `logsnap call` and `logsnap test` stay quick to start
  const { createRuntime } = await import('../runtime.js');
  const rt = await createRuntime({ config });
  const url = await rt.listen();
  process.stdout.write(startBanner(config, url, rt.start, config.core.testMode ? rt.deps.clock.now() : undefined));
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
      // commands load only what they use (`decrypt` runs offline, without the server's modules)
      case 'call':
        process.exitCode = await (await import('./call.js')).callCommand(rest);
        break;
      case 'verify':
        process.exitCode = await (await import('./trust.js')).verifyCommand(rest);
        break;
      case 'catalog':
        process.exitCode = await (await import('./trust.js')).catalogCommand(rest);
        break;
      case 'key':
        process.exitCode = await (await import('./trust.js')).keyCommand(rest);
        break;
      case 'decrypt':
        process.exitCode = await (await import('./decrypt.js')).decryptCommand(rest);
        break;
      case 'webhook':
        process.exitCode = await (await import('./webhook.js')).webhookCommand(rest);
        break;
      case 'test':
        process.exitCode = await (await import('./test.js')).testCommand(rest);
        break;
      case 'state':
        process.exitCode = await (await import('./state.js')).stateCommand(rest);
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
    if (e instanceof ConfigError || e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`logsnap: ${(e as Error).message}\n`);
      process.exit(2);
    }
    if (e instanceof StateArchiveError || e instanceof AdminApiError) {
      process.stderr.write(`logsnap: ${e.message}\n`);
      process.exit(1);
    }
    process.stderr.write(`logsnap: ${(e as Error).message}\n`);
    process.exit(1);
  }
}

await main();
