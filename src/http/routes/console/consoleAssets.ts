import { createReadStream, existsSync, statSync } from 'node:fs';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { defineRoute, type RouteDef } from '../../route.js';
import { appError } from '../../errors/catalogue.js';

/** Where the console lives, and the base the client router works under. */
export const CONSOLE_PATH = '/console';

/**
 * Only this origin: no inline script or style (uPlot and Preact set styles through the CSSOM,
 * which CSP allows), no framing, no plugins.
 */
export const CONSOLE_CSP = [
  "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self'", "font-src 'self'", "connect-src 'self'",
  "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.json': 'application/json', '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json', '.woff2': 'font/woff2',
};

/** The folder holding package.json (works from src/ under tsx and from dist/ once built). */
export function packageRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
  return dir;
}

export function defaultConsoleDir(): string {
  return join(packageRoot(), 'dist', 'console');
}

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>logsnap console</title></head>
<body><h1>The logsnap console is not built</h1><p>Run <code>npm run build</code> (or <code>npm start</code>, which builds it) and reload.
The API works without it: <a href="/docs">/docs</a>.</p></body></html>`;

function securityHeaders(reply: FastifyReply): void {
  reply.header('Content-Security-Policy', CONSOLE_CSP);
  reply.header('X-Content-Type-Options', 'nosniff');
  reply.header('Referrer-Policy', 'no-referrer');
  reply.header('X-Frame-Options', 'DENY');
  reply.header('Cross-Origin-Opener-Policy', 'same-origin');
}

/**
 * The built console as static files: hashed assets cached for a year, everything else revalidated;
 * any path without a file extension is a client-side route and gets index.html. Files built with a
 * `.gz` twin are sent compressed to clients that accept gzip.
 */
export function consoleAssetRoutes(opts: { dir: string }): RouteDef<any>[] {
  const root = resolve(opts.dir);
  const send = (req: FastifyRequest, reply: FastifyReply, rel: string) => {
    securityHeaders(reply);
    let file = resolve(root, rel);
    if (file !== root && !file.startsWith(root + sep)) throw appError('LOGSNAP.0404', 'No such console file.');
    let st = statSync(file, { throwIfNoEntry: false });
    if (!st?.isFile()) {
      if (extname(rel) !== '' && rel !== 'index.html') throw appError('LOGSNAP.0404', 'No such console file.');
      file = join(root, 'index.html');
      st = statSync(file, { throwIfNoEntry: false });
      if (!st?.isFile()) return reply.status(503).header('Cache-Control', 'no-store').type('text/html; charset=utf-8').send(NOT_BUILT);
    }
    const immutable = file.startsWith(join(root, 'assets') + sep);
    reply.header('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    const etag = `"${st.size.toString(16)}-${Math.trunc(st.mtimeMs).toString(16)}"`;
    reply.header('ETag', etag);
    reply.type(TYPES[extname(file)] ?? 'application/octet-stream');
    if (req.headers['if-none-match'] === etag) return reply.status(304).send();
    const gz = statSync(`${file}.gz`, { throwIfNoEntry: false });
    reply.header('Vary', 'Accept-Encoding');
    if (gz?.isFile() && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
      reply.header('Content-Encoding', 'gzip').header('Content-Length', String(gz.size));
      return reply.send(createReadStream(`${file}.gz`));
    }
    reply.header('Content-Length', String(st.size));
    return reply.send(createReadStream(file));
  };
  const hidden = { hide: true, response: {} } as never;
  return [
    defineRoute({
      operationId: 'ConsoleIndex', method: 'GET', url: CONSOLE_PATH, auth: 'none', summary: 'The web console', schema: hidden,
      handler: async (req, reply) => send(req, reply, 'index.html'),
    }),
    defineRoute({
      operationId: 'ConsoleFile', method: 'GET', url: `${CONSOLE_PATH}/*`, auth: 'none', summary: 'The web console (files and client routes)',
      schema: { ...(hidden as object), params: Type.Object({ '*': Type.String() }) } as never,
      handler: async (req, reply) => {
        const rel = decodeURIComponent((req.params as { '*': string })['*'] ?? '');
        if (rel.includes('\0') || rel.split('/').some((s) => s === '..')) throw appError('LOGSNAP.0404', 'No such console file.');
        return send(req, reply, rel === '' ? 'index.html' : rel);
      },
    }),
    defineRoute({
      operationId: 'Root', method: 'GET', url: '/', auth: 'none', summary: 'Redirect to the web console', schema: hidden,
      handler: async (_req, reply) => reply.redirect(`${CONSOLE_PATH}/`, 302),
    }),
  ];
}
