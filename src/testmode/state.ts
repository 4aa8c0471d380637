import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import { Header, Pack, Parser, ReadEntry } from 'tar';
import type { Db } from '../db/index.js';
import { validateBucket, validateKey, type ObjectStore } from '../storage/objectStore.js';
import { StateArchiveError } from './errors.js';
import { anyKysely, bumpSequences, describeSchema, DERIVED_TABLES, MIGRATION_TABLES, type TableInfo } from './schema.js';

/**
 * State export/import: one gzip-compressed tar holding every database row (of every table present,
 * read from the database's catalogue) and every stored object, so a suite can start from a fixture.
 *
 * Layout (format `logsnap-state`, version 1):
 *   logsnap-state.json                  first: format, version, migrations, master key check, test time
 *   db/<table>/<nnnnnn>.ndjson          rows, at most PAGE_ROWS per entry, parents before children
 *   objects/<bucket>/<key>              the stored bytes
 *   objects-index/<nnnnnn>.ndjson       size, sha256 and content type of the objects just before it
 *   manifest.json                       last: row counts and sha256 of every page, object totals
 *
 * Everything streams: rows are paged (through temporary files, so the database is held only for
 * the consistent read), objects go from the store into the archive and back without being held.
 * Import reads the archive twice: a full validation first (format, version, master key, schema,
 * every checksum and count) that writes nothing, then one database transaction that replaces every
 * row, writing the objects on the way; objects the archive does not have are deleted after commit.
 * Secrets stay encrypted with the master key: importing needs the same key (LOGSNAP_MASTER_KEY).
 */
export const STATE_FORMAT = 'logsnap-state';
export const STATE_VERSION = 1;
const HEADER_ENTRY = 'logsnap-state.json';
const MANIFEST_ENTRY = 'manifest.json';
const PAGE_ROWS = 1000;
const INDEX_EVERY = 500;
const MAX_PAGE_BYTES = 256 * 1024 * 1024;
/** Meta keys that belong to an installation, not to its state: never exported, kept on import. */
export const LOCAL_META = new Set(['master_key_check', 'admin_token_hash']);
/** Tables not carried as rows: migrations (each side has its own), the test clock (carried as a time), trigger-kept tables. */
const NOT_ROWS = new Set<string>([...MIGRATION_TABLES, 'test_state', ...DERIVED_TABLES]);

export { StateArchiveError };

export interface StateDeps {
  db: Db;
  store: ObjectStore;
  /** the master key's check value (security/secrets.ts) */
  keyCheck: string;
  /** test time and wall time, epoch ms */
  now(): number;
  wall(): number;
  log: FastifyBaseLogger;
}

export interface StateSummary {
  tables: number;
  rows: number;
  objects: number;
  bytes: number;
}

export interface HeaderDoc {
  format: string;
  version: number;
  created_at: number;
  dialect: string;
  migrations: string[];
  master_key_check: string;
  /** test time when exported: an import sets the test clock to it */
  clock_now: number;
}

interface ManifestDoc {
  tables: { name: string; columns: string[]; rows: number; pages: { entry: string; rows: number; sha256: string }[] }[];
  objects: { count: number; bytes: number };
}

interface IndexLine {
  bucket: string;
  key: string;
  size: number;
  sha256: string;
  content_type?: string;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const pageName = (table: string, n: number) => `db/${table}/${String(n).padStart(6, '0')}.ndjson`;

/** Binary values as {"$base64": …} (JSON has no bytes); everything else as JSON renders it. */
function encodeRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k] = v instanceof Uint8Array ? { $base64: Buffer.from(v).toString('base64') } : v;
  return out;
}
function decodeValue(v: unknown): unknown {
  if (v && typeof v === 'object' && !Array.isArray(v) && typeof (v as { $base64?: unknown }).$base64 === 'string') {
    return Buffer.from((v as { $base64: string }).$base64, 'base64');
  }
  return v;
}

async function appliedMigrations(db: Db): Promise<string[]> {
  const rows = await anyKysely(db.kysely).selectFrom('logsnap_migrations').select('name').orderBy('name').execute();
  return rows.map((r: { name: string }) => r.name);
}

function rowTables(schema: TableInfo[]): TableInfo[] {
  return schema.filter((t) => !NOT_ROWS.has(t.name));
}

// ---- export ---------------------------------------------------------------------------------

/** Write the whole state to `out` (a file or an HTTP response). */
export async function exportState(d: StateDeps, out: NodeJS.WritableStream): Promise<StateSummary> {
  const dir = await mkdtemp(join(tmpdir(), 'logsnap-export-'));
  try {
    const schema = await describeSchema(d.db);
    const migrations = await appliedMigrations(d.db);
    const manifest: ManifestDoc = { tables: [], objects: { count: 0, bytes: 0 } };
    let clockNow = 0;
    // 1. rows: one consistent read (a repeatable-read transaction), paged into temporary files
    const files: { entry: string; file: string; size: number }[] = [];
    const read = async (trx0: Db['kysely']) => {
      const trx = anyKysely(trx0);
      clockNow = d.now();
      for (const t of rowTables(schema)) {
        const columns = t.columns.map((c) => c.name);
        const doc = { name: t.name, columns, rows: 0, pages: [] as ManifestDoc['tables'][number]['pages'] };
        const order = t.primaryKey.length ? t.primaryKey : columns;
        for (let page = 1; ; page++) {
          let q = trx.selectFrom(t.name).selectAll();
          if (t.name === 'meta') q = q.where('key', 'not in', [...LOCAL_META]);
          for (const c of order) q = q.orderBy(c);
          const rows = (await q.limit(PAGE_ROWS).offset((page - 1) * PAGE_ROWS).execute()) as Record<string, unknown>[];
          if (rows.length === 0) break;
          const body = Buffer.from(rows.map((r) => JSON.stringify(encodeRow(r))).join('\n') + '\n');
          const entry = pageName(t.name, page);
          const file = join(dir, `${files.length}.ndjson`);
          await writeFile(file, body);
          files.push({ entry, file, size: body.length });
          doc.pages.push({ entry, rows: rows.length, sha256: sha256(body) });
          doc.rows += rows.length;
          if (rows.length < PAGE_ROWS) break;
        }
        manifest.tables.push(doc);
      }
    };
    if (d.db.dialect === 'postgres') await d.db.kysely.transaction().setIsolationLevel('repeatable read').execute(read);
    else await d.db.kysely.transaction().execute(read);

    // 2. the archive
    const pack = new Pack({ gzip: true, portable: true });
    let finished = false;
    let gone!: (e: Error) => void;
    // the reader went away (an HTTP client disconnecting): stop instead of waiting for it forever
    const closed = new Promise<never>((_, reject) => (gone = reject));
    closed.catch(() => undefined);
    const done = new Promise<void>((resolve, reject) => {
      out.on('error', reject);
      out.on('finish', () => {
        finished = true;
        resolve();
      });
      out.on('close', () => (finished ? resolve() : gone(new Error('the archive\'s reader went away before its end'))));
    });
    done.catch(() => undefined);
    pack.pipe(out as NodeJS.WritableStream);
    const add = (path: string, body: Buffer | Readable, size?: number, onChunk?: (c: Buffer) => void) =>
      Promise.race([addEntry(pack, path, body, size, onChunk), closed]).catch((e: unknown) => {
        if (!Buffer.isBuffer(body)) body.destroy();
        throw e;
      });
    const header: HeaderDoc = {
      format: STATE_FORMAT, version: STATE_VERSION, created_at: d.wall(), dialect: d.db.dialect, migrations,
      master_key_check: d.keyCheck, clock_now: clockNow,
    };
    await add(HEADER_ENTRY, Buffer.from(JSON.stringify(header, null, 1)));
    for (const f of files) await add(f.entry, createReadStream(f.file), f.size);
    if (!d.store.buckets) throw new Error(`the ${d.store.driver} object store cannot list its buckets`);
    let batch: IndexLine[] = [];
    let indexes = 0;
    const flushIndex = async () => {
      if (!batch.length) return;
      await add(`objects-index/${String(++indexes).padStart(6, '0')}.ndjson`, Buffer.from(batch.map((l) => JSON.stringify(l)).join('\n') + '\n'));
      batch = [];
    };
    for await (const bucket of d.store.buckets()) {
      for await (const info of d.store.list(bucket, '')) {
        let got;
        try {
          got = await d.store.get(bucket, info.key);
        } catch {
          continue; // deleted since it was listed
        }
        const hash = createHash('sha256');
        await add(`objects/${bucket}/${info.key}`, got.body, got.size, (c) => hash.update(c));
        batch.push({ bucket, key: info.key, size: got.size, sha256: hash.digest('hex'), ...(got.contentType ? { content_type: got.contentType } : {}) });
        manifest.objects.count++;
        manifest.objects.bytes += got.size;
        if (batch.length >= INDEX_EVERY) await flushIndex();
      }
    }
    await flushIndex();
    await add(MANIFEST_ENTRY, Buffer.from(JSON.stringify(manifest)));
    pack.end();
    await Promise.race([done, closed]);
    const summary = { tables: manifest.tables.length, rows: manifest.tables.reduce((s, t) => s + t.rows, 0), objects: manifest.objects.count, bytes: manifest.objects.bytes };
    d.log.info(summary, 'state exported');
    return summary;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** One tar entry of `size` bytes from a buffer or a stream, with back-pressure. */
async function addEntry(pack: Pack, path: string, body: Buffer | Readable, size?: number, onChunk?: (c: Buffer) => void): Promise<void> {
  const length = Buffer.isBuffer(body) ? body.length : size!;
  const entry = new ReadEntry(new Header({ path, size: length, type: 'File', mode: 0o644, mtime: new Date(0) }));
  pack.write(entry);
  let written = 0;
  const chunks: AsyncIterable<Buffer> = Buffer.isBuffer(body) ? [body] as unknown as AsyncIterable<Buffer> : body;
  for await (const c of chunks) {
    if (written + c.length > length) throw new Error(`${path} grew while it was exported`);
    written += c.length;
    onChunk?.(c);
    if (!entry.write(c)) await once(entry, 'drain');
  }
  if (written !== length) throw new Error(`${path} shrank while it was exported (${written} of ${length} bytes)`);
  entry.end();
}

// ---- import ---------------------------------------------------------------------------------

/** The entries of a tar.gz file, one at a time; each must be consumed before the next is asked for. */
async function* tarEntries(file: string): AsyncGenerator<ReadEntry> {
  const parser = new Parser({ strict: true });
  const ready: ReadEntry[] = [];
  let failure: Error | undefined;
  let ended = false;
  let wake: (() => void) | undefined;
  const poke = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  let current: ReadEntry | undefined;
  const fail = (e: Error) => {
    failure ??= e;
    stop?.();
    // the entry being read gets no more data: end its reader with the error
    if (current && !current.emittedEnd) current.destroy(e);
    poke();
  };
  parser.on('entry', (e: ReadEntry) => {
    ready.push(e);
    poke();
  });
  parser.on('error', (e: Error) => fail(e));
  parser.on('warn', (code: string, message: string | Error) => fail(new Error(`${code}: ${typeof message === 'string' ? message : message.message}`)));
  parser.on('end', () => {
    ended = true;
    poke();
  });
  const src = createReadStream(file, { highWaterMark: 256 * 1024 });
  let stop!: () => void;
  const stopped = new Promise<void>((r) => (stop = r));
  const feeding = (async () => {
    for await (const chunk of src) {
      if (failure) return;
      if (!parser.write(chunk as Buffer)) await Promise.race([once(parser, 'drain'), stopped]);
    }
    if (!failure) parser.end();
  })().catch(fail);
  try {
    for (;;) {
      if (failure) throw failure;
      const e = ready.shift();
      if (e) {
        current = e;
        yield e;
        continue;
      }
      if (ended) break;
      await new Promise<void>((r) => (wake = r));
    }
    await feeding;
    if (failure) throw failure;
  } finally {
    stop();
    src.destroy();
  }
}

async function readAll(e: ReadEntry, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of e as AsyncIterable<Buffer>) {
    n += c.length;
    if (n > limit) throw new StateArchiveError(`${e.path} is larger than ${limit} bytes`);
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

function parseJson<T>(b: Buffer, what: string): T {
  try {
    return JSON.parse(b.toString('utf8')) as T;
  } catch (err) {
    throw new StateArchiveError(`${what} is not valid JSON (${(err as Error).message})`);
  }
}

function parseRows(b: Buffer, what: string): Record<string, unknown>[] {
  const lines = b.toString('utf8').split('\n').filter((l) => l.length > 0);
  return lines.map((l, i) => {
    let row: unknown;
    try {
      row = JSON.parse(l);
    } catch (err) {
      throw new StateArchiveError(`${what} line ${i + 1} is not valid JSON (${(err as Error).message})`);
    }
    if (!row || typeof row !== 'object' || Array.isArray(row)) throw new StateArchiveError(`${what} line ${i + 1} is not a row object`);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(row as Record<string, unknown>)) out[k] = decodeValue(v);
    return out;
  });
}

/** The archive's first entry (format, version, master key check), checked; reads nothing else. */
export async function readStateHeader(file: string): Promise<HeaderDoc> {
  try {
    for await (const e of tarEntries(file)) {
      if (e.path !== HEADER_ENTRY) throw new StateArchiveError(`not a logsnap state archive (its first entry is ${JSON.stringify(e.path)}, expected ${HEADER_ENTRY})`);
      const header = parseJson<HeaderDoc>(await readAll(e, 1 << 20), HEADER_ENTRY);
      checkHeader(header);
      return header;
    }
  } catch (err) {
    if (err instanceof StateArchiveError) throw err;
    throw new StateArchiveError(`the archive is damaged or not a logsnap state archive: ${(err as Error).message}`);
  }
  throw new StateArchiveError('the archive is empty');
}

function checkHeader(header: HeaderDoc): void {
  if (header.format !== STATE_FORMAT) throw new StateArchiveError(`not a logsnap state archive (format ${JSON.stringify(header.format)})`);
  if (header.version !== STATE_VERSION) {
    throw new StateArchiveError(`the archive is state format version ${header.version}; this logsnap reads version ${STATE_VERSION} only (export it again with this version)`);
  }
}

interface Checked {
  header: HeaderDoc;
  manifest: ManifestDoc;
}

/** Pass 1: read the whole archive, write nothing. Throws StateArchiveError saying what is wrong. */
async function validateArchive(d: StateDeps, file: string, schema: TableInfo[]): Promise<Checked> {
  let header: HeaderDoc | undefined;
  let manifest: ManifestDoc | undefined;
  const pages = new Map<string, { table: string; rows: number; sha256: string }>();
  const pending = new Map<string, { size: number; sha256: string }>();
  const tables = new Map(schema.map((t) => [t.name, t]));
  const checkedColumns = new Set<string>();
  let objects = 0;
  let bytes = 0;
  let first = true;
  try {
    for await (const e of tarEntries(file)) {
      const path = e.path;
      if (first) {
        first = false;
        if (path !== HEADER_ENTRY) throw new StateArchiveError(`not a logsnap state archive (its first entry is ${JSON.stringify(path)}, expected ${HEADER_ENTRY})`);
        header = parseJson<HeaderDoc>(await readAll(e, 1 << 20), HEADER_ENTRY);
        checkHeader(header);
        if (header.master_key_check !== d.keyCheck) {
          throw new StateArchiveError('the archive was written by a logsnap with another master key: its secrets (SKs, engine passwords) cannot be read; import it into a logsnap started with the same LOGSNAP_MASTER_KEY (or data/master.key)');
        }
        const applied = new Set(await appliedMigrations(d.db));
        const unknown = (header.migrations ?? []).filter((m) => !applied.has(m));
        if (unknown.length) {
          throw new StateArchiveError(`the archive comes from a logsnap with database changes this one does not have (${unknown.slice(0, 5).join(', ')}); import it with that logsnap version or a newer one`);
        }
        continue;
      }
      if (path.startsWith('db/')) {
        const m = /^db\/([^/]+)\/\d{6}\.ndjson$/.exec(path);
        if (!m) throw new StateArchiveError(`unexpected entry ${path}`);
        const t = tables.get(m[1]);
        if (!t || NOT_ROWS.has(t.name)) throw new StateArchiveError(`the archive has rows of table ${m[1]}, which this logsnap's database does not have`);
        const body = await readAll(e, MAX_PAGE_BYTES);
        const rows = parseRows(body, path);
        if (!checkedColumns.has(t.name) && rows.length) {
          const known = new Set(t.columns.map((c) => c.name));
          const cols = new Set(Object.keys(rows[0]));
          const extra = [...cols].filter((c) => !known.has(c));
          if (extra.length) throw new StateArchiveError(`table ${t.name}: the archive has columns this database does not (${extra.join(', ')})`);
          const missing = t.columns.filter((c) => c.required && !cols.has(c.name)).map((c) => c.name);
          if (missing.length) throw new StateArchiveError(`table ${t.name}: the archive lacks required columns (${missing.join(', ')})`);
          checkedColumns.add(t.name);
        }
        pages.set(path, { table: t.name, rows: rows.length, sha256: sha256(body) });
        continue;
      }
      if (path.startsWith('objects/')) {
        const rest = path.slice('objects/'.length);
        const slash = rest.indexOf('/');
        const bucket = rest.slice(0, slash);
        const key = rest.slice(slash + 1);
        try {
          validateBucket(bucket);
          validateKey(key);
        } catch (err) {
          throw new StateArchiveError(`entry ${path}: ${(err as Error).message}`);
        }
        const hash = createHash('sha256');
        let size = 0;
        for await (const c of e as AsyncIterable<Buffer>) {
          hash.update(c);
          size += c.length;
        }
        pending.set(`${bucket}/${key}`, { size, sha256: hash.digest('hex') });
        continue;
      }
      if (path.startsWith('objects-index/')) {
        for (const l of parseRows(await readAll(e, MAX_PAGE_BYTES), path) as unknown as IndexLine[]) {
          const id = `${l.bucket}/${l.key}`;
          const seen = pending.get(id);
          if (!seen) throw new StateArchiveError(`${path} lists ${id}, which the archive does not hold before it`);
          if (seen.size !== l.size || seen.sha256 !== l.sha256) throw new StateArchiveError(`object ${id} is damaged (its size or sha256 does not match the archive's index)`);
          pending.delete(id);
          objects++;
          bytes += l.size;
        }
        continue;
      }
      if (path === MANIFEST_ENTRY) {
        manifest = parseJson<ManifestDoc>(await readAll(e, 64 << 20), MANIFEST_ENTRY);
        continue;
      }
      throw new StateArchiveError(`unexpected entry ${path}`);
    }
  } catch (err) {
    if (err instanceof StateArchiveError) throw err;
    throw new StateArchiveError(`the archive is damaged or not a logsnap state archive: ${(err as Error).message}`);
  }
  if (!header) throw new StateArchiveError('the archive is empty');
  if (!manifest) throw new StateArchiveError('the archive is incomplete (no manifest.json at its end: truncated?)');
  if (pending.size) throw new StateArchiveError(`the archive holds ${pending.size} object(s) its index does not describe (truncated?)`);
  let listed = 0;
  for (const t of manifest.tables ?? []) {
    for (const p of t.pages) {
      const got = pages.get(p.entry);
      if (!got) throw new StateArchiveError(`the archive lacks ${p.entry} (truncated?)`);
      if (got.sha256 !== p.sha256 || got.rows !== p.rows || got.table !== t.name) throw new StateArchiveError(`${p.entry} is damaged (sha256 or row count does not match the manifest)`);
      listed++;
    }
  }
  if (listed !== pages.size) throw new StateArchiveError('the archive holds row pages its manifest does not list');
  if (manifest.objects.count !== objects || manifest.objects.bytes !== bytes) throw new StateArchiveError('the archive lacks objects its manifest counts (truncated?)');
  return { header, manifest };
}

/** Replace the whole state with the archive's (a file: it is read twice). */
export async function importState(d: StateDeps, file: string): Promise<StateSummary> {
  try {
    await stat(file);
  } catch {
    throw new StateArchiveError(`cannot read ${file}`);
  }
  const schema = await describeSchema(d.db);
  const { header, manifest } = await validateArchive(d, file, schema);
  const rowsTables = rowTables(schema);
  const keys = new Set<string>();
  let rows = 0;
  await d.db.kysely.transaction().execute(async (trx0) => {
    const trx = anyKysely(trx0);
    for (const t of [...rowsTables].reverse()) {
      if (t.name === 'meta') await trx.deleteFrom('meta').where('key', 'not in', [...LOCAL_META]).execute();
      else await trx.deleteFrom(t.name).execute();
    }
    for await (const e of tarEntries(file)) {
      const path = e.path;
      if (path.startsWith('db/')) {
        const table = path.split('/')[1];
        const page = parseRows(await readAll(e, MAX_PAGE_BYTES), path).filter((r) => table !== 'meta' || !LOCAL_META.has(String(r.key)));
        for (let i = 0; i < page.length; i += 100) await trx.insertInto(table).values(page.slice(i, i + 100)).execute();
        rows += page.length;
      } else if (path.startsWith('objects/')) {
        const rest = path.slice('objects/'.length);
        const slash = rest.indexOf('/');
        const bucket = rest.slice(0, slash);
        const key = rest.slice(slash + 1);
        await d.store.put(bucket, key, Readable.from(e as AsyncIterable<Buffer>));
        keys.add(`${bucket}/${key}`);
      } else {
        e.resume();
      }
    }
    await bumpSequences(d.db, trx0, rowsTables);
    await trx.updateTable('test_state')
      .set((eb: any) => ({ clock_offset_ms: header.clock_now - d.wall(), faults_version: eb('faults_version', '+', 1), updated_at: d.wall() }))
      .where('id', '=', 'state').execute();
  });
  // objects of the replaced state that the archive does not have
  let removed = 0;
  if (d.store.buckets) {
    for await (const bucket of d.store.buckets()) {
      const stale: string[] = [];
      for await (const o of d.store.list(bucket, '')) if (!keys.has(`${bucket}/${o.key}`)) stale.push(o.key);
      for (const k of stale) await d.store.delete(bucket, k);
      removed += stale.length;
    }
  }
  const summary = { tables: manifest.tables.length, rows, objects: keys.size, bytes: manifest.objects.bytes };
  d.log.info({ ...summary, removed_objects: removed }, 'state imported');
  return summary;
}

/** Spool a stream (an HTTP upload) to a temporary file; returns it and a clean-up function. */
export async function spool(body: NodeJS.ReadableStream): Promise<{ file: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'logsnap-import-'));
  const file = join(dir, 'state.tar.gz');
  const ws = createWriteStream(file);
  try {
    for await (const c of body as AsyncIterable<Buffer>) if (!ws.write(c)) await once(ws, 'drain');
    ws.end();
    await once(ws, 'close');
  } catch (err) {
    ws.destroy();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return { file, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
