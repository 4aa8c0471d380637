/**
 * Adapter over the PostgreSQL client tools (pg_dump, pg_restore) and the `pg` driver.
 * Everything streams: pg_dump's stdout goes straight into the object store, archives are
 * streamed from the store into pg_restore's stdin. Passwords travel only in the child's
 * environment (PGPASSWORD); tool output is scrubbed before it reaches any message.
 *
 * Archive formats (`ArchiveFormat`, recorded per snapshot):
 *  - `custom-gz` (new snapshots): `pg_dump --format=custom --compress=0`, gzip-compressed by logsnap
 *    on every core (parallelGzip: level 1, 1 MiB members). pg_dump compresses single-threaded at
 *    level 6, which made it the slowest step; the archive is about the size of pg_dump's own.
 *    Verify and restore read it through gunzip into pg_restore's stdin.
 *  - `custom` (snapshots taken before migration 0450): pg_dump's own compressed custom format.
 */
import { spawn } from 'node:child_process';
import { pipeline, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { parallelGzip } from './parallelGzip.js';
import pg from 'pg';
import { scrubSecrets } from '../../security/redact.js';
import { JobFailure } from '../../jobs/runner.js';
import type { PgTarget } from './engine.js';

const STDERR_LIMIT = 8 * 1024;

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  spawnError?: Error;
}

function run(tool: string, args: string[], target: PgTarget, stdin: 'ignore' | 'pipe', signal?: AbortSignal) {
  const child = spawn(tool, args, {
    env: { ...process.env, PGPASSWORD: '', ...target.env },
    stdio: [stdin, 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => {
    stderr = (stderr + d).slice(-STDERR_LIMIT);
  });
  const onAbort = () => child.kill('SIGTERM');
  signal?.addEventListener('abort', onAbort, { once: true });
  const exited = new Promise<Exit>((resolve) => {
    let spawnError: Error | undefined;
    child.once('error', (e) => {
      spawnError = e;
      // 'close' may not follow a spawn failure
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') resolve({ code: null, signal: null, stderr, spawnError });
    });
    child.once('close', (code, sig) => {
      signal?.removeEventListener('abort', onAbort);
      resolve({ code, signal: sig, stderr, spawnError });
    });
  });
  return { child, exited };
}

function failure(tool: string, exit: Exit, target: PgTarget): JobFailure {
  if (exit.spawnError && (exit.spawnError as NodeJS.ErrnoException).code === 'ENOENT') {
    return new JobFailure(`${tool} is not installed on the logsnap worker (install the PostgreSQL client tools, version ≥ the server's)`);
  }
  const detail = scrubSecrets(exit.stderr.trim().split('\n').filter(Boolean).slice(-5).join(' | '), target.secrets) || 'no error output';
  const how = exit.signal ? `was stopped by ${exit.signal}` : `exited with code ${exit.code}`;
  return new JobFailure(`${tool} ${how} for ${target.display}: ${detail}`);
}

export type ArchiveFormat = 'custom' | 'custom-gz';
/** What new snapshots are written as. */
export const ARCHIVE_FORMAT: ArchiveFormat = 'custom-gz';

/**
 * Run `pg_dump` in `format` and hand the archive stream to `sink` (the object store's put).
 * Resolves with the sink's result when both the dump and the sink succeeded.
 */
export async function dumpDatabase<T>(target: PgTarget, sink: (body: Readable) => Promise<T>, signal?: AbortSignal, format: ArchiveFormat = ARCHIVE_FORMAT): Promise<T> {
  const args = ['--format=custom', ...(format === 'custom-gz' ? ['--compress=0'] : []), '--no-password', `--dbname=${target.conninfo}`];
  const { child, exited } = run('pg_dump', args, target, 'ignore', signal);
  const body = format === 'custom-gz' ? pipeline(child.stdout!, parallelGzip({ level: 1 }), () => undefined) : child.stdout!;
  const put = sink(body);
  const [exit, stored] = await Promise.all([exited, put.then((v) => ({ ok: true as const, v }), (e: unknown) => ({ ok: false as const, e }))]);
  if (exit.code !== 0) throw failure('pg_dump', exit, target);
  if (!stored.ok) throw stored.e;
  return stored.v;
}

/** Feed an archive to a pg_restore reading stdin; stdout is drained (and counted). */
async function restoreFromStream(args: string[], target: PgTarget, archive: Readable, signal?: AbortSignal): Promise<{ exit: Exit; stdoutLines: string[]; readError?: Error }> {
  const { child, exited } = run('pg_restore', args, target, 'pipe', signal);
  const lines: string[] = [];
  let partial = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (d: string) => {
    const parts = (partial + d).split('\n');
    partial = parts.pop() ?? '';
    for (const l of parts) if (lines.length < 100_000) lines.push(l);
  });
  // pg_restore --list stops reading after the table of contents: an early EPIPE is expected
  child.stdin!.on('error', () => undefined);
  // a read that fails (a missing object, a corrupt gzip member) must not leave pg_restore waiting
  // for the rest of its input: its stdin is closed, it ends, and the read error is the reason
  let readError: Error | undefined;
  archive.on('error', (e: Error) => {
    readError ??= e;
    child.stdin!.destroy();
  });
  archive.pipe(child.stdin!);
  const exit = await exited;
  archive.unpipe(child.stdin!);
  archive.destroy();
  if (partial) lines.push(partial);
  return { exit, stdoutLines: lines, readError };
}

/** The archive as pg_restore reads it (gunzipped when logsnap compressed it). */
function plain(archive: Readable, format: ArchiveFormat): Readable {
  if (format === 'custom') return archive;
  return pipeline(archive, createGunzip(), () => undefined);
}

export interface ArchiveListing {
  /** table-of-contents entries */
  entries: number;
  /** the server and pg_dump versions the archive header names */
  dumpedFrom: string | null;
  dumpedBy: string | null;
}

/** `pg_restore --list` over the archive: proves it is a readable custom-format dump; returns its TOC entry count and versions. */
export async function listArchive(target: PgTarget, archive: Readable, signal?: AbortSignal, format: ArchiveFormat = ARCHIVE_FORMAT): Promise<ArchiveListing> {
  const { exit, stdoutLines, readError } = await restoreFromStream(['--list'], target, plain(archive, format), signal);
  if (readError) throw new JobFailure(`reading the archive failed: ${readError.message}`);
  if (exit.code !== 0) throw failure('pg_restore --list', exit, target);
  const entries = stdoutLines.filter((l) => /^\d+;/.test(l)).length;
  if (entries === 0) throw new JobFailure('pg_restore --list found no entries in the archive');
  const header = (name: string) => stdoutLines.map((l) => new RegExp(`^;\\s*${name}:\\s*(.+)$`).exec(l)?.[1]?.trim()).find(Boolean) ?? null;
  return { entries, dumpedFrom: header('Dumped from database version'), dumpedBy: header('Dumped by pg_dump version') };
}

/** A target for tools that read an archive without connecting anywhere (`pg_restore --list`). */
export const NO_SERVER: PgTarget = { conninfo: '', env: {}, secrets: [], database: '', display: 'the archive' };

/** Restore an archive into an existing (empty) database, in one transaction. */
export async function restoreArchive(target: PgTarget, archive: Readable, signal?: AbortSignal, format: ArchiveFormat = ARCHIVE_FORMAT): Promise<void> {
  const args = ['--no-owner', '--no-privileges', '--exit-on-error', '--single-transaction', '--no-password', `--dbname=${target.conninfo}`];
  const { exit, readError } = await restoreFromStream(args, target, plain(archive, format), signal);
  if (readError) throw new JobFailure(`reading the archive failed: ${readError.message}`);
  if (exit.code !== 0) throw failure('pg_restore', exit, target);
}

/** Run SQL on the server through the pg driver; errors are scrubbed of the password. */
export async function withClient<T>(url: string, target: PgTarget, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 15_000 });
  try {
    await c.connect();
    return await fn(c);
  } catch (e) {
    const err = e as Error & { code?: string };
    const wrapped = new Error(scrubSecrets(err.message ?? String(e), target.secrets)) as Error & { code?: string };
    wrapped.code = err.code;
    throw wrapped;
  } finally {
    await c.end().catch(() => undefined);
  }
}
