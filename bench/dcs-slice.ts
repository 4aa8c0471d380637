/**
 * bench/dcs-slice: logsnap's DCS run-log collection (the real job through the API: PING, read the
 * log, split it by day, one object per day into the fs store) against two baselines on the same
 * file in the same run: a plain streamed copy of the whole log into the same store (the floor:
 * read once, write once) and `awk` splitting the log into per-day files.
 *
 *   node --import tsx bench/dcs-slice.ts        (BENCH_DCS_MB=200 BENCH_ROUNDS=2; BENCH_SMOKE=1: 20 MiB, 1 round)
 *
 * Needs the Redis on 127.0.0.1:6379 (the job PINGs the node). Prints times, the peak RSS of this
 * process while logsnap collects, and one RESULT line (ratio = ours / streamed copy).
 */
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../test/helpers/server.js';
import { collect, redisSkip, REDIS_URL, waitJob } from '../test/dcs/helpers.js';
import { addDays, todayIn } from '../src/services/dcs/slicer.js';
import { envNumber, SMOKE } from './lib.js';

const TARGET_MB = envNumber('BENCH_DCS_MB', 200, 20);
const ROUNDS = envNumber('BENCH_ROUNDS', 2, 1);

const skip = await redisSkip();
if (skip) {
  console.log(`SKIP ${skip}`);
  process.exit(0);
}

const work = mkdtempSync(join(tmpdir(), 'logsnap-bench-dcs-'));
const logPath = join(work, 'redis.log');
const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const today = todayIn('UTC', Date.now());

// ~TARGET_MB of Redis-like lines over 8 days (one day outside the 7-day window), some continuation lines
{
  const out = createWriteStream(logPath);
  const days = Array.from({ length: 8 }, (_, i) => addDays(today, i - 7));
  const perDay = Math.ceil((TARGET_MB * 1024 * 1024) / 8);
  for (const day of days) {
    const [y, m, d] = day.split('-');
    let written = 0;
    let i = 0;
    let chunk: string[] = [];
    while (written < perDay) {
      const sec = Math.floor((i / 40000) * 86400) % 86400;
      const hh = String(Math.floor(sec / 3600)).padStart(2, '0');
      const mm = String(Math.floor(sec / 60) % 60).padStart(2, '0');
      const ss = String(sec % 60).padStart(2, '0');
      const line = i % 17 === 0 ? `    continuation of a multi-line message number ${i}\n` : `1234:M ${d} ${MON[Number(m) - 1]} ${y} ${hh}:${mm}:${ss}.${String(i % 1000).padStart(3, '0')} * Background saving terminated with success, ${i} changes\n`;
      chunk.push(line);
      written += line.length;
      i++;
      if (chunk.length === 2000) {
        if (!out.write(chunk.join(''))) await once(out, 'drain');
        chunk = [];
      }
    }
    out.write(chunk.join(''));
  }
  out.end();
  await once(out, 'finish');
}
const bytes = statSync(logPath).size;
console.log(`log: ${(bytes / 1048576).toFixed(0)} MiB over 8 days (${logPath})`);

const s = await startServer({ config: { jobs: { pollMs: 20 } } });
await s.rt.deps.clusters.register({ id: 'bench', projectId: s.projectId, service: 'dcs', name: 'bench', engine: { nodes: [{ replicationId: 'r1', ip: '10.0.0.1', url: REDIS_URL, logFile: logPath }] } });
const sdk = s.client('/dcs');

async function ours(): Promise<{ seconds: number; peakRssMb: number; baseRssMb: number; stored: number }> {
  global.gc?.();
  const baseRss = process.memoryUsage().rss;
  let peak = baseRss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 25);
  const t = performance.now();
  const r = await collect(sdk, 'bench', { log_type: 'run', query_time: 7 });
  const job = await waitJob(s, r.jobId!);
  const seconds = (performance.now() - t) / 1000;
  clearInterval(sampler);
  if (job.state !== 'SUCCEEDED') throw new Error(`collection failed: ${job.error}`);
  const stored = (job.result.files as { size: number }[]).reduce((n, f) => n + f.size, 0);
  return { seconds, peakRssMb: peak / 1048576, baseRssMb: baseRss / 1048576, stored };
}

async function copyBaseline(): Promise<number> {
  const t = performance.now();
  await s.rt.store.put('dcs-run-logs', 'bench/copy.log', createReadStream(logPath));
  const seconds = (performance.now() - t) / 1000;
  await s.rt.store.delete('dcs-run-logs', 'bench/copy.log');
  return seconds;
}

async function awkBaseline(): Promise<number> {
  const outDir = mkdtempSync(join(work, 'awk-'));
  const prog = '$1 ~ /^[0-9]+:[A-Z]$/ { day = $2 "-" $3 "-" $4 } { print > (dir "/" day ".log") }';
  const t = performance.now();
  await new Promise<void>((res, rej) => {
    const p = spawn('awk', ['-v', `dir=${outDir}`, prog, logPath], { env: { ...process.env, LC_ALL: 'C' }, stdio: 'ignore' });
    p.on('error', rej);
    p.on('exit', (code) => (code === 0 ? res() : rej(new Error(`awk exited ${code}`))));
  });
  const seconds = (performance.now() - t) / 1000;
  rmSync(outDir, { recursive: true, force: true });
  return seconds;
}

const res: { ours: number; copy: number; awk: number; peak: number; base: number; stored: number }[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  const copy = await copyBaseline();
  const awk = await awkBaseline();
  const o = await ours();
  res.push({ ours: o.seconds, copy, awk, peak: o.peakRssMb, base: o.baseRssMb, stored: o.stored });
  console.log(`round ${round}: logsnap ${o.seconds.toFixed(2)} s (${(bytes / 1048576 / o.seconds).toFixed(0)} MiB/s, stored ${(o.stored / 1048576).toFixed(0)} MiB in 7 objects, peak RSS ${o.peakRssMb.toFixed(0)} MiB, before ${o.baseRssMb.toFixed(0)} MiB) | streamed copy ${copy.toFixed(2)} s | awk split ${awk.toFixed(2)} s`);
}
const best = (k: 'ours' | 'copy' | 'awk') => Math.min(...res.map((r) => r[k]));
const peak = Math.max(...res.map((r) => r.peak));
const base = Math.min(...res.map((r) => r.base));
await s.close();
rmSync(work, { recursive: true, force: true });
console.log(
  `RESULT dcs-slice ratio=${(best('ours') / best('copy')).toFixed(2)}${SMOKE ? ' smoke=1' : ''} mb=${(bytes / 1048576).toFixed(0)} ours_s=${best('ours').toFixed(2)} copy_s=${best('copy').toFixed(2)} awk_s=${best('awk').toFixed(2)} ours_vs_awk=${(best('ours') / best('awk')).toFixed(2)} peak_rss_mb=${peak.toFixed(0)} rss_growth_mb=${(peak - base).toFixed(0)}`,
);
