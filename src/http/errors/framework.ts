/**
 * Everything that is not a route's own `AppError` turned into one: Fastify's framework errors
 * (FST_ERR_*), Node's HTTP parser errors and timeouts, unknown paths and methods. The answers
 * are rendered by the one renderer (./render.ts) in the style of the path's owner; no framework
 * default body ever reaches a client. docs/errors.md, "Framework answers", lists the mapping.
 */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyBaseLogger, FastifyError } from 'fastify';
import { AppError, appError, CATALOGUE, type ErrorCode } from './catalogue.js';
import { OWNER_CODES, renderError, styleFor, type ErrorOwner } from './render.js';
import { errorCodeOf, validationMessage } from '../schema.js';
import { hex32 } from '../../security/ids.js';

/** Longest request target (path and query) logsnap reads; longer → 414. */
export const MAX_URL_LENGTH = 8192;
/** Longest path parameter the router takes (Fastify's default); longer → 400 in the owner's style. */
export const MAX_PARAM_LENGTH = 100;

export interface ErrorContext {
  owner: ErrorOwner;
  /** request body limit, bytes (for the 413 message) */
  bodyLimit: number;
  /** the request had no body at all */
  bodyMissing: boolean;
}

const isCatalogued = (code: string): code is ErrorCode => Object.prototype.hasOwnProperty.call(CATALOGUE, code);

/**
 * The answer to any error raised while handling a request. Returns null for an unexpected
 * error (the caller logs it and answers the owner's internal-error code).
 */
export function toAppError(err: unknown, ctx: ErrorContext): AppError | null {
  if (err instanceof AppError) return err;
  const codes = OWNER_CODES[ctx.owner];
  const e = err as FastifyError & { validationContext?: string };
  if (e?.validation) {
    const context = e.validationContext ?? 'request';
    if (context === 'body' && ctx.bodyMissing) return appError(codes.missingBody, undefined, 'The operation needs a JSON request body.');
    const wanted = errorCodeOf(e.validation as never);
    const key = wanted && isCatalogued(wanted) ? wanted : codes.invalid;
    return appError(key, undefined, `Invalid ${validationMessage(context, e.validation as never)}.`);
  }
  switch (e?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return appError('APIGW.0201@413', undefined, `The request body limit is ${ctx.bodyLimit} bytes.`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_ROUTE_MISSING_CONTENT_TYPE':
      return appError(codes.contentType, undefined, 'The Content-Type header is not a valid media type; send application/json.');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return appError(codes.invalid, undefined, 'The request body size does not match Content-Length.');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return appError(codes.missingBody, undefined, 'The operation needs a JSON request body.');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return appError(codes.invalid, undefined, 'The request body is not valid JSON.');
    case 'FST_ERR_BAD_URL':
    case 'FST_ERR_INVALID_URL':
      return appError(codes.invalid, undefined, 'The URL is malformed: a percent-encoding is invalid or does not decode to UTF-8.');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return appError(codes.invalid, undefined, `A path parameter is too long (at most ${MAX_PARAM_LENGTH} characters).`);
    case 'FST_ERR_NOT_FOUND':
      return appError(codes.notFound);
  }
  // other client errors raised by the framework or a library (status 4xx): a request error
  const status = e?.statusCode ?? (e as { status?: number })?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) return appError(codes.invalid, undefined, 'The request could not be read.');
  return null;
}

/** The headers and body of an error answered outside Fastify (gateway body, fresh request id). */
export function rawError(err: AppError, requestId = hex32()): { status: number; headers: Record<string, string>; body: string } {
  const body = JSON.stringify(renderError('gateway', err, requestId));
  return {
    status: err.status,
    headers: { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)), 'X-Request-Id': requestId, Connection: 'close' },
    body,
  };
}

/** The complete HTTP answer for an error, as bytes for a raw socket (no request object exists). */
export function rawErrorResponse(err: AppError, requestId = hex32()): string {
  const r = rawError(err, requestId);
  const head = Object.entries(r.headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  return `HTTP/1.1 ${r.status} ${STATUS_CODES[r.status] ?? 'Error'}\r\n${head}\r\n${r.body}`;
}

/**
 * Node's HTTP parser rejects a request before Fastify sees it (malformed request line or
 * headers, headers over `maxHeaderSize`, a request or header timeout): answer in the gateway
 * body with a request id, then close, as Node would.
 */
export function clientErrorHandler(log: FastifyBaseLogger) {
  return (err: NodeJS.ErrnoException, socket: Duplex): void => {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    let e: AppError;
    switch (err.code) {
      case 'HPE_HEADER_OVERFLOW':
        e = appError('APIGW.0201@431', undefined, 'The request line and headers together exceed 16 KiB.');
        break;
      case 'ERR_HTTP_REQUEST_TIMEOUT':
        e = appError('APIGW.0201@408', undefined, 'The request was not received in time.');
        break;
      case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
        e = appError('APIGW.0201@413', undefined, 'The chunk extensions are too large.');
        break;
      default:
        e = appError('APIGW.0201', undefined, 'The HTTP request is malformed.');
    }
    const id = hex32();
    log.debug({ request_id: id, code: err.code }, 'client error');
    const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (socket.writable && !inFlight?.headersSent) socket.write(rawErrorResponse(e, id));
    socket.destroy(err);
  };
}

/** The body style, status and headers to send an `AppError` with. */
export function answerOf(err: AppError, owner: ErrorOwner, requestId: string): { status: number; body: Record<string, unknown>; headers: Record<string, string> } {
  return { status: err.status, body: renderError(styleFor(owner, err.wireCode), err, requestId), headers: err.headers ?? {} };
}
