/**
 * CSS log backup throughput: logsnap's real backup code (runBackup, the function the
 * css.log-backup job runs) with the filesystem object store, against
 * `tar -cf - DIR | gzip -1 > FILE` on the same files, in the same run.
 *
 *   node --import tsx bench/css-log-backup.ts [--gb 1]
 *
 * Data: ≥ 1 GiB of Elasticsearch-style log text (2 nodes × 6 files), cached under .bench/.
 * logsnap runs in a child process so its peak RSS is its own (process.resourceUsage().maxRSS);
 * the baseline's peak RSS is measured with /usr/bin/time -v when available.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { FsObjectStore } from '../src/storage/fsStore.js';
import { runBackup, DEFAULT_CONCURRENCY } from '../src/services/css/backup.js';
import { writeLogFile } from '../src/services/css/sampleLogs.js';

const here = fileURLToPath(import.meta.url);
const args = process.argv.slice(2);

if (args[0] === '--child') {
  // logsnap side: back the folder up, print timing and peak RSS as JSON
  const [, dataDir, storeRoot, conc] = args;
  const store = new FsObjectStore(storeRoot, { key: randomBytes(32), baseUrl: () => 'http://127.0.0.1' });
  const nodes = ['es-1', 'es-2'].map((name) => ({ name, logDir: join(dataDir, name) }));
  const t = process.hrtime.bigint();
  const m = await runBackup({
    store, clusterId: 'bench', jobId: 'bench', jobType: 'Manual', nodes, bucket: 'bench', prefix: 'css/log/bench/job',
    concurrency: Number(conc), now: () => Date.now(),
  });
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  process.stdout.write(JSON.stringify({ seconds, bytes: m.totals.bytes, stored: m.totals.storedBytes, files: m.totals.files, maxRssKb: process.resourceUsage().maxRSS }) + '\n');
  process.exit(0);
}

const gb = Number(args[args.indexOf('--gb') + 1] || 1) || 1;
const root = resolve('.bench');
const dataDir = join(root, `css-logs-${gb}g`);
const perFile = Math.ceil((gb * 1024 ** 3) / 12);
mkdirSync(dataDir, { recursive: true });
let generated = false;
for (const node of ['es-1', 'es-2']) {
  for (let i = 0; i < 6; i++) {
    const p = join(dataDir, node, i === 0 ? 'es-cluster.log' : `es-cluster.log.${i}`);
    if (existsSync(p) && statSync(p).size === perFile) continue;
    await writeLogFile(p, perFile, { node, seed: i + (node === 'es-1' ? 1 : 101) });
    generated = true;
  }
}
const totalBytes = perFile * 12;
console.log(`data: ${(totalBytes / 1024 ** 2).toFixed(0)} MiB in 12 files under ${dataDir}${generated ? ' (generated)' : ' (cached)'}`);

const work = mkdtempSync(join(root, 'run-'));
const hasTime = existsSync('/usr/bin/time');
try {
  // warm the page cache once so neither side pays the first read
  execFileSync('sh', ['-c', `cat ${dataDir}/*/* > /dev/null`]);

  // baseline: tar | gzip -1
  const out = join(work, 'baseline.tar.gz');
  const cmd = `tar -cf - -C ${dataDir} . | gzip -1 > ${out}`;
  const tb = process.hrtime.bigint();
  const b = hasTime
    ? spawnSync('/usr/bin/time', ['-v', 'sh', '-c', cmd], { encoding: 'utf8' })
    : spawnSync('sh', ['-c', cmd], { encoding: 'utf8' });
  const baseSeconds = Number(process.hrtime.bigint() - tb) / 1e9;
  if (b.status !== 0) throw new Error(`baseline failed: ${b.stderr}`);
  // /usr/bin/time reports the largest single process of the pipeline tree it waited for
  const baseRssKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(b.stderr ?? '')?.[1] ?? NaN);
  const baseStored = statSync(out).size;
  rmSync(out);

  // logsnap
  const storeRoot = join(work, 'store');
  const c = spawnSync(process.execPath, ['--import', 'tsx', here, '--child', dataDir, storeRoot, String(DEFAULT_CONCURRENCY)], { encoding: 'utf8' });
  if (c.status !== 0) throw new Error(`logsnap child failed: ${c.stderr}`);
  const ours = JSON.parse(c.stdout.trim().split('\n').pop()!);
  if (ours.bytes !== totalBytes) throw new Error(`logsnap backed up ${ours.bytes} bytes, expected ${totalBytes}`);

  const mb = totalBytes / 1e6;
  const oursMbS = mb / ours.seconds;
  const baseMbS = mb / baseSeconds;
  const rows = [
    ['logsnap runBackup', `${ours.seconds.toFixed(2)} s`, `${oursMbS.toFixed(1)} MB/s`, `${(ours.maxRssKb / 1024).toFixed(0)} MB`, `${(ours.stored / 1e6).toFixed(1)} MB`, `gzip -1, ${DEFAULT_CONCURRENCY} files at once`],
    ['tar | gzip -1', `${baseSeconds.toFixed(2)} s`, `${baseMbS.toFixed(1)} MB/s`, Number.isNaN(baseRssKb) ? 'n/a' : `${(baseRssKb / 1024).toFixed(0)} MB`, `${(baseStored / 1e6).toFixed(1)} MB`, 'single gzip'],
  ];
  console.log(`nproc ${spawnSync('nproc', { encoding: 'utf8' }).stdout.trim()}, node ${process.version}, input ${mb.toFixed(0)} MB`);
  for (const r of rows) console.log(`  ${r[0].padEnd(18)} ${r[1].padStart(9)} ${r[2].padStart(12)}  peak RSS ${r[3].padStart(7)}  stored ${r[4].padStart(9)}  (${r[5]})`);
  writeFileSync(join(root, 'css-log-backup.last.json'), JSON.stringify({ ours, baseSeconds, baseRssKb, baseStored, totalBytes }, null, 2));
  console.log(`RESULT css-log-backup ratio=${(ours.seconds / baseSeconds).toFixed(3)} mb_s=${oursMbS.toFixed(1)} peak_rss_mb=${(ours.maxRssKb / 1024).toFixed(0)} baseline_mb_s=${baseMbS.toFixed(1)}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
