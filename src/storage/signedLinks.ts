import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Time-limited download links served by logsnap itself (filesystem store).
 * URL: <base>/logsnap/v1/objects/<bucket>/<key>?Expires=<epoch s>&Signature=<hex>
 * Signature = HMAC-SHA256(linkKey, "GET\n<bucket>/<key>\n<expires>"). Any change to the
 * bucket, key, expiry or signature, or a request after the expiry, is refused.
 */
export const LINK_PREFIX = '/logsnap/v1/objects';

export function encodeKeyPath(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

export function signLink(linkKey: Buffer, baseUrl: string, bucket: string, key: string, expiresAt: number): string {
  const expires = Math.floor(expiresAt / 1000);
  const sig = linkSignature(linkKey, bucket, key, expires);
  return `${baseUrl.replace(/\/$/, '')}${LINK_PREFIX}/${encodeURIComponent(bucket)}/${encodeKeyPath(key)}?Expires=${expires}&Signature=${sig}`;
}

export function linkSignature(linkKey: Buffer, bucket: string, key: string, expires: number): string {
  return createHmac('sha256', linkKey).update(`GET\n${bucket}/${key}\n${expires}`).digest('hex');
}

export type LinkCheck = { ok: true } | { ok: false; reason: 'expired' | 'bad-signature' | 'malformed' };

export function checkLink(linkKey: Buffer, bucket: string, key: string, expiresRaw: unknown, signature: unknown, now: number): LinkCheck {
  if (typeof expiresRaw !== 'string' || !/^\d{1,12}$/.test(expiresRaw) || typeof signature !== 'string' || !/^[0-9a-f]{64}$/.test(signature)) {
    return { ok: false, reason: 'malformed' };
  }
  const expires = Number(expiresRaw);
  const expected = Buffer.from(linkSignature(linkKey, bucket, key, expires), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) return { ok: false, reason: 'bad-signature' };
  if (now >= expires * 1000) return { ok: false, reason: 'expired' };
  return { ok: true };
}
