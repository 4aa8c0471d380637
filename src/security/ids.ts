import { randomBytes, randomUUID } from 'node:crypto';

// Random bytes are drawn 4 KiB at a time (one CSPRNG call per 256 ids, like randomUUID's cache):
// every request gets an id, and one randomBytes(16) per request showed in the API profile.
let pool = Buffer.alloc(0);
let used = 0;

/** 32 lowercase hex chars: Huawei request ids, project ids, CSS job ids. */
export const hex32 = (): string => {
  if (used + 16 > pool.length) {
    pool = randomBytes(4096);
    used = 0;
  }
  const id = pool.toString('hex', used, used + 16);
  used += 16;
  return id;
};
export const uuid = (): string => randomUUID();

const AK_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const SK_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function pick(alphabet: string, n: number): string {
  // rejection sampling keeps the distribution uniform
  const out: string[] = [];
  const limit = 256 - (256 % alphabet.length);
  while (out.length < n) {
    for (const b of randomBytes(n * 2)) {
      if (b < limit && out.length < n) out.push(alphabet[b % alphabet.length]);
    }
  }
  return out.join('');
}

/** Access key in Huawei's shape: 20 upper-case letters/digits. */
export const newAccessKey = (): string => pick(AK_ALPHABET, 20);
/** Secret key in Huawei's shape: 40 letters/digits. */
export const newSecretKey = (): string => pick(SK_ALPHABET, 40);
/** Opaque bearer token for X-Auth-Token / the admin API. */
export const newToken = (prefix: string): string => `${prefix}_${randomBytes(24).toString('base64url')}`;
