/**
 * A private etcd for a test or a benchmark: the real `etcd` binary on free loopback ports with its
 * own data dir, health-checked before use and killed at the end. ETCDCTL_API=3 throughout.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ETCD_BIN = process.env.LOGSNAP_ETCD_BIN ?? '/usr/bin/etcd';
export const ETCDCTL_BIN = process.env.LOGSNAP_ETCDCTL_BIN ?? '/usr/bin/etcdctl';
export const ETCDUTL_BIN = process.env.LOGSNAP_ETCDUTL_BIN ?? '/usr/bin/etcdutl';

/** false when etcd can be used; a skip reason otherwise. Under CI=true a missing etcd throws. */
export function etcdSkip(): string | false {
  const missing = [ETCD_BIN, ETCDCTL_BIN].filter((b) => !existsSync(b));
  if (missing.length === 0) return false;
  const why = `etcd not installed (${missing.join(', ')} missing; Debian: apt-get install etcd-server etcd-client)`;
  if (process.env.CI === 'true') throw new Error(`CI=true but ${why}`);
  return why;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface EtcdProcess {
  endpoint: string;
  dataDir: string;
  proc: ChildProcess;
  /** run etcdctl against this member; throws with its stderr on failure */
  ctl(args: string[], opts?: { input?: string }): string;
  stop(opts?: { keepData?: boolean }): Promise<void>;
}

export interface EtcdOptions {
  dataDir?: string;
  quotaBackendBytes?: number;
  /** passed through (e.g. restored members need their own name/cluster flags) */
  extraArgs?: string[];
  name?: string;
  /** fixed ports (a restored member must keep the peer URL it was restored with) */
  clientPort?: number;
  peerPort?: number;
}

export function etcdctl(endpoint: string, args: string[], opts: { input?: string } = {}): string {
  const r = spawnSync(ETCDCTL_BIN, [`--endpoints=${endpoint}`, ...args], {
    env: { ...process.env, ETCDCTL_API: '3' },
    input: opts.input,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`etcdctl ${args.join(' ')} failed (${r.status}): ${r.stderr || r.error?.message}`);
  return r.stdout;
}

export async function startEtcd(opts: EtcdOptions = {}): Promise<EtcdProcess> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'logsnap-etcd-'));
  const ownsDir = !opts.dataDir;
  const clientPort = opts.clientPort ?? (await freePort());
  const peerPort = opts.peerPort ?? (await freePort());
  const name = opts.name ?? 'default';
  const endpoint = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const args = [
    `--name=${name}`, `--data-dir=${dataDir}`,
    `--listen-client-urls=${endpoint}`, `--advertise-client-urls=${endpoint}`,
    `--listen-peer-urls=${peer}`, `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=${name}=${peer}`,
    ...(opts.quotaBackendBytes ? [`--quota-backend-bytes=${opts.quotaBackendBytes}`] : []),
    ...(opts.extraArgs ?? []),
  ];
  const proc = spawn(ETCD_BIN, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ETCD_UNSUPPORTED_ARCH: process.env.ETCD_UNSUPPORTED_ARCH ?? '' } });
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-8000);
  });
  let exited = false;
  const exit = new Promise<void>((resolve) => proc.on('exit', () => { exited = true; resolve(); }));
  const until = Date.now() + 30_000;
  for (;;) {
    if (exited) throw new Error(`etcd exited at start: ${stderr}`);
    try {
      const res = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(1000) });
      if (res.ok && ((await res.json()) as { health?: string }).health === 'true') break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > until) {
      proc.kill('SIGKILL');
      throw new Error(`etcd did not become healthy within 30 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    endpoint, dataDir, proc,
    ctl: (a, o) => etcdctl(endpoint, a, o),
    async stop({ keepData = false } = {}) {
      if (!exited) {
        proc.kill('SIGTERM');
        const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
        await exit;
        clearTimeout(t);
      }
      if (ownsDir && !keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
