/**
 * A real local webhook receiver for the tests: an HTTP server on 127.0.0.1 that verifies every
 * request with a given verifier (the docs' recipe) and records it. It can answer 200, answer an
 * error status, hang (never answer), or be down (not listening) and come back on the same port.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface Received {
  id: string;
  type: string;
  event: Record<string, any>;
  headers: Record<string, string | string[] | undefined>;
  raw: string;
  /** the verifier accepted the signature */
  verified: boolean;
  verifyError?: string;
  at: number;
}

export type Verifier = (raw: Buffer, header: string | undefined, secret: string) => unknown;

export interface Receiver {
  url: string;
  port: number;
  received: Received[];
  /** requests that arrived (also those left hanging or failed on purpose) */
  arrivals: string[];
  mode: 'ok' | 'hang' | number;
  /** deliveries per event id */
  countById(): Map<string, number>;
  /** the first delivery of each event id, in arrival order */
  unique(): Received[];
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startReceiver(secret: string, verify: Verifier, opts: { port?: number; mode?: Receiver['mode'] } = {}): Promise<Receiver> {
  const sockets = new Set<Socket>();
  const hanging = new Set<ServerResponse>();
  let server: Server | undefined;
  const r: Receiver = {
    url: '', port: opts.port ?? 0, received: [], arrivals: [], mode: opts.mode ?? 'ok',
    countById() {
      const m = new Map<string, number>();
      for (const x of r.received) m.set(x.id, (m.get(x.id) ?? 0) + 1);
      return m;
    },
    unique() {
      const seen = new Set<string>();
      return r.received.filter((x) => (seen.has(x.id) ? false : (seen.add(x.id), true)));
    },
    async down() {
      if (!server) return;
      const s = server;
      server = undefined;
      for (const res of hanging) res.destroy();
      for (const sock of sockets) sock.destroy();
      await new Promise<void>((res) => s.close(() => res()));
    },
    async up() {
      if (server) return;
      server = createServer(handle);
      server.on('connection', (sock) => {
        sockets.add(sock);
        sock.on('close', () => sockets.delete(sock));
      });
      await new Promise<void>((res, rej) => {
        server!.once('error', rej);
        server!.listen(r.port, '127.0.0.1', () => res());
      });
      r.port = (server.address() as { port: number }).port;
      r.url = `http://127.0.0.1:${r.port}/hooks/logsnap?team=ops`;
    },
    close: () => r.down(),
  };
  function handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const header = req.headers['logsnap-signature'];
      let verified = false;
      let verifyError: string | undefined;
      try {
        verify(raw, typeof header === 'string' ? header : undefined, secret);
        verified = true;
      } catch (e) {
        verifyError = (e as Error).message;
      }
      let event: Record<string, any> = {};
      try {
        event = JSON.parse(raw.toString('utf8'));
      } catch {
        /* recorded as is */
      }
      r.arrivals.push(event.id ?? '?');
      if (r.mode === 'hang') {
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      }
      if (typeof r.mode === 'number') {
        res.writeHead(r.mode).end('try later');
        return;
      }
      r.received.push({ id: event.id, type: event.type, event, headers: req.headers, raw: raw.toString('utf8'), verified, verifyError, at: Date.now() });
      res.writeHead(verified ? 204 : 401).end();
    });
  }
  await r.up();
  return r;
}
