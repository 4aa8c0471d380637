/**
 * bench/api-hotpath: the signed API hot path against a bare Fastify route serving the same bytes.
 *
 *   node --import tsx bench/api-hotpath.ts            (BENCH_SMOKE=1 for a quick check)
 *
 * Knobs (env): BENCH_ENGINE=sqlite|postgres (default sqlite), BENCH_RECORDS (default 100000 CSS log
 * records in the listed cluster), BENCH_ROUNDS (default 5), BENCH_SECONDS (default 10 per run),
 * BENCH_CONNECTIONS (default 50), BENCH_PROF=1 (write a --cpu-prof of the logsnap server to .bench/prof/).
 *
 * Three processes per measurement, so that each server gets the machine on the same terms:
 *   - logsnap: the real `logsnap serve` (src/cli/main.ts), default configuration (role all, log level
 *     info, logs to a file), over a database holding one CSS cluster with BENCH_RECORDS log records;
 *   - bare: a Fastify app with one route per endpoint answering the exact bytes logsnap answered;
 *   - the load generator: autocannon in its own process, 50 connections, one target at a time.
 * Both servers stay up for the whole run; rounds alternate which one goes first; the figures are medians.
 * Endpoints: ListLogsJob (SDK-HMAC-SHA256 signed with the AK/SK, page of 10 → `list`) and /healthz.
 * The signed request is signed once per run (X-Sdk-Date is valid 15 minutes): the server verifies the
 * signature on every request all the same; nothing in logsnap caches a signature.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { envNumber, median, resultLine, runJsonChild, startDistServer, stopChild } from './lib.js';

const here = fileURLToPath(import.meta.url);
const args = process.argv.slice(2);

interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  /** server CPU (user + system) per request, µs: a figure that moves little with the machine's load */
  cpuUs?: number;
  /** share of one core the server used while under load (1 = its main thread never waited) */
  serverBusy?: number;
  /** share of one core the load generator used (near 1: the generator, not the server, sets the pace) */
  loadBusy: number;
  seconds: number;
  /** the load's start and end, CLOCK_MONOTONIC µs (the clock of V8 CPU profiles) */
  startUs: number;
  endUs: number;
  non2xx: number;
  errors: number;
  total: number;
}

// ---- child: the load generator ------------------------------------------------------------------
if (args[0] === '--load') {
  const spec = JSON.parse(args[1]) as { url: string; headers: Record<string, string>; seconds: number; connections: number };
  const { default: autocannon } = await import('autocannon');
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const startUs = Number(process.hrtime.bigint() / 1000n);
  const r = await autocannon({ url: spec.url, headers: spec.headers, duration: spec.seconds, connections: spec.connections, pipelining: 1 });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const out: LoadResult = {
    rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors + r.timeouts, total: r.requests.total,
    loadBusy: (cpu.user + cpu.system) / 1e6 / seconds, seconds, startUs, endUs: Number(process.hrtime.bigint() / 1000n),
  };
  process.stdout.write(JSON.stringify(out) + '\n');
  process.exit(0);
}

// ---- child: the bare Fastify server ---------------------------------------------------------------
if (args[0] === '--bare') {
  const bodies = JSON.parse(readFileSync(args[1], 'utf8')) as Record<string, string>;
  const { default: Fastify } = await import('fastify');
  const app = Fastify({ logger: false });
  for (const [url, body] of Object.entries(bodies)) {
    const bytes = Buffer.from(body, 'utf8');
    app.get(url, (_req, reply) => {
      reply.type('application/json').send(bytes);
    });
  }
  const addr = await app.listen({ host: '127.0.0.1', port: 0 });
  process.stdout.write(`listening on ${addr}\n`);
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

// ---- parent ---------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const ENGINE = (process.env.BENCH_ENGINE ?? 'sqlite') as 'sqlite' | 'postgres';
  const RECORDS = envNumber('BENCH_RECORDS', 100_000, 5_000);
  const ROUNDS = envNumber('BENCH_ROUNDS', 5, 2);
  const SECONDS = envNumber('BENCH_SECONDS', 10, 2);
  const CONNECTIONS = envNumber('BENCH_CONNECTIONS', 50, 50);
  const PROF = process.env.BENCH_PROF === '1';

  const { startServer, createPgDatabase } = await import('../test/helpers/server.js');
  const { signRequest } = await import('../src/http/auth/signature.js');
  const { fillCssRecords } = await import('./fill.js');

  const root = resolve('.bench');
  mkdirSync(root, { recursive: true });
  const work = mkdtempSync(join(root, 'api-'));
  const children: ChildProcess[] = [];
  const pgDb = ENGINE === 'postgres' ? await createPgDatabase('logsnap_bench') : undefined;
  try {
    // 1. data: a project with an AK/SK, one CSS cluster holding RECORDS log records
    const setup = await startServer({ engine: ENGINE, databaseUrl: pgDb?.url, dataDir: join(work, 'data'), config: { core: { role: 'api' } } });
    const cluster = await setup.rt.deps.clusters.register({
      projectId: setup.projectId, service: 'css', name: 'bench', engine: { nodes: [{ name: 'es-1', ip: '10.0.0.1', logDir: '/var/log/es' }] },
    });
    const t0 = performance.now();
    await fillCssRecords(setup.rt.db, { projectId: setup.projectId, clusterId: cluster.id, count: RECORDS });
    console.log(`data: ${ENGINE}, ${RECORDS} CSS log records in one cluster (${((performance.now() - t0) / 1000).toFixed(1)} s to fill)`);
    const { projectId, ak, sk, databaseUrl } = setup;
    await setup.close({ keep: true });

    // 2. the logsnap server: `logsnap serve` from dist/ (plain node, as `npm start` runs it), default
    //    configuration (role all, log level info), logs to a file
    const prof = join(root, 'prof');
    if (PROF) mkdirSync(prof, { recursive: true });
    const { url: oursUrl, child: ours } = await startDistServer(
      { LOGSNAP_DATA_DIR: join(work, 'data'), DATABASE_URL: databaseUrl, LOGSNAP_ADMIN_TOKEN: 'bench-admin-token-0123456789' },
      join(work, 'logsnap.log'), PROF ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : [],
    );
    children.push(ours);

    const path = `/v1.0/${projectId}/clusters/${cluster.id}/logs/records?limit=10&offset=1`;
    const host = new URL(oursUrl).host;
    const sign = () =>
      signRequest({ method: 'GET', url: path, headers: { host, 'content-type': 'application/json', 'x-project-id': projectId }, accessKey: ak, secretKey: sk, now: Date.now() });
    const probe = await fetch(oursUrl + path, { headers: sign() });
    const listBody = await probe.text();
    if (probe.status !== 200) throw new Error(`ListLogsJob answered ${probe.status}: ${listBody}`);
    const parsed = JSON.parse(listBody) as { totalSize: number; clusterLogRecord: unknown[] };
    if (parsed.totalSize !== RECORDS || parsed.clusterLogRecord.length !== 10) throw new Error(`unexpected page: total ${parsed.totalSize}, ${parsed.clusterLogRecord.length} records`);
    const healthBody = await (await fetch(oursUrl + '/healthz')).text();

    // 3. the bare server, same bytes at the same paths
    const bodiesFile = join(work, 'bodies.json');
    await import('node:fs/promises').then((f) => f.writeFile(bodiesFile, JSON.stringify({ [path.split('?')[0]]: listBody, '/healthz': healthBody })));
    const bareLog = join(work, 'bare.log');
    const bareFd = openSync(bareLog, 'a');
    const bare = spawn(process.execPath, ['--import', 'tsx', here, '--bare', bodiesFile], { stdio: ['ignore', bareFd, 'inherit'] });
    children.push(bare);
    closeSync(bareFd);
    const bareUrl = await waitListening(() => readFileSync(bareLog, 'utf8'), bare);

    const load = async (url: string, headers: Record<string, string>, seconds = SECONDS, server?: ChildProcess) => {
      const before = server ? cpuTicks(server.pid!) : 0;
      const r = await runJsonChild<LoadResult>([here, '--load', JSON.stringify({ url, headers, seconds, connections: CONNECTIONS })]);
      if (server) {
        const cpuSeconds = (cpuTicks(server.pid!) - before) / CLK_TCK;
        r.cpuUs = (cpuSeconds * 1e6) / Math.max(1, r.total);
        // the server's CPU over the whole child run includes autocannon's start-up (~1 s of idle):
        // divide by the load's own duration plus nothing else
        r.serverBusy = cpuSeconds / r.seconds;
      }
      return r;
    };
    const check = (what: string, r: LoadResult) => {
      if (r.non2xx > 0 || r.errors > 0) throw new Error(`${what}: ${r.non2xx} non-2xx answers, ${r.errors} errors of ${r.total}`);
      return r;
    };

    const only = (v: string | undefined) => (v ? new Set(v.split(',')) : undefined);
    const targetFilter = only(process.env.BENCH_TARGETS);
    const sideFilter = only(process.env.BENCH_SIDES);
    const targets = Object.fromEntries(Object.entries({
      list: { ours: () => load(oursUrl + path, sign(), SECONDS, ours), bare: () => load(bareUrl + path, {}, SECONDS, bare) },
      healthz: { ours: () => load(oursUrl + '/healthz', {}, SECONDS, ours), bare: () => load(bareUrl + '/healthz', {}, SECONDS, bare) },
    }).filter(([k]) => !targetFilter || targetFilter.has(k)));
    // warm-up (JIT, statement and credential caches, page cache): not counted
    await load(oursUrl + path, sign(), Math.min(3, SECONDS));
    await load(bareUrl + path, {}, Math.min(3, SECONDS));
    await load(oursUrl + '/healthz', {}, 1);

    const runs: Record<string, Record<'ours' | 'bare', LoadResult[]>> = { list: { ours: [], bare: [] }, healthz: { ours: [], bare: [] } };
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, t] of Object.entries(targets)) {
        const order = (round % 2 === 0 ? ['ours', 'bare'] as const : ['bare', 'ours'] as const).filter((w) => !sideFilter || sideFilter.has(w));
        for (const who of order) {
          const r = check(`${name} ${who}`, await t[who]());
          runs[name][who].push(r);
          console.log(`round ${round + 1} ${name.padEnd(7)} ${who.padEnd(4)} ${r.rps.toFixed(0).padStart(7)} req/s  p50 ${r.p50} ms  p99 ${r.p99} ms  server CPU ${r.cpuUs!.toFixed(0)} µs/req, busy ${(100 * r.serverBusy!).toFixed(0)} %  load generator busy ${(100 * r.loadBusy).toFixed(0)} %`);
        }
      }
    }
    const med = (name: string, who: 'ours' | 'bare', k: 'rps' | 'p99' | 'cpuUs') => median(runs[name][who].map((r) => r[k]!));
    const rows = ['list', 'healthz'].map((n) => ({
      n, ours: med(n, 'ours', 'rps'), bare: med(n, 'bare', 'rps'), oursP99: med(n, 'ours', 'p99'), bareP99: med(n, 'bare', 'p99'),
      oursCpu: med(n, 'ours', 'cpuUs'), bareCpu: med(n, 'bare', 'cpuUs'),
    }));
    console.log(`medians of ${ROUNDS} rounds × ${SECONDS} s, ${CONNECTIONS} connections, ${ENGINE}, ${RECORDS} records:`);
    for (const r of rows) {
      console.log(`  ${r.n.padEnd(8)} logsnap ${r.ours.toFixed(0)} req/s p99 ${r.oursP99} ms ${r.oursCpu.toFixed(0)} µs CPU/req | bare ${r.bare.toFixed(0)} req/s p99 ${r.bareP99} ms ${r.bareCpu.toFixed(0)} µs CPU/req | ratio ${(r.ours / r.bare).toFixed(3)}, p99 ×${(r.oursP99 / Math.max(1, r.bareP99)).toFixed(2)}`);
    }
    const [list, health] = rows;
    console.log(resultLine('api-hotpath', list.ours / list.bare, {
      rps: list.ours, bare_rps: list.bare, p99_ms: list.oursP99, bare_p99_ms: list.bareP99,
      p99_ratio: list.oursP99 / Math.max(1, list.bareP99), healthz_ratio: health.ours / health.bare,
      healthz_rps: health.ours, bare_healthz_rps: health.bare, cpu_us: list.oursCpu, bare_cpu_us: list.bareCpu,
      records: RECORDS, engine: ENGINE, rounds: ROUNDS,
    }));
    if (PROF) {
      await stopChild(ours); // writes the profile
      const { readdirSync, statSync } = await import('node:fs');
      const files = readdirSync(prof).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(prof, f));
      const main = files.sort((a, b) => statSync(b).size - statSync(a).size)[0];
      const { analyseWindows, formatShare } = await import('./profile.js');
      for (const name of Object.keys(runs)) {
        const windows = runs[name].ours.map((r) => ({ startUs: r.startUs, endUs: r.endUs }));
        if (!windows.length) continue;
        const a = analyseWindows(main, windows, Number(process.env.BENCH_PROF_TOP ?? 25));
        for (const line of formatShare(a, `logsnap main thread while under ${name} load`)) console.log(line);
      }
      console.log(`cpu profile of the logsnap server: ${main}`);
    }
  } finally {
    for (const c of children) await stopChild(c);
    if (process.env.BENCH_KEEP !== '1') rmSync(work, { recursive: true, force: true });
    await pgDb?.drop();
  }
}

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ: 100 on Linux). */
const CLK_TCK = 100;
function cpuTicks(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return Number(rest[11]) + Number(rest[12]);
}

async function waitListening(read: () => string, child: ChildProcess): Promise<string> {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    const m = /listening on (http:\/\/[^\s"]+)/.exec(read());
    if (m) return m[1];
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('server did not start within 60 s');
}

if (args.length === 0) await main();
