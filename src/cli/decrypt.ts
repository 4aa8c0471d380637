import { createReadStream, createWriteStream } from 'node:fs';
import { open, readFile, rename, rm } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { decryptStream, HEADER_SIZE, parseHeader } from '../trust/aead.js';
import { parseExportedKey, unwrapDataKey } from '../trust/keys.js';
import { parseManifest } from '../trust/manifest.js';
import { hashingMeter } from '../storage/meter.js';
import { UsageError } from './usage.js';

const err = (s: string) => process.stderr.write(s.endsWith('\n') ? s : `${s}\n`);

/**
 * `logsnap decrypt --key-file KEY --manifest MANIFEST [--out FILE] ENCRYPTED`: offline, with an
 * exported project key and the set's manifest (from `logsnap-catalog/sets/…` in the store).
 * The content is checked against the manifest's sha256; nothing is left behind on failure.
 */
export async function decryptCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { 'key-file': { type: 'string' }, manifest: { type: 'string' }, out: { type: 'string', short: 'o' } },
    allowPositionals: true,
  });
  if (!values['key-file'] || !values.manifest || positionals.length !== 1) {
    throw new UsageError('usage: logsnap decrypt --key-file KEY --manifest MANIFEST.json [--out FILE] ENCRYPTED_FILE   (writes to stdout without --out)');
  }
  const file = positionals[0];
  const fail = (msg: string) => {
    err(`logsnap decrypt: ${msg}`);
    return 1;
  };
  let header;
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(HEADER_SIZE);
    const { bytesRead } = await fh.read(buf, 0, HEADER_SIZE, 0);
    header = parseHeader(buf.subarray(0, bytesRead));
  } catch (e) {
    return fail(`${file}: ${(e as Error).message}`);
  } finally {
    await fh.close();
  }
  let manifest;
  try {
    manifest = parseManifest(await readFile(values.manifest, 'utf8'));
  } catch (e) {
    return fail(`${values.manifest}: not a logsnap artifact-set manifest: ${(e as Error).message}`);
  }
  const entry = manifest.files.find((f) => f.encryption?.dataKeyId === header.dataKeyId);
  if (!entry?.encryption) return fail(`the manifest does not describe ${file} (its data key id ${header.dataKeyId} is not in it): use the manifest of the set the object belongs to`);
  let key;
  try {
    key = parseExportedKey(await readFile(values['key-file'], 'utf8'));
  } catch (e) {
    return fail((e as Error).message);
  }
  const e = entry.encryption;
  if (key.projectId !== manifest.project.id) return fail(`wrong key: the key file holds project ${key.projectId}'s key; ${entry.bucket}/${entry.key} belongs to project ${manifest.project.id}`);
  if (key.version < e.projectKeyVersion) {
    return fail(`the key file holds project key version ${key.version}, which was rotated away: this data key is wrapped by version ${e.projectKeyVersion} (key id ${e.projectKeyId}); export the current key with \`logsnap key export --project ${key.projectId}\``);
  }
  if (key.version > e.projectKeyVersion) {
    return fail(`the manifest is older than the key: its data key is wrapped by project key version ${e.projectKeyVersion}, the key file holds version ${key.version}; take the current manifest from the store (rotation rewrites them)`);
  }
  if (key.keyId !== e.projectKeyId) return fail(`wrong key: the data key is wrapped by key id ${e.projectKeyId}, the key file holds key id ${key.keyId}`);
  let dek: Buffer;
  try {
    dek = unwrapDataKey(key.keyBytes, key.projectId, e.dataKeyId, e.wrappedDataKey);
  } catch (x) {
    return fail((x as Error).message);
  }
  const meter = hashingMeter();
  const partial = values.out ? `${values.out}.partial` : undefined;
  const sink: Writable = partial ? createWriteStream(partial) : process.stdout;
  try {
    await pipeline(createReadStream(file), decryptStream(dek, { dataKeyId: e.dataKeyId, label: file }), meter.stream, sink, { end: !!partial });
    const size = meter.size();
    const sha = meter.sha256();
    if (size !== entry.size || sha !== entry.sha256) throw new Error(`the decrypted content (${size} bytes, sha256 ${sha}) is not what the manifest records (${entry.size} bytes, sha256 ${entry.sha256})`);
    if (partial) await rename(partial, values.out!);
  } catch (x) {
    if (partial) await rm(partial, { force: true });
    return fail((x as Error).message);
  }
  if (values.out) err(`logsnap decrypt: ${entry.bucket}/${entry.key} → ${values.out} (${meter.size()} bytes, sha256 verified)`);
  return 0;
}
