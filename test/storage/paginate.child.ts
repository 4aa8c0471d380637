/** Child of s3Store.test.ts: lists 7 objects 2 per page against s3rver; prints the keys as JSON. */
import { Readable } from 'node:stream';
import { S3ObjectStore } from '../../src/storage/s3Store.js';
import { startS3, S3RVER_KEY, S3RVER_SECRET } from './s3rver.js';

const s3 = await startS3();
const store = new S3ObjectStore({
  endpoint: s3.endpoint, region: 'us-east-1', bucket: s3.bucket, forcePathStyle: true,
  credentials: { accessKeyId: S3RVER_KEY, secretAccessKey: S3RVER_SECRET }, partSize: 5 * 1024 * 1024, listPageSize: 2,
});
let pages = 0;
store.client.middlewareStack.add((next) => async (args) => {
  pages++;
  return next(args);
}, { step: 'initialize', name: 'countListPages' });
try {
  const expected = ['p/1', 'p/2', 'p/3', 'p/4', 'p/5', 'p/6', 'p/7'];
  for (const k of [...expected].reverse()) await store.put('logs-page', k, Readable.from([Buffer.from(k)]));
  await store.put('logs-other', 'p/1', Readable.from([Buffer.from('x')]));
  pages = 0;
  const keys: string[] = [];
  for await (const o of store.list('logs-page', 'p/')) keys.push(o.key);
  console.log(JSON.stringify({ keys, expected, pages }));
} finally {
  store.destroy();
  await s3.close();
}
