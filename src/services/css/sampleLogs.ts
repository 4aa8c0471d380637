import { createWriteStream } from 'node:fs';
import { mkdir, utimes } from 'node:fs/promises';
import { dirname } from 'node:path';
import { once } from 'node:events';
import { gzipSync } from 'node:zlib';

/**
 * Realistic Elasticsearch-style log text (log4j2 pattern of ES 7), for the demo cluster,
 * the tests and the benchmark. Deterministic for a given seed.
 */

const LOGGERS = [
  'o.e.c.r.a.AllocationService', 'o.e.c.m.MetadataCreateIndexService', 'o.e.c.s.MasterService', 'o.e.c.s.ClusterApplierService',
  'o.e.i.e.Engine', 'o.e.m.j.JvmGcMonitorService', 'o.e.t.TransportService', 'o.e.h.AbstractHttpServerTransport',
  'o.e.a.s.TransportSearchAction', 'o.e.x.s.a.AuthenticationService', 'o.e.i.s.IndexShard', 'o.e.c.r.a.DiskThresholdMonitor',
];
const INDICES = ['logs-2024.05.10', 'metrics-app', 'orders', 'audit-000012', '.kibana_1', 'products-v3', 'traces-apm'];

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

function ts(ms: number): string {
  const d = new Date(ms).toISOString(); // 2024-05-10T12:00:00.123Z
  return `${d.slice(0, 19)},${d.slice(20, 23)}`;
}

/** About `bytes` of log lines for `node`, starting at `startMs`. */
export function logText(node: string, bytes: number, seed = 1, startMs = Date.UTC(2024, 4, 10)): string {
  const r = rng(seed);
  const pick = <T>(a: T[]) => a[Math.floor(r() * a.length)];
  const out: string[] = [];
  let size = 0;
  let t = startMs;
  while (size < bytes) {
    t += Math.floor(r() * 900);
    const idx = pick(INDICES);
    const x = r();
    let line: string;
    if (x < 0.55) {
      line = `[${ts(t)}][INFO ][${pick(LOGGERS)}] [${node}] [${idx}] took [${Math.floor(r() * 900)}ms], total shards [${1 + Math.floor(r() * 5)}], docs [${Math.floor(r() * 1e6)}], request id [${Math.floor(r() * 1e9).toString(16)}]`;
    } else if (x < 0.75) {
      line = `[${ts(t)}][INFO ][o.e.m.j.JvmGcMonitorService] [${node}] [gc][${Math.floor(t / 1000) % 100000}] overhead, spent [${Math.floor(r() * 400)}ms] collecting in the last [1s], heap [${(r() * 8).toFixed(1)}gb]->[${(r() * 4).toFixed(1)}gb]/[16gb]`;
    } else if (x < 0.9) {
      line = `[${ts(t)}][INFO ][o.e.c.r.a.AllocationService] [${node}] Cluster health status changed from [YELLOW] to [GREEN] (reason: [shards started [[${idx}][${Math.floor(r() * 5)}]]]).`;
    } else if (x < 0.98) {
      line = `[${ts(t)}][WARN ][o.e.c.r.a.DiskThresholdMonitor] [${node}] high disk watermark [90%] exceeded on [${Math.floor(r() * 1e12).toString(36)}][${node}][/var/lib/elasticsearch/nodes/0] free: ${(r() * 20).toFixed(1)}gb[${(r() * 10).toFixed(1)}%], shards will be relocated away from this node`;
    } else {
      line =
        `[${ts(t)}][ERROR][o.e.a.s.TransportSearchAction] [${node}] [${idx}] failed to execute search request\n` +
        `org.elasticsearch.index.query.QueryShardException: failed to create query: field [status] of type [text] is not aggregatable\n` +
        `\tat org.elasticsearch.index.query.QueryShardContext.toQuery(QueryShardContext.java:${300 + Math.floor(r() * 200)}) ~[elasticsearch-7.10.2.jar:7.10.2]\n` +
        `\tat org.elasticsearch.search.SearchService.parseSource(SearchService.java:${800 + Math.floor(r() * 100)}) ~[elasticsearch-7.10.2.jar:7.10.2]\n` +
        `\tat java.lang.Thread.run(Thread.java:832) [?:?]`;
    }
    out.push(line);
    size += line.length + 1;
  }
  return out.join('\n') + '\n';
}

/**
 * Write a log file of exactly `bytes` bytes quickly: a ~1 MiB block of realistic lines written
 * again and again (gzip's 32 KiB window never sees the repetition, so the ratio stays realistic).
 */
export async function writeLogFile(path: string, bytes: number, opts: { node?: string; seed?: number; mtime?: Date } = {}): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const block = Buffer.from(logText(opts.node ?? 'es-node-1', Math.min(bytes, 1 << 20), opts.seed ?? 1));
  const ws = createWriteStream(path);
  let left = bytes;
  while (left > 0) {
    const chunk = left >= block.length ? block : block.subarray(0, left);
    left -= chunk.length;
    if (!ws.write(chunk)) await once(ws, 'drain');
  }
  ws.end();
  await once(ws, 'finish');
  if (opts.mtime) await utimes(path, opts.mtime, opts.mtime);
}

/** A gzip-compressed rotated log (`*.log.gz`) of about `bytes` uncompressed bytes. */
export async function writeGzLogFile(path: string, bytes: number, opts: { node?: string; seed?: number } = {}): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const { writeFile } = await import('node:fs/promises');
  await writeFile(path, gzipSync(Buffer.from(logText(opts.node ?? 'es-node-1', bytes, opts.seed ?? 7)), { level: 6 }));
}
