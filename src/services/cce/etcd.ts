import type { Etcd3, IOptions } from 'etcd3';
import { Transform, type Readable } from 'node:stream';
import { redactUrlPassword, scrubSecrets } from '../../security/redact.js';
import type { CceEngineT } from './engine.js';

/** A snapshot stream opened on one etcd member. */
export interface EtcdSnapshot {
  /** the member streaming it (password masked) */
  endpoint: string;
  /** Maintenance Status of that member just before the snapshot */
  dbSize: number;
  revision: string;
  version: string;
  /** the raw snapshot bytes: database, then etcd's 32-byte sha256 */
  body: Readable;
  /** bytes of database received so far and the total expected (from remaining_bytes, else dbSize) */
  progress(): { received: number; total: number };
  close(): void;
}

/** HTTP/2 flow-control window for the snapshot stream (grpc-go's BDP estimator grows to 16 MiB too). */
const SNAPSHOT_WINDOW_BYTES = 16 * 1024 * 1024;

export class EtcdUnreachableError extends Error {}

interface SnapshotMessage {
  remaining_bytes?: string | number;
  blob?: Buffer;
}

/** etcd3 (with grpc-js and protobufjs, ~25 MB RSS) is loaded on the first snapshot, not at start. */
type EtcdModules = { Etcd3: typeof Etcd3; noop: import('cockatiel').IPolicy };
async function etcdModules(): Promise<EtcdModules> {
  const [{ Etcd3 }, { noop }] = await Promise.all([import('etcd3'), import('cockatiel')]);
  return { Etcd3, noop };
}

function clientFor(m: EtcdModules, engine: CceEngineT, endpoint: string, connectTimeoutMs: number): Etcd3 {
  const { Etcd3, noop } = m;
  const opts: IOptions = {
    hosts: [endpoint.replace(/\/\/[^@/]*@/, '//')],
    dialTimeout: connectTimeoutMs,
    // a large HTTP/2 window: the default 64 KiB stalls a bulk stream on every round trip
    grpcOptions: { 'grpc-node.flow_control_window': SNAPSHOT_WINDOW_BYTES } as IOptions['grpcOptions'],
    // one attempt per endpoint: we try the next endpoint ourselves and report each failure
    faultHandling: { host: () => noop, global: noop },
  };
  const tls = engine.tls;
  if (tls && (tls.ca || tls.cert || tls.key)) {
    opts.credentials = {
      rootCertificate: (tls.ca ? Buffer.from(tls.ca) : null) as Buffer,
      privateKey: tls.key ? Buffer.from(tls.key) : undefined,
      certChain: tls.cert ? Buffer.from(tls.cert) : undefined,
    };
  }
  if (engine.username && engine.password) {
    opts.auth = { username: engine.username, password: engine.password, callOptions: { deadline: Date.now() + connectTimeoutMs } };
  }
  return new Etcd3(opts);
}

function reason(err: unknown, engine: CceEngineT): string {
  const msg = (err as Error)?.message ?? String(err);
  return scrubSecrets(msg, [engine.password, engine.tls?.key]).replace(/\s+/g, ' ').slice(0, 300);
}

/**
 * Open the Maintenance Snapshot stream on the first endpoint that answers Maintenance Status
 * within `connectTimeoutMs`. Throws EtcdUnreachableError naming every endpoint tried.
 */
export async function openSnapshot(engine: CceEngineT, opts: { connectTimeoutMs: number; signal?: AbortSignal }): Promise<EtcdSnapshot> {
  const failures: string[] = [];
  const modules = await etcdModules();
  for (const raw of engine.endpoints) {
    opts.signal?.throwIfAborted();
    const endpoint = redactUrlPassword(raw);
    const client = clientFor(modules, engine, raw, opts.connectTimeoutMs);
    try {
      const status = await client.maintenance.status({ deadline: Date.now() + opts.connectTimeoutMs });
      const dbSize = Number(status.dbSize);
      const call = (await client.maintenance.snapshot()) as unknown as Readable & { cancel(): void };
      let received = 0;
      let remaining = -1;
      const toBytes = new Transform({
        writableObjectMode: true,
        transform(msg: SnapshotMessage, _enc, cb) {
          const blob = msg.blob ?? Buffer.alloc(0);
          const rem = Number(msg.remaining_bytes ?? 0);
          // the hash message comes after remaining_bytes reached 0; it is not database
          if (remaining !== 0) {
            received += blob.length;
            remaining = rem;
          }
          cb(null, blob.length ? blob : undefined);
        },
      });
      call.on('error', (err) => toBytes.destroy(new Error(`etcd ${endpoint}: the snapshot stream failed: ${reason(err, engine)}`)));
      call.pipe(toBytes);
      let closed = false;
      return {
        endpoint, dbSize, revision: String(status.header?.revision ?? ''), version: String(status.version ?? ''),
        body: toBytes,
        progress: () => ({ received, total: remaining >= 0 ? received + remaining : dbSize }),
        close() {
          if (closed) return;
          closed = true;
          try {
            call.cancel();
          } catch {
            /* already ended */
          }
          client.close();
        },
      };
    } catch (err) {
      client.close();
      failures.push(`${endpoint} (${reason(err, engine)})`);
    }
  }
  throw new EtcdUnreachableError(
    `no etcd endpoint of this cluster could be reached within ${Math.round(opts.connectTimeoutMs / 100) / 10} s: ${failures.join('; ')}`,
  );
}

/** Maintenance Status of every endpoint (test connection); one line per endpoint, secrets scrubbed. */
export async function etcdStatus(engine: CceEngineT, timeoutMs: number): Promise<{ endpoint: string; ok: boolean; message: string; details: string[] }[]> {
  const m = await etcdModules();
  return Promise.all(engine.endpoints.map(async (raw) => {
    const endpoint = raw.includes('@') ? redactUrlPassword(raw) : raw;
    const client = clientFor(m, engine, raw, timeoutMs);
    try {
      const s = await client.maintenance.status({ deadline: Date.now() + timeoutMs });
      const leader = String(s.leader) === String(s.header?.member_id);
      return {
        endpoint, ok: true,
        message: `etcd ${s.version}, database ${Number(s.dbSize)} bytes, revision ${s.header?.revision ?? '?'}`,
        details: [`member ${s.header?.member_id ?? '?'}${leader ? ' (leader)' : ''}`, `raft term ${s.raftTerm}, index ${s.raftIndex}`],
      };
    } catch (err) {
      return { endpoint, ok: false, message: reason(err, engine), details: [] };
    } finally {
      client.close();
    }
  }));
}
