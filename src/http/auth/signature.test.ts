import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, dirname } from 'node:path';
import { canonicalQueryFromRaw, canonicalUri, parseSdkDate, signRequest, verifyRequest, type RawRequest } from './signature.js';

const here = dirname(fileURLToPath(import.meta.url));
const vectorsPath = join(here, '..', '..', '..', 'test', 'fixtures', 'signing-vectors.json');
const file = JSON.parse(readFileSync(vectorsPath, 'utf8'));

function toRaw(v: { request: { method: string; path: string; headers: [string, string][]; body: string } }): RawRequest {
  const headers: Record<string, string> = {};
  for (const [k, val] of v.request.headers) headers[k.toLowerCase()] = val;
  return { method: v.request.method, url: v.request.path, headers, body: Buffer.from(v.request.body, 'utf8') };
}

const now = Date.parse(file.fixed_time_utc);
const lookupFor = (ak: string, sk: string) => (a: string) => (a === ak ? { secretKey: sk, key: a } : null);

for (const v of file.vectors) {
  const expectOk = v.name !== 'path-special-characters-space-unicode';
  test(`signing vector ${v.name} ${expectOk ? 'verifies' : 'is the documented limitation'}`, async () => {
    const r = await verifyRequest(toRaw(v), { now, maxSkewMs: 15 * 60_000, lookup: lookupFor(file.access_key, file.secret_key) });
    assert.equal(r.ok, expectOk, JSON.stringify(r));
  });
}

test('every vector fails with a different secret key', async () => {
  for (const v of file.vectors) {
    const r = await verifyRequest(toRaw(v), { now, maxSkewMs: 15 * 60_000, lookup: lookupFor(file.access_key, 'not-the-secret') });
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.reason, 'signature-mismatch');
  }
});

test('published Huawei signing-guide example verifies', async () => {
  const ex = file.published_doc_example;
  const u = new URL(ex.request.url);
  const headers: Record<string, string> = {};
  for (const [k, val] of ex.request.headers) headers[k.toLowerCase()] = val;
  headers.authorization = ex.documented_authorization;
  const r = await verifyRequest(
    { method: ex.request.method, url: u.pathname + u.search, headers, body: '' },
    { now: parseSdkDate(headers['x-sdk-date'])!, maxSkewMs: 60_000, lookup: lookupFor(ex.access_key, ex.secret_key) },
  );
  assert.equal(r.ok, true);
});

test('tampering with method, path, query, signed header or body breaks the signature', async () => {
  const v = file.vectors.find((x: { name: string }) => x.name === 'dws-create-snapshot-post-json');
  const base = toRaw(v);
  const opts = { now, maxSkewMs: 15 * 60_000, lookup: lookupFor(file.access_key, file.secret_key) };
  assert.equal((await verifyRequest(base, opts)).ok, true);
  const variants: RawRequest[] = [
    { ...base, method: 'PUT' },
    { ...base, url: base.url + 'x' },
    { ...base, url: base.url + '?a=1' },
    { ...base, headers: { ...base.headers, 'x-project-id': 'other' } },
    { ...base, body: Buffer.from(String(base.body).replace('snapshot-3', 'snapshot-4')) },
  ];
  for (const bad of variants) assert.equal((await verifyRequest(bad, opts)).ok, false);
});

test('clock skew beyond the limit is rejected, inside it accepted', async () => {
  const v = file.vectors[0];
  const opts = (skew: number) => ({ now: now + skew, maxSkewMs: 15 * 60_000, lookup: lookupFor(file.access_key, file.secret_key) });
  assert.equal((await verifyRequest(toRaw(v), opts(14 * 60_000))).ok, true);
  const late = await verifyRequest(toRaw(v), opts(16 * 60_000));
  assert.deepEqual([late.ok, !late.ok && late.reason], [false, 'clock-skew']);
  const early = await verifyRequest(toRaw(v), opts(-16 * 60_000));
  assert.equal(early.ok, false);
});

test('malformed or missing Authorization, unknown AK and bad dates are told apart', async () => {
  const v = toRaw(file.vectors[0]);
  const opts = { now, maxSkewMs: 15 * 60_000, lookup: lookupFor(file.access_key, file.secret_key) };
  const reason = async (r: RawRequest) => {
    const res = await verifyRequest(r, opts);
    return res.ok ? 'ok' : res.reason;
  };
  assert.equal(await reason({ ...v, headers: { ...v.headers, authorization: undefined } }), 'missing-authorization');
  assert.equal(await reason({ ...v, headers: { ...v.headers, authorization: 'Basic abc' } }), 'malformed-authorization');
  assert.equal(await reason({ ...v, headers: { ...v.headers, authorization: String(v.headers.authorization).replace(file.access_key, 'UNKNOWNAK00000000000') } }), 'unknown-access-key');
  assert.equal(await reason({ ...v, headers: { ...v.headers, 'x-sdk-date': '20241315T083000Z' } }), 'bad-date');
  assert.equal(await reason({ ...v, headers: { ...v.headers, 'x-sdk-date': undefined } }), 'missing-date');
});

test('canonical URI: raw rule double-encodes escapes, adds trailing slash', () => {
  assert.equal(canonicalUri('/v1/a%20b/c'), '/v1/a%2520b/c/');
  assert.equal(canonicalUri('/v1/a%20b/c', 'decoded'), '/v1/a%20b/c/');
  assert.equal(canonicalUri('/x/'), '/x/');
});

test('canonical query sorts by decoded key then value and re-encodes', () => {
  assert.equal(canonicalQueryFromRaw('zeta=last&tag=b&tag=a&alpha=x%20y%2Fz&empty=&k*=(v)!%27'), 'alpha=x%20y%2Fz&empty=&k%2A=%28v%29%21%27&tag=a&tag=b&zeta=last');
  assert.equal(canonicalQueryFromRaw(''), '');
});

test('signRequest output verifies (CLI signer round trip)', async () => {
  const headers = signRequest({
    method: 'POST', url: '/v1.0/p/snapshots?x=1&a=b c', headers: { 'Content-Type': 'application/json', Host: 'localhost:8080', 'X-Project-Id': 'p' },
    body: '{"a":1}', accessKey: 'AK00000000000000000X', secretKey: 'secret', now,
  });
  const lower: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) lower[k.toLowerCase()] = v;
  const r = await verifyRequest({ method: 'POST', url: '/v1.0/p/snapshots?x=1&a=b%20c', headers: lower, body: '{"a":1}' }, { now, maxSkewMs: 1000, lookup: lookupFor('AK00000000000000000X', 'secret') });
  assert.equal(r.ok, true);
});
