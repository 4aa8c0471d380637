import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Secrets at rest: AES-256-GCM under the master key. Format `v1:<base64(iv|tag|ciphertext)>`.
 * The master key never leaves the process; a key-check value stored in the database
 * detects a process started with a different key before it can write anything.
 */
export class SecretBox {
  readonly #key: Buffer;
  constructor(masterKey: Buffer) {
    if (masterKey.length !== 32) throw new Error('master key must be 32 bytes');
    this.#key = masterKey;
  }

  encrypt(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `v1:${Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64')}`;
  }

  decrypt(box: string): string {
    if (!box.startsWith('v1:')) throw new Error('unknown secret format');
    const raw = Buffer.from(box.slice(3), 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.#key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }

  /** A key derived for one purpose (e.g. signing download links). */
  derive(purpose: string): Buffer {
    return createHmac('sha256', this.#key).update(`logsnap:${purpose}`).digest();
  }

  /** Stored in `meta` to detect a mismatched master key. */
  keyCheck(): string {
    return this.derive('key-check').toString('hex').slice(0, 32);
  }
}

export function parseMasterKey(text: string): Buffer {
  const t = text.trim();
  const buf = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
  if (buf.length !== 32) throw new Error('master key must be 32 bytes, as 64 hex characters or 44 base64 characters');
  return buf;
}

export const sha256hex = (s: string | Buffer): string => createHash('sha256').update(s).digest('hex');

export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}
