/**
 * SDK-HMAC-SHA256 (Huawei Cloud API Gateway AK/SK signing), as the official
 * @huaweicloud/huaweicloud-sdk-core signs it. Pure functions, no I/O: the Fastify
 * plugin (./plugin.ts) only feeds them the raw request and a key lookup.
 * Contract: shared/api/auth.md §3 (signing) and §4 (verification recipe).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const ALGORITHM = 'SDK-HMAC-SHA256';
const AUTH_RE = /^SDK-HMAC-SHA256\s+Access=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/;
const DATE_RE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

const sha256hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const hmacHex = (key: string, data: string): string => createHmac('sha256', Buffer.from(key, 'utf8')).update(data).digest('hex');

const ALL_UNRESERVED = /^[A-Za-z0-9\-_.~]*$/;

/** Percent-encode every UTF-8 byte outside A–Z a–z 0–9 - _ . ~ (upper-case hex). */
export function encodeUnreserved(input: string): string {
  // most path segments and query values (ids, numbers) need no encoding at all
  if (ALL_UNRESERVED.test(input)) return input;
  let out = '';
  for (const b of Buffer.from(input, 'utf8')) {
    const unreserved =
      (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) || b === 0x2d || b === 0x5f || b === 0x2e || b === 0x7e;
    out += unreserved ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function safeDecode(s: string): string {
  if (!s.includes('%')) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Rule A (`raw`): re-encode each raw segment; rule B (`decoded`): decode first, then encode. */
export function canonicalUri(rawPath: string, mode: 'raw' | 'decoded' = 'raw'): string {
  const p = rawPath
    .split('/')
    .map((seg) => encodeUnreserved(mode === 'decoded' ? safeDecode(seg) : seg))
    .join('/');
  return p.endsWith('/') ? p : `${p}/`;
}

/** Decode the raw query, sort by key then value (UTF-16 order), re-encode. */
export function canonicalQueryFromRaw(rawQuery: string): string {
  if (!rawQuery) return '';
  const pairs: [string, string][] = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const i = part.indexOf('=');
    const k = safeDecode((i < 0 ? part : part.slice(0, i)).replace(/\+/g, '%20'));
    const v = i < 0 ? '' : safeDecode(part.slice(i + 1).replace(/\+/g, '%20'));
    pairs.push([k, v]);
  }
  pairs.sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([k, v]) => `${encodeUnreserved(k)}=${encodeUnreserved(v)}`).join('&');
}

export interface RawRequest {
  method: string;
  /** path and query exactly as on the request line, e.g. `/v1.0/p/clusters?limit=10` */
  url: string;
  /** header names lower-cased (Node's IncomingMessage.headers) */
  headers: Record<string, string | string[] | undefined>;
  /** raw body bytes ('' or empty buffer when none) */
  body: Buffer | string;
}

export interface ParsedAuthorization {
  accessKey: string;
  signedHeaders: string[];
  signature: string;
}

export function parseAuthorization(header: string | undefined): ParsedAuthorization | null {
  if (!header) return null;
  const m = AUTH_RE.exec(header.trim());
  if (!m) return null;
  return { accessKey: m[1], signedHeaders: m[2].split(';'), signature: m[3] };
}

/** `YYYYMMDDTHHMMSSZ` → epoch ms, or null. */
export function parseSdkDate(value: string | undefined): number | null {
  const m = value ? DATE_RE.exec(value) : null;
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number);
  const t = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(t);
  if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return null;
  return t;
}

export function formatSdkDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

function headerValue(headers: RawRequest['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

export function canonicalRequest(req: RawRequest, signedHeaders: string[], uriMode: 'raw' | 'decoded'): string | null {
  const q = req.url.indexOf('?');
  const rawPath = q < 0 ? req.url : req.url.slice(0, q);
  const rawQuery = q < 0 ? '' : req.url.slice(q + 1);
  let canonHeaders = '';
  for (const name of signedHeaders) {
    const v = headerValue(req.headers, name);
    if (v === undefined) return null;
    canonHeaders += `${name}:${v}\n`;
  }
  const contentSha = signedHeaders.includes('x-sdk-content-sha256') ? headerValue(req.headers, 'x-sdk-content-sha256') : undefined;
  const payloadHash = contentSha ?? (req.body === undefined || req.body.length === 0 ? EMPTY_SHA256 : sha256hex(req.body));
  return [req.method.toUpperCase(), canonicalUri(rawPath, uriMode), canonicalQueryFromRaw(rawQuery), canonHeaders, signedHeaders.join(';'), payloadHash].join('\n');
}

export function stringToSign(sdkDate: string, canonical: string): string {
  return `${ALGORITHM}\n${sdkDate}\n${sha256hex(canonical)}`;
}

export type VerifyFailure =
  | 'missing-authorization'
  | 'malformed-authorization'
  | 'unknown-access-key'
  | 'missing-date'
  | 'bad-date'
  | 'clock-skew'
  | 'missing-signed-header'
  | 'signature-mismatch';

export type VerifyResult<K> = { ok: true; accessKey: string; key: K } | { ok: false; reason: VerifyFailure; accessKey?: string };

export interface VerifyOptions<K> {
  now: number;
  maxSkewMs: number;
  /** returns the SK (and whatever the caller wants back) for an AK, or null when unknown */
  lookup: (accessKey: string) => Promise<{ secretKey: string; key: K } | null> | { secretKey: string; key: K } | null;
}

/** Verify a request as auth.md §4 describes. Never throws for bad input. */
export async function verifyRequest<K>(req: RawRequest, opts: VerifyOptions<K>): Promise<VerifyResult<K>> {
  const rawAuth = headerValue(req.headers, 'authorization');
  if (!rawAuth) return { ok: false, reason: 'missing-authorization' };
  const auth = parseAuthorization(rawAuth);
  if (!auth) return { ok: false, reason: 'malformed-authorization' };
  const signed = auth.signedHeaders;
  if (!signed.includes('x-sdk-date') || !signed.includes('host')) return { ok: false, reason: 'missing-signed-header', accessKey: auth.accessKey };
  const dateHeader = headerValue(req.headers, 'x-sdk-date');
  if (!dateHeader) return { ok: false, reason: 'missing-date', accessKey: auth.accessKey };
  const date = parseSdkDate(dateHeader);
  if (date === null) return { ok: false, reason: 'bad-date', accessKey: auth.accessKey };
  if (Math.abs(opts.now - date) > opts.maxSkewMs) return { ok: false, reason: 'clock-skew', accessKey: auth.accessKey };
  const found = await opts.lookup(auth.accessKey);
  if (!found) return { ok: false, reason: 'unknown-access-key', accessKey: auth.accessKey };
  const expected = Buffer.from(auth.signature, 'hex');
  for (const mode of ['raw', 'decoded'] as const) {
    const canonical = canonicalRequest(req, signed, mode);
    if (canonical === null) return { ok: false, reason: 'missing-signed-header', accessKey: auth.accessKey };
    const sig = Buffer.from(hmacHex(found.secretKey, stringToSign(dateHeader, canonical)), 'hex');
    if (sig.length === expected.length && timingSafeEqual(sig, expected)) return { ok: true, accessKey: auth.accessKey, key: found.key };
  }
  return { ok: false, reason: 'signature-mismatch', accessKey: auth.accessKey };
}

export interface SignInput {
  method: string;
  /** path + query as it will be sent (already encoded) */
  url: string;
  headers: Record<string, string>;
  body?: string;
  accessKey: string;
  secretKey: string;
  now: number;
}

/**
 * Client-side signing (used by the logsnap CLI): signs the given headers plus X-Sdk-Date,
 * producing the same canonical form the verifier rebuilds. Returns headers to send.
 */
export function signRequest(input: SignInput): Record<string, string> {
  const headers: Record<string, string> = { ...input.headers, 'X-Sdk-Date': formatSdkDate(input.now) };
  const lower: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) lower[k.toLowerCase()] = v;
  const signed = Object.keys(lower).sort((a, b) => a.localeCompare(b));
  const canonical = canonicalRequest({ method: input.method, url: input.url, headers: lower, body: input.body ?? '' }, signed, 'raw')!;
  const signature = hmacHex(input.secretKey, stringToSign(headers['X-Sdk-Date'], canonical));
  headers.Authorization = `${ALGORITHM} Access=${input.accessKey}, SignedHeaders=${signed.join(';')}, Signature=${signature}`;
  return headers;
}
