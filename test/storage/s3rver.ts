/**
 * An S3-protocol server (@20minutes/s3rver) started inside the test process, on a free port,
 * storing into a fresh temporary folder. It checks SigV4 header and query signatures and presigned
 * expiry with the fixed credentials S3RVER / S3RVER.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from '@20minutes/s3rver';

export const S3RVER_KEY = 'S3RVER';
export const S3RVER_SECRET = 'S3RVER';

export interface TestS3 {
  endpoint: string;
  bucket: string;
  /** bytes received by the server so far (all connections): request lines, headers and bodies */
  receivedBytes(): number;
  close(): Promise<void>;
}

export async function startS3(bucket = 'logsnap'): Promise<TestS3> {
  const directory = mkdtempSync(join(tmpdir(), 'logsnap-s3rver-'));
  const srv = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, configureBuckets: [{ name: bucket }] });
  const addr = await srv.run();
  let rx = 0;
  srv.httpServer.on('connection', (sock: import('node:net').Socket) => sock.on('data', (d: Buffer) => (rx += d.length)));
  return {
    endpoint: `http://127.0.0.1:${addr.port}`,
    bucket,
    receivedBytes: () => rx,
    async close() {
      srv.httpServer.closeAllConnections?.();
      await srv.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
