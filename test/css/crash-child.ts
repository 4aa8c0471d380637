/**
 * Child process of crash.test.ts: starts logsnap on the given data dir and SQLite database,
 * starts a backup of a large log folder and prints {clusterId, jobId, projectId} once the job
 * has written its first object; then waits to be SIGKILLed.
 */
import { startServer } from '../helpers/server.js';
import { cssOps, listKeys, OPEN, registerCluster } from './helpers.js';

const [dataDir, databaseUrl, logDir] = process.argv.slice(2);
const s = await startServer({ engine: 'sqlite', dataDir, databaseUrl, config: { jobs: { leaseSeconds: 6, concurrency: 1 } } });
const id = await registerCluster(s, [{ name: 'es-1', logDir }]);
const css = cssOps(s.client('/css'), id);
await css.open(OPEN);
await css.collect();
const jobId = (await css.records()).clusterLogRecord[0].jobId;
for (;;) {
  if ((await listKeys(s, 'css-logs', `css/log/${id}/${jobId}/`)).length > 0) break;
  await new Promise((r) => setTimeout(r, 20));
}
process.stdout.write(JSON.stringify({ clusterId: id, jobId, projectId: s.projectId }) + '\n');
setInterval(() => undefined, 1000);
