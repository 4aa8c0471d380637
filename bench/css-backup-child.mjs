// The logsnap side of bench/css-log-backup: the job's own code (runBackup, compiled in dist/) in a
// plain node process, so its RSS is the backup's and Node's, nothing else. Prints one JSON line.
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';

const [dataDir, storeRoot, concurrency] = process.argv.slice(2);
const dist = resolve('dist');
const { FsObjectStore } = await import(join(dist, 'storage/fsStore.js'));
const { runBackup } = await import(join(dist, 'services/css/backup.js'));
const store = new FsObjectStore(storeRoot, { key: randomBytes(32), baseUrl: () => 'http://127.0.0.1' });
const nodes = ['es-1', 'es-2'].map((name) => ({ name, logDir: join(dataDir, name) }));
const baseRss = process.memoryUsage().rss;
const t = process.hrtime.bigint();
const m = await runBackup({
  store, clusterId: 'bench', jobId: 'bench', jobType: 'Manual', nodes, bucket: 'bench', prefix: 'css/log/bench/job',
  concurrency: Number(concurrency), now: () => Date.now(),
});
const seconds = Number(process.hrtime.bigint() - t) / 1e9;
process.stdout.write(JSON.stringify({ seconds, bytes: m.totals.bytes, stored: m.totals.storedBytes, files: m.totals.files, baseRssKb: baseRss >> 10, maxRssKb: process.resourceUsage().maxRSS }) + '\n');
