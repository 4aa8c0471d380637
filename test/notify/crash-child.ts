/**
 * Child process of crash.test.ts: a logsnap server (API and worker) on the given data dir and
 * database, with short webhook settings; prints its URL once listening, then waits to be SIGKILLed.
 */
import { startServer } from '../helpers/server.js';
import { FAST_WEBHOOKS } from './helpers.js';

const [dataDir, databaseUrl] = process.argv.slice(2);
const s = await startServer({ dataDir, databaseUrl, config: { webhooks: FAST_WEBHOOKS, jobs: { leaseSeconds: 3 } } });
process.stdout.write(JSON.stringify({ url: s.url, projectId: s.projectId }) + '\n');
setInterval(() => undefined, 1000);
