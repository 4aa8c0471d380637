/**
 * bench/cce-snapshot: logsnap's CCE master snapshot (the real job, through the API, into the real
 * fs object store) against `etcdctl snapshot save FILE`, same etcd, same run.
 *
 *   node --import tsx bench/cce-snapshot.ts        (BENCH_CCE_MB=520 BENCH_ROUNDS=6; BENCH_SMOKE=1: 64 MB, 2 rounds)
 *
 * The etcd data dir is cached under .bench/cce-etcd-<MB> (filled once with ≥ BENCH_CCE_MB of values).
 * One untimed snapshot first (the server loads its etcd client on first use); then rounds alternate
 * which side goes first; the figures are medians. Prints both times per round, the
 * peak RSS of this process while logsnap streams, and one RESULT line.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Etcd3 } from 'etcd3';
import { sdkClient } from '../test/helpers/sdk.js';
import { benchServer, envNumber, median, procMemory, resultLine, stopChild } from './lib.js';
import { op } from '../test/helpers/sdk.js';
import { ETCDCTL_BIN, etcdSkip, startEtcd } from '../test/cce/etcdProcess.js';

const TARGET_MB = envNumber('BENCH_CCE_MB', 520, 64);
const ROUNDS = envNumber('BENCH_ROUNDS', 6, 2);
const DATA = resolve(`.bench/cce-etcd-${TARGET_MB}`);

const skip = etcdSkip();
if (skip) {
  console.log(`SKIP ${skip}`);
  process.exit(0);
}

mkdirSync(DATA, { recursive: true });
const etcd = await startEtcd({ dataDir: DATA, quotaBackendBytes: 4294967296 });
// whatever happens below, the private etcd does not outlive the bench
process.once('exit', () => {
  if (etcd.proc.exitCode === null) etcd.proc.kill('SIGKILL');
});
const client = new Etcd3({ hosts: etcd.endpoint });
const dbBytes = async () => Number((await client.maintenance.status()).dbSize);
let size = await dbBytes();
if (size < TARGET_MB * 1024 * 1024) {
  const t = Date.now();
  const value = randomBytes(1024 * 1024); // 1 MiB values (etcd's default request limit is 1.5 MiB)
  let i = Math.floor(size / (1024 * 1024));
  while (size < TARGET_MB * 1024 * 1024) {
    await Promise.all(Array.from({ length: 8 }, (_, j) => client.put(`/bench/blob-${String(i + j).padStart(6, '0')}`).value(value)));
    i += 8;
    if (i % 64 === 0) size = await dbBytes();
  }
  size = await dbBytes();
  console.log(`filled etcd to ${(size / 1048576).toFixed(0)} MiB in ${((Date.now() - t) / 1000).toFixed(1)} s (cached in ${DATA})`);
}
client.close();
console.log(`etcd ${etcd.endpoint}: db size ${(size / 1048576).toFixed(0)} MiB`);

// logsnap: `logsnap serve` from dist/ in its own process (like etcdctl, a process of its own)
const work = mkdtempSync(join(tmpdir(), 'logsnap-bench-cce-'));
const { url, child, admin, project, credential, dataDir } = await benchServer(work, { nodeArgs: process.env.BENCH_PROF === '1' ? ['--cpu-prof', `--cpu-prof-dir=${resolve('.bench/prof-cce')}`] : [] });
const { id: clusterId } = await admin('POST', `/admin/v1/projects/${project.id}/clusters`, { service: 'cce', name: 'bench', engine: { endpoints: [etcd.endpoint] } });
const { token } = await admin('POST', `/admin/v1/projects/${project.id}/tokens`, {});
const sdk = sdkClient(url, { ak: credential.ak, sk: credential.sk, projectId: project.id });
const rssBefore = procMemory(child.pid!).rssKb / 1024;

async function ours(): Promise<{ seconds: number; bytes: number; queuedMs: number; runMs: number; seenMs: number }> {
  const t = performance.now();
  const tWall = Date.now();
  const r = await op(sdk, { method: 'POST', url: '/api/v3.1/projects/{project_id}/clusters/{cluster_id}/operation/snapshot', pathParams: { cluster_id: clusterId } });
  let job: any;
  for (;;) {
    job = await (await fetch(`${url}/logsnap/v1/${project.id}/jobs/${r.uid}`, { headers: { 'x-auth-token': token } })).json();
    if (job.state === 'SUCCEEDED') break;
    if (job.state === 'FAILED') throw new Error(`snapshot failed: ${job.error}`);
    await new Promise((res) => setTimeout(res, 20));
  }
  const seconds = (performance.now() - t) / 1000;
  const tEnd = tWall + seconds * 1000;
  // free the disk for the next round (the fs store: objects/<bucket>/<key> and its .meta)
  rmSync(join(dataDir, 'objects', job.result.bucket, ...job.result.key.split('/')), { force: true });
  rmSync(join(dataDir, 'objects', '.meta', job.result.bucket, ...job.result.key.split('/')) + '.json', { force: true });
  return { seconds, bytes: job.result.size, queuedMs: job.started_at - job.created_at, runMs: job.finished_at - job.started_at, seenMs: tEnd - job.finished_at };
}

async function baseline(): Promise<{ seconds: number; bytes: number }> {
  const file = join(work, 'etcdctl.db');
  rmSync(file, { force: true });
  const t = performance.now();
  await new Promise<void>((res, rej) => {
    const p = spawn(ETCDCTL_BIN, [`--endpoints=${etcd.endpoint}`, 'snapshot', 'save', file], { env: { ...process.env, ETCDCTL_API: '3' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    p.on('exit', (code) => (code === 0 ? res() : rej(new Error(`etcdctl snapshot save failed: ${err}`))));
  });
  const seconds = (performance.now() - t) / 1000;
  const bytes = statSync(file).size;
  rmSync(file, { force: true });
  return { seconds, bytes };
}

let peakRss = 0;
// one snapshot first, not counted: the first loads the etcd client (lazily, ~0.3 s) and warms the JIT
await ours();
const oursRuns: Awaited<ReturnType<typeof ours>>[] = [];
const baseRuns: Awaited<ReturnType<typeof baseline>>[] = [];
try {
  for (let round = 1; round <= ROUNDS; round++) {
    let b: Awaited<ReturnType<typeof baseline>>;
    let o: Awaited<ReturnType<typeof ours>>;
    if (round % 2 === 1) {
      b = await baseline();
      o = await ours();
    } else {
      o = await ours();
      b = await baseline();
    }
    baseRuns.push(b);
    oursRuns.push(o);
    console.log(
      `round ${round}: etcdctl snapshot save ${b.seconds.toFixed(2)} s (${(b.bytes / 1048576).toFixed(0)} MiB) | logsnap ${o.seconds.toFixed(2)} s (${(o.bytes / 1048576).toFixed(0)} MiB; queued ${o.queuedMs} ms, job ${o.runMs} ms, seen ${o.seenMs.toFixed(0)} ms later) | ×${(o.seconds / b.seconds).toFixed(2)}`,
    );
  }
} finally {
  peakRss = procMemory(child.pid!).hwmKb / 1024;
  await stopChild(child);
  await etcd.stop({ keepData: true });
  rmSync(work, { recursive: true, force: true });
}
const o = median(oursRuns.map((r) => r.seconds));
const b = median(baseRuns.map((r) => r.seconds));
const ratios = oursRuns.map((r, i) => r.seconds / baseRuns[i].seconds);
const peak = peakRss;
console.log(`medians of ${ROUNDS}: logsnap ${o.toFixed(2)} s, etcdctl ${b.toFixed(2)} s (per-round ratios ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}); server RSS ${rssBefore.toFixed(0)} MiB before, high water ${peak.toFixed(0)} MiB (snapshot ${(oursRuns[0].bytes / 1048576).toFixed(0)} MiB)`);
console.log(resultLine('cce-snapshot', o / b, {
  seconds: o, baseline_seconds: b, ratio_min: Math.min(...ratios), ratio_max: Math.max(...ratios), peak_rss_mb: Math.round(peak),
  server_rss_before_mb: Math.round(rssBefore), snapshot_mb: Math.round(oursRuns[0].bytes / 1048576), rounds: ROUNDS,
}));
if (existsSync(DATA)) process.exit(0);
