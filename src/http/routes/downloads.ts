import { Type } from '@sinclair/typebox';
import { defineRoute, type RouteDef } from '../route.js';
import { appError } from '../errors/catalogue.js';
import { checkLink, LINK_PREFIX } from '../../storage/signedLinks.js';
import { ObjectNotFoundError, RangeNotSatisfiableError, validateBucket, validateKey, type ObjectStore } from '../../storage/objectStore.js';
import type { Clock } from '../../jobs/queue.js';

function parseRange(header: string | undefined): { start: number; end?: number } | 'suffix' | null {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') return 'suffix';
  return { start: Number(m[1]), end: m[2] === '' ? undefined : Number(m[2]) };
}

/** RFC 6266: an ASCII fallback plus the UTF-8 name (Node refuses non-ASCII header values). */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const utf8 = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${utf8}`;
}

/** GET/HEAD of a time-limited signed link (filesystem store). Streams the object, honours Range. */
export function downloadRoutes(deps: { store: ObjectStore; linkKey: Buffer; clock: Clock }): RouteDef<any>[] {
  const schema = {
    params: Type.Object({ bucket: Type.String(), '*': Type.String() }),
    querystring: Type.Object({ Expires: Type.Optional(Type.String()), Signature: Type.Optional(Type.String()) }),
    response: {},
  };
  const handler = async (req: any, reply: any) => {
    const bucket: string = req.params.bucket;
    const key: string = req.params['*'];
    try {
      validateBucket(bucket);
      validateKey(key);
    } catch {
      throw appError('LOGSNAP.0403', 'Access denied: the link is not valid.');
    }
    const check = checkLink(deps.linkKey, bucket, key, req.query.Expires, req.query.Signature, deps.clock.now());
    if (!check.ok) {
      throw appError('LOGSNAP.0403', check.reason === 'expired' ? 'Access denied: the link has expired.' : 'Access denied: the link signature does not match.');
    }
    const info = await deps.store.head(bucket, key);
    if (!info) throw appError('LOGSNAP.0404', 'The object no longer exists.');
    let range = parseRange(req.headers.range);
    if (range === 'suffix') {
      const n = Number(String(req.headers.range).split('-')[1]);
      range = { start: Math.max(0, info.size - n) };
    }
    const fileName = key.split('/').pop()!;
    reply.header('Accept-Ranges', 'bytes');
    reply.header('Content-Disposition', contentDisposition(fileName));
    reply.type(info.contentType ?? 'application/octet-stream');
    if (info.sha256) reply.header('X-Checksum-Sha256', info.sha256);
    try {
      const got = await deps.store.get(bucket, key, range ?? undefined);
      reply.header('Content-Length', String(Math.max(0, got.range.end - got.range.start + 1)));
      if (range) {
        reply.status(206).header('Content-Range', `bytes ${got.range.start}-${got.range.end}/${got.size}`);
      }
      if (req.method === 'HEAD') {
        got.body.destroy();
        return reply.send();
      }
      return reply.send(got.body);
    } catch (e) {
      if (e instanceof RangeNotSatisfiableError) {
        reply.header('Content-Range', `bytes */${e.size}`);
        return reply.status(416).type('application/json').send({ error_code: 'LOGSNAP.0416', error_msg: 'Range not satisfiable.' });
      }
      if (e instanceof ObjectNotFoundError) throw appError('LOGSNAP.0404', 'The object no longer exists.');
      throw e;
    }
  };
  return [
    defineRoute({ operationId: 'DownloadObject', method: 'GET', url: `${LINK_PREFIX}/:bucket/*`, auth: 'none', summary: 'Download through a signed, expiring link (HEAD and Range supported)', schema, handler }),
  ];
}
