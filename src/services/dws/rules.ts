/** Pure naming and formatting rules of the DWS snapshot API (dws.md §1, §5). */

/** 4–64 chars, starts with a letter, letters/digits/`-`/`_`. */
export const NAME_RE = /^[A-Za-z][A-Za-z0-9_-]{3,63}$/;
export const DESCRIPTION_FORBIDDEN = /[!<>'=&"]/;

/** A user-facing problem with a snapshot or cluster name; null when fine. */
export function nameProblem(what: string, name: string): string | null {
  if (name.length < 4 || name.length > 64) return `${what} must be 4–64 characters long (got ${name.length}).`;
  if (!/^[A-Za-z]/.test(name)) return `${what} must start with a letter.`;
  if (!NAME_RE.test(name)) return `${what} may contain only letters, digits, "-" and "_".`;
  return null;
}

export function descriptionProblem(description: string): string | null {
  if (description.length > 256) return `description must be at most 256 characters (got ${description.length}).`;
  if (DESCRIPTION_FORBIDDEN.test(description)) return 'description must not contain any of ! < > \' = & ".';
  return null;
}

/** `YYYY-MM-DDThh:mm:ssZ` (UTC, no milliseconds), as DWS prints times. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Bytes → GB (2^30) as a number, 6 decimals. */
export function gigabytes(bytes: number): number {
  return Math.round((bytes / 2 ** 30) * 1e6) / 1e6;
}

/**
 * The PostgreSQL database a restore creates: the restore name lower-cased, anything other
 * than a-z, 0-9 and `_` replaced by `_` (the name always starts with a letter, ≤ 63 bytes).
 */
export function restoreDatabaseName(restoreName: string): string {
  return restoreName.toLowerCase().replace(/[^a-z0-9_]/g, '_').slice(0, 63);
}
