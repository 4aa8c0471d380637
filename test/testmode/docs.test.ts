/** docs/testing.md shows every recipe of examples/recipes/ exactly as the file that runs as a test. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/cli.js';
import { DOC, recipeBlocks, recipeLines } from '../../scripts/sync-recipes.js';

test('every recipe in docs/testing.md is its test file, verbatim, and every recipe file is in the doc', () => {
  process.chdir(ROOT);
  const lines = readFileSync(DOC, 'utf8').split('\n');
  const blocks = recipeBlocks(lines);
  for (const b of blocks) {
    assert.deepEqual(lines.slice(b.start + 1, b.end), recipeLines(b.file), `${DOC} differs from ${b.file}: run node --import tsx scripts/sync-recipes.ts`);
  }
  const files = readdirSync(join(ROOT, 'examples', 'recipes')).filter((f) => f.endsWith('.test.ts')).map((f) => `examples/recipes/${f}`).sort();
  assert.deepEqual(blocks.map((b) => b.file).sort(), files);
});
