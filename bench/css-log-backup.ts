/**
 * CSS log backup: throughput against `tar -cf - DIR | gzip -1 > FILE` on the same files in the same
 * run, and the memory a backup needs, flat in the data size.
 *
 *   node --import tsx bench/css-log-backup.ts          (BENCH_SMOKE=1: 0.25 GiB, flatness at 0.5 GiB)
 *
 * Knobs (env): BENCH_CSS_GB (default 1), BENCH_CSS_FLAT_GB (default 4; a second size for the memory
 * flatness, e.g. 10; 0 skips it), BENCH_ROUNDS (default 2; medians), BENCH_CSS_SERVER=0 skips the
 * whole-server run.
 *
 * Data: Elasticsearch-style log text (2 nodes × 6 files) cached under .bench/css-logs-<n>g, page
 * cache warmed. Three measurements:
 *  1. the job's code (runBackup: parallel gzip -1 per file, sha256, manifest, fs store) in a plain
 *     `node` child on the compiled code (dist/): its time, its peak RSS (getrusage maxRSS) and its
 *     RSS before the backup started; against tar | gzip -1 under /usr/bin/time -v, rounds alternating;
 *  2. the same at BENCH_CSS_FLAT_GB: the peak must not grow with the data;
 *  3. the whole server (`logsnap serve` from dist/) backing the 1 GiB up through the API
 *     (StartLogs, CreateLogBackup signed with the AK/SK, until SUCCESS): its RSS before, and its high
 *     water mark after — what a deployment sees.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { benchServer, ensureBuilt, envNumber, median, procMemory, resultLine, runJsonChild, stopChild } from './lib.js';
import { DEFAULT_CONCURRENCY } from '../src/services/css/backup.js';
import { writeLogFile } from '../src/services/css/sampleLogs.js';
import { signRequest } from '../src/http/auth/signature.js';

const GB = envNumber('BENCH_CSS_GB', 1, 0.25);
const FLAT_GB = envNumber('BENCH_CSS_FLAT_GB', 4, 0.5);
const ROUNDS = envNumber('BENCH_ROUNDS', 2, 1);
const SERVER = process.env.BENCH_CSS_SERVER !== '0';
const root = resolve('.bench');

async function corpus(gb: number): Promise<{ dir: string; bytes: number }> {
  const dir = join(root, `css-logs-${gb}g`);
  const perFile = Math.ceil((gb * 1024 ** 3) / 12);
  mkdirSync(dir, { recursive: true });
  let generated = false;
  for (const node of ['es-1', 'es-2']) {
    for (let i = 0; i < 6; i++) {
      const p = join(dir, node, i === 0 ? 'es-cluster.log' : `es-cluster.log.${i}`);
      if (existsSync(p) && statSync(p).size === perFile) continue;
      await writeLogFile(p, perFile, { node, seed: i + (node === 'es-1' ? 1 : 101) });
      generated = true;
    }
  }
  console.log(`data: ${((perFile * 12) / 1024 ** 2).toFixed(0)} MiB in 12 files under ${dir}${generated ? ' (generated)' : ' (cached)'}`);
  return { dir, bytes: perFile * 12 };
}

interface Ours { seconds: number; bytes: number; stored: number; baseRssKb: number; maxRssKb: number }

async function ours(dir: string, work: string): Promise<Ours> {
  const storeRoot = join(work, 'store');
  rmSync(storeRoot, { recursive: true, force: true });
  const r = await runJsonChild<Ours>(['bench/css-backup-child.mjs', dir, storeRoot, String(DEFAULT_CONCURRENCY)], { tsx: false });
  rmSync(storeRoot, { recursive: true, force: true });
  return r;
}

function baseline(dir: string, work: string): { seconds: number; rssKb: number; stored: number } {
  const out = join(work, 'baseline.tar.gz');
  const cmd = `tar -cf - -C ${dir} . | gzip -1 > ${out}`;
  const hasTime = existsSync('/usr/bin/time');
  const t = process.hrtime.bigint();
  const b = hasTime ? spawnSync('/usr/bin/time', ['-v', 'sh', '-c', cmd], { encoding: 'utf8' }) : spawnSync('sh', ['-c', cmd], { encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  if (b.status !== 0) throw new Error(`baseline failed: ${b.stderr}`);
  const rssKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(b.stderr ?? '')?.[1] ?? NaN);
  const stored = statSync(out).size;
  rmSync(out);
  return { seconds, rssKb, stored };
}

/** The whole server backing `dir` up through the API; its RSS before and its high-water mark after. */
async function server(dir: string, work: string): Promise<{ seconds: number; baseRssKb: number; hwmKb: number; startHwmKb: number }> {
  const { url, child, admin, project, credential } = await benchServer(join(work, 'server'));
  try {
    const cluster = await admin('POST', `/admin/v1/projects/${project.id}/clusters`, { service: 'css', name: 'bench', engine: { nodes: ['es-1', 'es-2'].map((n) => ({ name: n, logDir: join(dir, n) })) } });
    const host = new URL(url).host;
    const call = async (method: string, path: string, body?: unknown): Promise<any> => {
      const text = body === undefined ? '' : JSON.stringify(body);
      const headers = signRequest({ method, url: path, headers: { host, 'content-type': 'application/json' }, body: text, accessKey: credential.ak, secretKey: credential.sk, now: Date.now() });
      const r = await fetch(url + path, { method, headers, body: body === undefined ? undefined : text });
      if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
      return r.json();
    };
    const base = `/v1.0/${project.id}/clusters/${cluster.id}/logs`;
    await call('POST', `${base}/open`, { agency: 'css_obs_agency', log_bucket: 'bench-logs', log_base_path: 'css/log' });
    const start = procMemory(child.pid!);
    const t = process.hrtime.bigint();
    await call('POST', `${base}/collect`);
    for (;;) {
      const r = await call('GET', `${base}/records?limit=1`);
      const status = r.clusterLogRecord[0]?.status;
      if (status === 'SUCCESS') break;
      if (status === 'FAIL') throw new Error(`server backup failed: ${r.clusterLogRecord[0].failedMsg}`);
      await new Promise((res) => setTimeout(res, 100));
    }
    const seconds = Number(process.hrtime.bigint() - t) / 1e9;
    const end = procMemory(child.pid!);
    return { seconds, baseRssKb: start.rssKb, startHwmKb: start.hwmKb, hwmKb: end.hwmKb };
  } finally {
    await stopChild(child);
  }
}

const mb = (kb: number) => kb / 1024;
const main = await corpus(GB);
const flat = FLAT_GB > 0 && FLAT_GB !== GB ? await corpus(FLAT_GB) : undefined;
ensureBuilt();
const work = mkdtempSync(join(root, 'run-'));
try {
  execFileSync('sh', ['-c', `cat ${main.dir}/*/* > /dev/null`]);
  const runs: { ours: Ours; base: ReturnType<typeof baseline> }[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    let o: Ours;
    let b: ReturnType<typeof baseline>;
    if (round % 2 === 0) {
      b = baseline(main.dir, work);
      o = await ours(main.dir, work);
    } else {
      o = await ours(main.dir, work);
      b = baseline(main.dir, work);
    }
    if (o.bytes !== main.bytes) throw new Error(`logsnap backed up ${o.bytes} bytes, expected ${main.bytes}`);
    runs.push({ ours: o, base: b });
    console.log(`round ${round + 1}: logsnap ${o.seconds.toFixed(2)} s (${(main.bytes / 1e6 / o.seconds).toFixed(1)} MB/s), peak RSS ${mb(o.maxRssKb).toFixed(0)} MB (${mb(o.baseRssKb).toFixed(0)} MB before) | tar | gzip -1 ${b.seconds.toFixed(2)} s (${(main.bytes / 1e6 / b.seconds).toFixed(1)} MB/s), peak RSS ${mb(b.rssKb).toFixed(0)} MB`);
  }
  const oursS = median(runs.map((r) => r.ours.seconds));
  const baseS = median(runs.map((r) => r.base.seconds));
  const peak = Math.max(...runs.map((r) => r.ours.maxRssKb));
  const before = Math.min(...runs.map((r) => r.ours.baseRssKb));
  console.log(`${GB} GiB: logsnap ${oursS.toFixed(2)} s, tar | gzip -1 ${baseS.toFixed(2)} s (medians): ${(baseS / oursS).toFixed(2)}× the throughput; peak RSS ${mb(peak).toFixed(0)} MB (node and the code: ${mb(before).toFixed(0)} MB), stored ${(runs[0].ours.stored / 1e6).toFixed(0)} MB vs ${(runs[0].base.stored / 1e6).toFixed(0)} MB`);

  let flatPeak: number | undefined;
  if (flat) {
    const f = await ours(flat.dir, work);
    if (f.bytes !== flat.bytes) throw new Error(`logsnap backed up ${f.bytes} bytes of ${flat.bytes}`);
    flatPeak = f.maxRssKb;
    console.log(`${FLAT_GB} GiB: logsnap ${f.seconds.toFixed(2)} s (${(flat.bytes / 1e6 / f.seconds).toFixed(1)} MB/s), peak RSS ${mb(f.maxRssKb).toFixed(0)} MB (${GB} GiB: ${mb(peak).toFixed(0)} MB)`);
  }
  let srv: Awaited<ReturnType<typeof server>> | undefined;
  if (SERVER) {
    srv = await server(main.dir, work);
    console.log(`whole server (dist/, plain node): RSS ${mb(srv.baseRssKb).toFixed(0)} MB before the backup (start-up high water ${mb(srv.startHwmKb).toFixed(0)} MB), high water after ${GB} GiB ${mb(srv.hwmKb).toFixed(0)} MB; ${srv.seconds.toFixed(2)} s through the API`);
  }
  console.log(resultLine('css-log-backup', oursS / baseS, {
    throughput_x: baseS / oursS, mb_s: main.bytes / 1e6 / oursS, baseline_mb_s: main.bytes / 1e6 / baseS, gb: GB,
    peak_rss_mb: Math.round(mb(peak)), rss_before_mb: Math.round(mb(before)),
    ...(flatPeak ? { [`peak_rss_mb_${FLAT_GB}g`]: Math.round(mb(flatPeak)) } : {}),
    ...(srv ? { server_rss_before_mb: Math.round(mb(srv.baseRssKb)), server_peak_rss_mb: Math.round(mb(srv.hwmKb)) } : {}),
    rounds: ROUNDS,
  }));
} finally {
  rmSync(work, { recursive: true, force: true });
}
