import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { Kysely } from 'kysely';
import { isUniqueViolation } from '../db/index.js';
import type { Database } from '../db/types.js';
import type { Db } from '../db/index.js';
import type { ServiceName } from '../clusters/clusters.js';
import type { ArtifactAdapter, Checker, RecordedSet, RestoreOutcome } from './types.js';
import type { SetInput } from './catalog.js';

/**
 * Small pieces the services' artifact adapters share (src/services/<svc>/artifacts.ts): the
 * columns a record is restored with, the insert that makes a restore idempotent, keyset paging,
 * and stream-fed engine checks.
 */

/** Every column of a table, checked by the compiler: adding a column to the table type without adding it here fails the build. */
export function columns<T>(cols: { [K in keyof T]-?: true }): (keyof T & string)[] {
  return Object.keys(cols) as (keyof T & string)[];
}

/** The row a manifest's record describes, restricted to the table's columns (missing ones: null). */
export function pick(record: Record<string, unknown>, cols: string[]): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const c of cols) row[c] = record[c] ?? null;
  return row;
}

/** Insert a record with its original id unless it is there; a clash on another unique key is reported, not forced. */
export async function insertRecord(trx: Kysely<Database>, table: keyof Database & string, id: { column: string; value: string }, row: Record<string, unknown>, clash: string): Promise<RestoreOutcome> {
  const t = trx as unknown as Kysely<any>;
  if (await t.selectFrom(table).select(id.column).where(id.column, '=', id.value).executeTakeFirst()) return 'present';
  try {
    await t.insertInto(table).values(row).execute();
    return 'restored';
  } catch (e) {
    if (isUniqueViolation(e)) return { skipped: clash };
    throw e;
  }
}

/** Rows of a query in pages of `size`, by an increasing text key (constant memory, stable under inserts). */
export async function* pages<R>(fetch: (after: string, size: number) => Promise<R[]>, keyOf: (r: R) => string, size = 500): AsyncGenerator<R> {
  let after = '';
  for (;;) {
    const rows = await fetch(after, size);
    yield* rows;
    if (rows.length < size) return;
    after = keyOf(rows[rows.length - 1]);
  }
}

/** A checker over a Node stream that consumes what is written to it (zlib, a child's stdin …). */
export function streamChecker(sink: NodeJS.WritableStream & { destroy(e?: Error): void; destroyed: boolean }, done: Promise<void>, what: string): Checker {
  let failed: Error | undefined;
  done.catch((e) => (failed ??= e as Error));
  return {
    async write(chunk) {
      if (failed || sink.destroyed) return;
      if (!sink.write(chunk)) await Promise.race([once(sink as never, 'drain'), done.catch(() => undefined)]);
    },
    async end() {
      if (!sink.destroyed) sink.end();
      try {
        await done;
      } catch (e) {
        throw new Error(`${what}: ${(e as Error).message}`);
      }
    },
    abort() {
      sink.destroy();
    },
  };
}

/** gzip integrity: the content must inflate to its end without an error (CRC and length included). */
export function gzipChecker(): Checker {
  const gz = createGunzip();
  gz.resume();
  const done = new Promise<void>((resolve, reject) => {
    gz.once('end', resolve);
    gz.once('error', reject);
  });
  return streamChecker(gz, done, 'gzip integrity check failed');
}

/** Feed a checker from a PassThrough (for adapters built on functions that read a Readable). */
export function readableChecker(run: (input: PassThrough) => Promise<void>, what: string): Checker {
  const pt = new PassThrough({ highWaterMark: 1 << 20 });
  pt.on('error', () => undefined);
  return streamChecker(pt, run(pt), what);
}

/** How a service's records table holds its artifact sets. */
export interface TableSpec<Row> {
  service: ServiceName;
  needsCluster: boolean;
  table: keyof Database & string;
  /** column = value conditions that make a row a final set (and columns that must not be null) */
  final: Record<string, string>;
  notNull?: string[];
  /** the columns holding project, cluster and completion time */
  project: string;
  cluster: string;
  finished: string;
  /** every column of the table (restore) and what a clash on another unique key means */
  columns: string[];
  clash: string;
  toSet(row: Row): RecordedSet;
  /** the manifest input of a final row (catalogue backfill) */
  describe(row: Row): Promise<SetInput>;
  checks?: Record<string, () => Checker>;
}

/** An artifact adapter over one table whose rows are sets, keyed by a text `id`. */
export function tableAdapter<Row>(db: Db, spec: TableSpec<Row>): ArtifactAdapter {
  const k = db.kysely as unknown as Kysely<any>;
  return {
    service: spec.service,
    needsCluster: spec.needsCluster,
    async *sets(f) {
      const rows = pages(
        (after, size) => {
          let q = k.selectFrom(spec.table).selectAll().where('id', '>', after);
          for (const [c, v] of Object.entries(spec.final)) q = q.where(c, '=', v);
          for (const c of spec.notNull ?? []) q = q.where(c, 'is not', null);
          if (f.projectId) q = q.where(spec.project, '=', f.projectId);
          if (f.clusterId) q = q.where(spec.cluster, '=', f.clusterId);
          if (f.since !== undefined) q = q.where(spec.finished, '>=', f.since);
          return q.orderBy('id').limit(size).execute() as Promise<Row[]>;
        },
        (r) => (r as { id: string }).id,
      );
      for await (const r of rows) yield spec.toSet(r);
    },
    checks: spec.checks,
    async describe(setId) {
      let q = k.selectFrom(spec.table).selectAll().where('id', '=', setId);
      for (const [c, v] of Object.entries(spec.final)) q = q.where(c, '=', v);
      const row = (await q.executeTakeFirst()) as Row | undefined;
      return row ? spec.describe(row) : null;
    },
    restore: (trx, m) => insertRecord(trx, spec.table, { column: 'id', value: m.setId }, pick(m.record, spec.columns), spec.clash),
    async count() {
      const r = await k.selectFrom(spec.table).select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
      return Number(r.n);
    },
  };
}
