import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CATALOGUE, wireCode, type ErrorCode } from './catalogue.js';
import { OWNER_CODES } from './render.js';

const DOC = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
const ROW = /^\| (\d{3}) \| `([A-Z]+\.[0-9A-Z]+)` \|/gm;

test('docs/errors.md lists every catalogue entry with its status, and nothing the catalogue lacks', () => {
  const documented = new Set([...DOC.matchAll(ROW)].map((m) => `${m[1]} ${m[2]}`));
  const catalogued = new Set((Object.keys(CATALOGUE) as ErrorCode[]).map((k) => `${CATALOGUE[k].status} ${wireCode(k)}`));
  assert.deepEqual([...catalogued].filter((c) => !documented.has(c)), [], 'catalogue entries without a row in docs/errors.md');
  assert.deepEqual([...documented].filter((d) => !catalogued.has(d)), [], 'rows in docs/errors.md the catalogue does not have');
});

test('the framework-answer table of docs/errors.md is the one app.ts uses', () => {
  const table = DOC.slice(DOC.indexOf('## Framework answers'), DOC.indexOf('Choices:'));
  const rows = table.split('\n').filter((l) => /^\| (malformed|a body|no body|no operation|the path exists|an unexpected)/.test(l));
  const col = (i: number) => rows.map((r) => r.split('|').map((c) => c.trim())[i + 2]);
  const owners = ['css', 'dcs', 'cce', 'dws', 'logsnap', 'gateway'] as const;
  owners.forEach((o, i) => {
    const c = OWNER_CODES[o];
    assert.deepEqual(col(i), [c.invalid, c.contentType, c.missingBody, c.notFound, c.methodNotAllowed, c.internal].map(wireCode), o);
  });
});

test('every catalogue key is its wire code, or <code>@<status> of a code the catalogue also has', () => {
  for (const k of Object.keys(CATALOGUE) as ErrorCode[]) {
    const e: { code?: string; status: number } = CATALOGUE[k];
    if (!k.includes('@')) assert.equal(e.code, undefined, k);
    else {
      assert.equal(k, `${e.code}@${e.status}`);
      assert.ok(e.code! in CATALOGUE, `${e.code} is catalogued too`);
    }
  }
});
