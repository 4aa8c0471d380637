import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures, in the manner of Stripe: `Logsnap-Signature: t=<unix seconds>,v1=<hex>`
 * where v1 = HMAC-SHA256(secret, `<t>.<raw body>`). The timestamp is the attempt's (a retry is
 * signed anew; the body and the event id do not change). Receivers recompute v1 over the raw
 * bytes, compare in constant time, and refuse a t outside their replay window (docs: 5 minutes).
 */
export const SIGNATURE_HEADER = 'Logsnap-Signature';
export const DEFAULT_TOLERANCE_SECONDS = 300;

export function sign(secret: string, t: number, body: string | Buffer): string {
  return createHmac('sha256', secret).update(`${t}.`).update(body).digest('hex');
}

export function signatureHeader(secret: string, body: string | Buffer, nowMs: number): string {
  const t = Math.floor(nowMs / 1000);
  return `t=${t},v1=${sign(secret, t, body)}`;
}

export type VerifyResult = { ok: true; t: number } | { ok: false; reason: 'malformed' | 'mismatch' | 'too-old' | 'in-future' };

/** The reference verifier (the docs' recipe is the same logic, runnable without logsnap). */
export function verifySignature(header: string | undefined, body: string | Buffer, secret: string, opts: { nowMs: number; toleranceSeconds?: number }): VerifyResult {
  if (!header) return { ok: false, reason: 'malformed' };
  let t: number | undefined;
  const v1: string[] = [];
  for (const part of header.split(',')) {
    const [k, v] = part.trim().split('=', 2);
    if (k === 't' && /^\d{1,12}$/.test(v ?? '')) t = Number(v);
    else if (k === 'v1' && /^[0-9a-f]{64}$/.test(v ?? '')) v1.push(v);
  }
  if (t === undefined || v1.length === 0) return { ok: false, reason: 'malformed' };
  const expected = Buffer.from(sign(secret, t, body), 'hex');
  if (!v1.some((s) => timingSafeEqual(Buffer.from(s, 'hex'), expected))) return { ok: false, reason: 'mismatch' };
  const tolerance = opts.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const age = Math.floor(opts.nowMs / 1000) - t;
  if (age > tolerance) return { ok: false, reason: 'too-old' };
  if (age < -tolerance) return { ok: false, reason: 'in-future' };
  return { ok: true, t };
}
