import { createHash } from 'node:crypto';
import { pipeline, Writable, type Readable, type Transform } from 'node:stream';
import { uuid } from '../security/ids.js';
import { AeadError, decryptStream } from './aead.js';
import type { SetRow } from './catalog.js';
import { ManifestError, manifestKeyFor, type ArtifactManifest, type ManifestFile } from './manifest.js';
import type { TrustEngineDeps, ArtifactAdapter, Checker, RecordedSet, SetFilter } from './types.js';

/**
 * Verification: every artifact of every final set is read back from the store, once, as a
 * stream: its stored bytes are counted and hashed against the manifest (and the record),
 * encrypted ones are decrypted chunk by chunk (authenticating every chunk), and the content is
 * fed to the engine's own check for its format (gzip, etcd snapshot hash, pg_restore --list).
 * Memory stays flat whatever the sizes.
 */
export type ArtifactResult = 'ok' | 'missing' | 'truncated' | 'altered' | 'invalid' | 'mismatch' | 'unreadable';
export const RESULTS: ArtifactResult[] = ['ok', 'missing', 'truncated', 'altered', 'invalid', 'mismatch', 'unreadable'];

export interface ArtifactReport {
  service: string;
  set_id: string;
  project_id: string;
  cluster_id: string;
  bucket: string;
  key: string;
  role: string;
  result: ArtifactResult;
  detail?: string;
}

export interface VerifyReport {
  run_id: string;
  started_at: number;
  finished_at: number;
  filter: SetFilter;
  sets: number;
  artifacts: number;
  ok: number;
  counts: Record<ArtifactResult, number>;
  /** every artifact that is not ok (the run row keeps the first MAX_STORED_PROBLEMS) */
  problems: ArtifactReport[];
}

const MAX_STORED_PROBLEMS = 1000;

export type VerifierDeps = TrustEngineDeps;

export interface RunOptions {
  filter?: SetFilter;
  trigger: 'schedule' | 'admin' | 'cli';
  /** the run id (a job's id when run as a job) */
  id?: string;
  jobId?: string;
  signal?: AbortSignal;
  /** called for every artifact as it is checked (the CLI prints them) */
  onArtifact?(r: ArtifactReport): void;
  progress?(pct: number): void;
}

interface FileCheck {
  result: ArtifactResult;
  detail?: string;
}

export class Verifier {
  constructor(private readonly d: VerifierDeps) {}

  get #k() {
    return this.d.db.kysely;
  }

  async #count(filter: SetFilter): Promise<number> {
    let n = 0;
    for (const a of this.d.adapters) for await (const _ of a.sets(filter)) n++;
    return n;
  }

  async run(o: RunOptions): Promise<VerifyReport> {
    const filter = o.filter ?? {};
    const id = o.id ?? uuid();
    const started = this.d.clock.now();
    const run = { trigger: o.trigger, filter: JSON.stringify(filter), state: 'RUNNING', job_id: o.jobId ?? null, started_at: started, finished_at: null, sets: 0, artifacts: 0, ok: 0, problems: 0, report: null, error: null };
    await this.#k.insertInto('trust_verify_runs').values({ id, ...run }).onConflict((oc) => oc.column('id').doUpdateSet(run)).execute();
    const counts = Object.fromEntries(RESULTS.map((r) => [r, 0])) as Record<ArtifactResult, number>;
    const problems: ArtifactReport[] = [];
    let sets = 0;
    let artifacts = 0;
    // one read per object in a run: CSS sets share the objects incremental backups reuse
    const seen = new Map<string, FileCheck>();
    try {
      const total = o.progress ? await this.#count(filter) : 0;
      for (const adapter of this.d.adapters) {
        for await (const set of adapter.sets(filter)) {
          if (o.signal?.aborted) throw o.signal.reason ?? new Error('aborted');
          const reports = await this.#verifySet(adapter, set, seen);
          sets++;
          for (const r of reports) {
            artifacts++;
            counts[r.result]++;
            if (r.result !== 'ok') problems.push(r);
            o.onArtifact?.(r);
          }
          const bad = reports.filter((r) => r.result !== 'ok');
          await this.#k.updateTable('trust_artifact_sets')
            .set({ last_verified_at: this.d.clock.now(), last_status: bad.length ? 'problems' : 'ok', last_problems: bad.length ? JSON.stringify(bad) : null, last_run_id: id })
            .where('service', '=', set.service).where('set_id', '=', set.setId).execute();
          if (total) o.progress?.(Math.min(99, Math.floor((sets * 100) / total)));
        }
      }
    } catch (e) {
      await this.#k.updateTable('trust_verify_runs').set({ state: 'FAILED', finished_at: this.d.clock.now(), sets, artifacts, ok: counts.ok, problems: problems.length, error: (e as Error).message ?? String(e) })
        .where('id', '=', id).execute();
      throw e;
    }
    const report: VerifyReport = { run_id: id, started_at: started, finished_at: this.d.clock.now(), filter, sets, artifacts, ok: counts.ok, counts, problems };
    await this.#k.updateTable('trust_verify_runs')
      .set({ state: 'DONE', finished_at: report.finished_at, sets, artifacts, ok: counts.ok, problems: problems.length, report: JSON.stringify({ counts, problems: problems.slice(0, MAX_STORED_PROBLEMS) }) })
      .where('id', '=', id).execute();
    if (problems.length) this.d.log.warn({ run_id: id, problems: problems.length, counts }, 'verification found damaged or missing artifacts');
    else this.d.log.info({ run_id: id, sets, artifacts }, 'verification passed');
    return report;
  }

  async #verifySet(adapter: ArtifactAdapter, set: RecordedSet, seen: Map<string, FileCheck>): Promise<ArtifactReport[]> {
    const base = { service: set.service, set_id: set.setId, project_id: set.projectId, cluster_id: set.clusterId };
    const reports: ArtifactReport[] = [];
    const entry = await this.d.catalog.current(set.service, set.setId);
    const ref = entry
      ? { bucket: entry.manifest_bucket, key: entry.manifest_key }
      : { bucket: this.d.catalog.bucket, key: manifestKeyFor({ service: set.service, projectId: set.projectId, clusterId: set.clusterId, setId: set.setId, jobId: set.jobId }) };
    const manifestReport = (result: ArtifactResult, detail?: string) => reports.push({ ...base, ...ref, role: 'manifest', result, detail });
    const m = await this.#manifest(ref, entry, manifestReport);
    if (m) {
      // the record and the manifest must agree on every file the record names
      for (const rf of set.files) {
        const mf = m.files.find((f) => f.bucket === rf.bucket && f.key === rf.key);
        if (!mf) reports.push({ ...base, bucket: rf.bucket, key: rf.key, role: 'record', result: 'mismatch', detail: 'the record names this object, the manifest does not' });
        else if ((rf.size !== undefined && rf.size !== mf.size) || (rf.sha256 !== undefined && rf.sha256 !== mf.sha256)) {
          reports.push({ ...base, bucket: rf.bucket, key: rf.key, role: mf.role, result: 'mismatch', detail: `the record says ${rf.size ?? '?'} bytes sha256 ${rf.sha256 ?? '?'}, the manifest ${mf.size} bytes sha256 ${mf.sha256}` });
        }
      }
      for (const f of m.files) {
        const id = `${f.bucket}\u0000${f.key}\u0000${f.stored.sha256}`;
        let check = seen.get(id);
        if (!check) {
          check = await this.#verifyFile(adapter, m, f);
          seen.set(id, check);
        }
        reports.push({ ...base, bucket: f.bucket, key: f.key, role: f.role, result: check.result, ...(check.detail ? { detail: check.detail } : {}) });
      }
    } else {
      // no usable manifest: still check that what the record names is there, with its recorded content
      for (const rf of set.files) {
        const check = await this.#verifyFile(adapter, null, { bucket: rf.bucket, key: rf.key, format: '', size: rf.size, sha256: rf.sha256, encryption: null });
        reports.push({ ...base, bucket: rf.bucket, key: rf.key, role: 'record', result: check.result, ...(check.detail ? { detail: check.detail } : {}) });
      }
    }
    return reports;
  }

  async #manifest(ref: { bucket: string; key: string }, entry: SetRow | undefined, report: (r: ArtifactResult, detail?: string) => void): Promise<ArtifactManifest | null> {
    let got;
    try {
      if (!(await this.d.raw.head(ref.bucket, ref.key))) {
        report('missing', entry ? 'the manifest object is gone' : 'the set has no manifest (recorded before manifests existed: `logsnap catalog backfill` writes it; or lost)');
        return null;
      }
      got = await this.d.catalog.read(ref.bucket, ref.key);
    } catch (e) {
      if (e instanceof ManifestError) {
        report('altered', `the manifest is not a valid ${'logsnap.artifact-set'}: ${e.message}`);
        return null;
      }
      report('unreadable', (e as Error).message);
      return null;
    }
    if (entry && (got.size !== entry.manifest_size || got.sha256 !== entry.manifest_sha256)) {
      report(got.size < entry.manifest_size ? 'truncated' : 'altered', `the manifest is ${got.size} bytes sha256 ${got.sha256}; it was written as ${entry.manifest_size} bytes sha256 ${entry.manifest_sha256}`);
      return got.manifest;
    }
    report('ok');
    return got.manifest;
  }

  /** Read one object once: stored size and sha256, authenticated decryption, content size and sha256, the engine check. */
  async #verifyFile(adapter: ArtifactAdapter, m: ArtifactManifest | null, f: Pick<ManifestFile, 'bucket' | 'key' | 'format' | 'encryption'> & { size?: number; sha256?: string; stored?: ManifestFile['stored'] }): Promise<FileCheck> {
    const expectStored = f.stored ?? (f.encryption ? undefined : f.size !== undefined && f.sha256 ? { size: f.size, sha256: f.sha256 } : undefined);
    let body: Readable;
    try {
      const info = await this.d.raw.head(f.bucket, f.key);
      if (!info) return { result: 'missing', detail: 'the object does not exist in the store' };
      body = (await this.d.raw.get(f.bucket, f.key)).body;
    } catch (e) {
      if ((e as { code?: string }).code === 'ENOOBJECT') return { result: 'missing', detail: 'the object does not exist in the store' };
      return { result: 'unreadable', detail: (e as Error).message };
    }
    const stages: Transform[] = [];
    if (f.encryption) {
      try {
        const row = await this.d.keys.dataKeyRow(f.bucket, f.key);
        const dek = await this.d.keys.dataKey(
          row && row.dek_id === f.encryption.dataKeyId
            ? row
            : { project_id: m?.project.id ?? '', key_version: f.encryption.projectKeyVersion, dek_id: f.encryption.dataKeyId, wrapped_dek: f.encryption.wrappedDataKey },
        );
        stages.push(decryptStream(dek, { dataKeyId: f.encryption.dataKeyId, label: `${f.bucket}/${f.key}` }));
      } catch (e) {
        body.destroy();
        return { result: 'unreadable', detail: `cannot decrypt: ${(e as Error).message}` };
      }
    }
    const make = f.format ? this.#checks(adapter)[f.format] : undefined;
    const checker: Checker | undefined = make?.();
    const out = await readThrough(body, stages, checker);
    if (out.readError) return { result: 'unreadable', detail: `reading the object failed: ${out.readError.message}` };
    if (expectStored) {
      if (out.size < expectStored.size) return { result: 'truncated', detail: `${out.size} bytes stored, ${expectStored.size} expected` };
      if (out.size > expectStored.size) return { result: 'altered', detail: `${out.size} bytes stored, ${expectStored.size} expected` };
      if (out.sha256 !== expectStored.sha256) return { result: 'altered', detail: `sha256 of the stored bytes is ${out.sha256}, ${expectStored.sha256} expected` };
    }
    if (out.downstreamError instanceof AeadError) return { result: expectStored ? 'invalid' : 'altered', detail: out.downstreamError.message };
    if (f.size !== undefined && out.plainSize !== f.size) return { result: 'invalid', detail: `the content is ${out.plainSize} bytes, the manifest says ${f.size}` };
    if (f.sha256 !== undefined && out.plainSha256 !== f.sha256) return { result: 'invalid', detail: `sha256 of the content is ${out.plainSha256}, the manifest says ${f.sha256}` };
    if (out.downstreamError) return { result: 'invalid', detail: out.downstreamError.message };
    return { result: 'ok' };
  }

  #checks(adapter: ArtifactAdapter): Record<string, () => Checker> {
    return adapter.checks ?? {};
  }
}

/**
 * Read a stream to its end, hashing it; feed it through `stages` (decryption) into a checker.
 * A failure downstream stops the feeding but not the reading: the stored bytes are always
 * hashed whole, so a damaged object is told apart from a wrong key or a failed engine check.
 */
async function readThrough(body: Readable, stages: Transform[], checker: Checker | undefined) {
  const stored = createHash('sha256');
  const plain = createHash('sha256');
  let size = 0;
  let plainSize = 0;
  let readError: Error | undefined;
  let downstreamError: Error | undefined;
  const sink = new Writable({
    highWaterMark: 1 << 20,
    write(chunk: Buffer, _e, cb) {
      plain.update(chunk);
      plainSize += chunk.length;
      Promise.resolve(checker?.write(chunk)).then(() => cb(), cb);
    },
    final(cb) {
      (checker ? checker.end() : Promise.resolve()).then(() => cb(), cb);
    },
  });
  const head: Writable = stages[0] ?? sink;
  const done = new Promise<Error | undefined>((resolve) => {
    if (stages.length) pipeline([...stages, sink] as unknown as [Transform, Writable], (err) => resolve(err ?? undefined));
    else {
      sink.once('finish', () => resolve(undefined));
      sink.once('error', (e) => resolve(e));
      // destroyed without an error (the read failed, e.g. the object was deleted while being
      // verified): neither 'finish' nor 'error' comes, only 'close'
      sink.once('close', () => resolve(undefined));
    }
  });
  head.on('error', (e) => (downstreamError ??= e));
  try {
    for await (const c of body) {
      const chunk = c as Buffer;
      stored.update(chunk);
      size += chunk.length;
      if (!downstreamError && !head.destroyed && !head.write(chunk)) {
        await new Promise<void>((resolve) => {
          const go = () => {
            head.off('drain', go);
            head.off('error', go);
            head.off('close', go);
            resolve();
          };
          head.on('drain', go);
          head.on('error', go);
          head.on('close', go);
        });
      }
    }
  } catch (e) {
    readError = e as Error;
  }
  if (readError) {
    head.destroy();
    checker?.abort();
    await done;
  } else {
    if (!head.destroyed) head.end();
    downstreamError = (await done) ?? downstreamError;
  }
  return { size, sha256: stored.digest('hex'), plainSize, plainSha256: plain.digest('hex'), readError, downstreamError };
}
