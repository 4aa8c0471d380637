/**
 * A plain logsnap server process for multi-process tests: the same runtime as `logsnap serve`,
 * configured by LOGSNAP_* env vars; prints `LISTENING <url>` once it answers.
 */
import { loadConfig } from '../../src/config/load.js';
import { createRuntime } from '../../src/runtime.js';

const rt = await createRuntime({ config: loadConfig({}) });
const url = await rt.listen();
process.stdout.write(`LISTENING ${url}\n`);
process.on('SIGTERM', () => void rt.close().then(() => process.exit(0)));
