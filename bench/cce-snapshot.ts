/**
 * bench/cce-snapshot: logsnap's CCE master snapshot (the real job, through the API, into the real
 * fs object store) against `etcdctl snapshot save FILE`, same etcd, same run.
 *
 *   node --import tsx bench/cce-snapshot.ts        (BENCH_CCE_MB=500 BENCH_ROUNDS=2)
 *
 * The etcd data dir is cached under .bench/cce-etcd (filled once with ≥ BENCH_CCE_MB of values).
 * Prints both times, the peak RSS of this process while logsnap streams, and one RESULT line.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Etcd3 } from 'etcd3';
import { startServer } from '../test/helpers/server.js';
import { op } from '../test/helpers/sdk.js';
import { ETCDCTL_BIN, etcdSkip, startEtcd } from '../test/cce/etcdProcess.js';

const TARGET_MB = Number(process.env.BENCH_CCE_MB ?? 500);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const DATA = resolve('.bench/cce-etcd');

const skip = etcdSkip();
if (skip) {
  console.log(`SKIP ${skip}`);
  process.exit(0);
}

mkdirSync(DATA, { recursive: true });
const etcd = await startEtcd({ dataDir: DATA, quotaBackendBytes: 4294967296 });
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

const s = await startServer({ config: { jobs: { pollMs: 20 } } });
const clusterId = (await s.rt.deps.clusters.register({ projectId: s.projectId, service: 'cce', name: 'bench', engine: { endpoints: [etcd.endpoint] } })).id;
const sdk = s.client();
const work = mkdtempSync(join(tmpdir(), 'logsnap-bench-cce-'));

async function ours(): Promise<{ seconds: number; peakRssMb: number; baseRssMb: number; bytes: number }> {
  global.gc?.();
  const baseRss = process.memoryUsage().rss;
  let peak = baseRss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 25);
  const t = performance.now();
  const r = await op(sdk, { method: 'POST', url: '/api/v3.1/projects/{project_id}/clusters/{cluster_id}/operation/snapshot', pathParams: { cluster_id: clusterId } });
  for (;;) {
    const job = await s.rt.queue.get(r.uid);
    if (job?.state === 'SUCCEEDED') break;
    if (job?.state === 'FAILED') throw new Error(`snapshot failed: ${job.error}`);
    await new Promise((res) => setTimeout(res, 20));
  }
  const seconds = (performance.now() - t) / 1000;
  clearInterval(sampler);
  const result = JSON.parse((await s.rt.queue.get(r.uid))!.result!);
  await s.rt.store.delete(result.bucket, result.key);
  return { seconds, peakRssMb: peak / 1048576, baseRssMb: baseRss / 1048576, bytes: result.size };
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

const oursRuns: Awaited<ReturnType<typeof ours>>[] = [];
const baseRuns: Awaited<ReturnType<typeof baseline>>[] = [];
try {
  for (let round = 1; round <= ROUNDS; round++) {
    const b = await baseline();
    const o = await ours();
    baseRuns.push(b);
    oursRuns.push(o);
    console.log(
      `round ${round}: etcdctl snapshot save ${b.seconds.toFixed(2)} s (${(b.bytes / 1048576).toFixed(0)} MiB) | logsnap ${o.seconds.toFixed(2)} s (${(o.bytes / 1048576).toFixed(0)} MiB), RSS ${o.baseRssMb.toFixed(0)} → peak ${o.peakRssMb.toFixed(0)} MiB`,
    );
  }
} finally {
  await s.close();
  await etcd.stop({ keepData: true });
  rmSync(work, { recursive: true, force: true });
}
const best = <T extends { seconds: number }>(xs: T[]) => xs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
const o = best(oursRuns);
const b = best(baseRuns);
const peak = Math.max(...oursRuns.map((r) => r.peakRssMb));
const base = Math.min(...oursRuns.map((r) => r.baseRssMb));
console.log(`best of ${ROUNDS}: logsnap ${o.seconds.toFixed(2)} s, etcdctl ${b.seconds.toFixed(2)} s; RSS before ${base.toFixed(0)} MiB, peak during snapshots ${peak.toFixed(0)} MiB (snapshot ${(o.bytes / 1048576).toFixed(0)} MiB)`);
console.log(`RESULT cce-snapshot ratio=${(o.seconds / b.seconds).toFixed(3)} seconds=${o.seconds.toFixed(2)} baseline_seconds=${b.seconds.toFixed(2)} peak_rss_mb=${peak.toFixed(0)} snapshot_mb=${(o.bytes / 1048576).toFixed(0)} rounds=${ROUNDS}`);
if (existsSync(DATA)) process.exit(0);
