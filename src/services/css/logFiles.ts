import { lstat, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Which files of a node's log folder are backed up, and how they are read. Pure decisions
 * (name matching, error wording, incremental reuse) are exported for unit tests.
 *
 * Selected: regular files (or symlinks to regular files) whose name ends in `.log`, `.log.N`,
 * `.log.gz` or `.log.N.gz` (N = digits), in the folder and its sub-folders (up to 8 levels;
 * hidden entries and symlinked folders are not followed). That covers Elasticsearch's
 * `<cluster>.log`, `<cluster>-YYYY-MM-DD-N.log.gz`, `*_deprecation.log`, `*_slowlog.log` and
 * `gc.log`, `gc.log.NN`. FIFOs, sockets and devices with such names are skipped (recorded in
 * the manifest); a matching symlink that cannot be followed (broken, looping) fails the
 * backup when its turn to be copied comes.
 */
const LOG_NAME_RE = /\.log(\.\d+)?(\.gz)?$/;

export function isLogFileName(name: string): boolean {
  return !name.startsWith('.') && LOG_NAME_RE.test(name);
}

/** Already gzip-compressed (stored as is). */
export function isGzipName(name: string): boolean {
  return name.endsWith('.gz');
}

const ERRNO_TEXT: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or directory',
  ELOOP: 'too many levels of symbolic links',
  EIO: 'input/output error',
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory',
  EMFILE: 'too many open files in logsnap',
  ENFILE: 'too many open files on the system',
  ENOSPC: 'no space left on device',
  EROFS: 'read-only file system',
  ESTALE: 'stale file handle',
};

/** A short, user-readable reason for a file system error. */
export function errnoText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e?.code && ERRNO_TEXT[e.code]) return ERRNO_TEXT[e.code];
  if (e?.code) return `${e.code} (${e.message})`;
  return String((err as Error)?.message ?? err);
}

export interface LogFile {
  /** path inside the node's log folder, `/`-separated */
  rel: string;
  /** absolute path on the node (what messages and the manifest show) */
  path: string;
}

export interface Skipped {
  path: string;
  reason: string;
}

/** A problem that makes the backup fail, worded for the user. */
export class LogReadError extends Error {}

/**
 * List a node's log files. Throws LogReadError when the folder or a matching entry cannot be
 * read (missing folder, permission denied, broken symlink named like a log).
 */
export async function listLogFiles(node: string, logDir: string): Promise<{ files: LogFile[]; skipped: Skipped[] }> {
  const files: LogFile[] = [];
  const skipped: Skipped[] = [];
  const walk = async (dir: string, relDir: string, depth: number): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (e) {
      throw new LogReadError(`node ${node}: ${dir}: ${errnoText(e)}${depth === 0 ? ' (the log folder registered for this node)' : ''}`);
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const ent of entries) {
      if (ent.name.startsWith('.')) continue;
      const abs = join(dir, ent.name);
      const rel = relDir ? `${relDir}/${ent.name}` : ent.name;
      if (ent.isDirectory()) {
        if (depth < 8) await walk(abs, rel, depth + 1);
        continue;
      }
      if (!isLogFileName(ent.name)) continue;
      if (ent.isSymbolicLink()) {
        const target = await stat(abs).catch(() => null);
        // a link that cannot be followed is listed anyway: opening it fails the backup with the reason
        if (!target || target.isFile()) files.push({ rel, path: abs });
        else skipped.push({ path: abs, reason: target.isDirectory() ? 'symbolic link to a folder (not followed)' : 'not a regular file' });
        continue;
      }
      if (ent.isFile()) files.push({ rel, path: abs });
      else skipped.push({ path: abs, reason: 'not a regular file (FIFO, socket or device)' });
    }
  };
  try {
    const st = await lstat(logDir);
    if (!st.isDirectory() && !(st.isSymbolicLink() && (await stat(logDir)).isDirectory())) {
      throw new LogReadError(`node ${node}: ${logDir}: not a directory (the log folder registered for this node)`);
    }
  } catch (e) {
    if (e instanceof LogReadError) throw e;
    throw new LogReadError(`node ${node}: ${logDir}: ${errnoText(e)} (the log folder registered for this node)`);
  }
  await walk(logDir, '', 0);
  return { files, skipped };
}

/** One file in a backup manifest. */
export interface ManifestEntry {
  node: string;
  /** absolute path on the node */
  path: string;
  /** path inside the node's log folder */
  rel: string;
  /** bytes of the original file that were backed up */
  size: number;
  /** modification time of the original, epoch ms (integer) */
  mtime: number;
  /** sha256 of the original (uncompressed) bytes */
  sha256: string;
  bucket: string;
  key: string;
  /** `gzip`: the object is the file gzip-compressed; `identity`: the object is the file as is (already .gz) */
  encoding: 'gzip' | 'identity';
  /** object size and sha256 (of the stored bytes) */
  objectSize: number;
  objectSha256: string;
  /** the object was written by an earlier backup (incremental) */
  reused: boolean;
  /** the file grew or changed while it was read; `size`/`sha256` describe exactly what was stored */
  changedDuringBackup?: boolean;
}

export type IncrementalPlan = { action: 'upload' } | { action: 'verify'; previous: ManifestEntry };

/**
 * Incremental decision, step 1 (no I/O): a file whose size and mtime match the previous
 * successful backup's entry (same node, same path, same bucket) is a candidate; it is then
 * hashed (read, not compressed) and reused only when the sha256 matches too (step 2).
 */
export function planIncremental(prev: ManifestEntry | undefined, st: { size: number; mtime: number }, bucket: string): IncrementalPlan {
  if (prev && prev.bucket === bucket && prev.size === st.size && prev.mtime === st.mtime) return { action: 'verify', previous: prev };
  return { action: 'upload' };
}

/** Step 2: reuse the previous object when the freshly computed sha256 matches. */
export function reuseAfterHash(plan: IncrementalPlan, sha256: string): ManifestEntry | null {
  return plan.action === 'verify' && plan.previous.sha256 === sha256 ? plan.previous : null;
}

export function entryKey(node: string, path: string): string {
  return `${node}\u0000${path}`;
}

/** Object-key-safe folder name for a node. */
export function nodeFolder(node: string): string {
  const s = node.replace(/[^A-Za-z0-9._-]/g, '_');
  return s === '.' || s === '..' ? `_${s}` : s;
}

/** Object-key-safe relative path (each segment percent-encoded where needed). */
export function keyRel(rel: string): string {
  return rel.split('/').map((s) => encodeURIComponent(s)).join('/');
}
