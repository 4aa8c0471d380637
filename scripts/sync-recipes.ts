// docs/testing.md includes each recipe of examples/recipes/ verbatim, after a marker line
//   <!-- recipe: examples/recipes/NAME.test.ts -->
// followed by a ```ts fenced block. This script rewrites those blocks from the files; the test
// test/testmode/docs.test.ts fails whenever a block and its file differ (run this, then commit).
// Usage: node --import tsx scripts/sync-recipes.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const DOC = 'docs/testing.md';
const MARKER = /^<!-- recipe: (\S+) -->$/;

export interface RecipeBlock {
  file: string;
  /** line index of the opening fence */
  start: number;
  /** line index of the closing fence */
  end: number;
}

/** The recipe blocks of the doc's lines. */
export function recipeBlocks(lines: string[]): RecipeBlock[] {
  const out: RecipeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = MARKER.exec(lines[i]);
    if (!m) continue;
    if (lines[i + 1] !== '```ts') throw new Error(`${DOC}:${i + 2}: a recipe marker must be followed by a \`\`\`ts fence`);
    const end = lines.indexOf('```', i + 2);
    if (end < 0) throw new Error(`${DOC}:${i + 2}: unclosed recipe block`);
    out.push({ file: m[1], start: i + 1, end });
  }
  return out;
}

/** A recipe file as the doc shows it (its lines, without the final newline). */
export function recipeLines(file: string): string[] {
  return readFileSync(file, 'utf8').replace(/\n$/, '').split('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const lines = readFileSync(DOC, 'utf8').split('\n');
  let changed = 0;
  for (const b of recipeBlocks(lines).reverse()) {
    const body = recipeLines(b.file);
    if (lines.slice(b.start + 1, b.end).join('\n') !== body.join('\n')) {
      lines.splice(b.start + 1, b.end - b.start - 1, ...body);
      changed++;
    }
  }
  writeFileSync(DOC, lines.join('\n'));
  console.log(`${changed} recipe block(s) of ${DOC} updated`);
}
