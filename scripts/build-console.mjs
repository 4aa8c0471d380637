#!/usr/bin/env node
// Builds the web console (src/console → dist/console) with Vite, then:
//  - writes a .gz twin of every JS/CSS/HTML/SVG file (served to clients that accept gzip),
//  - checks the budget: all JS + CSS together ≤ 250 KB gzipped (exit 1 above it),
//  - stamps dist/console/build-hash.txt with a hash of the sources, so tests build only when
//    src/console changed (`--if-changed`).
// Usage: node scripts/build-console.mjs [--if-changed] [--quiet]
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'src', 'console');
const OUT = join(ROOT, 'dist', 'console');
export const BUDGET_BYTES = 250 * 1024;

function walk(dir, out = []) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

/** Hash of everything the bundle is made of: the console sources, the schemas it imports, this script, the lock file. */
export function sourceHash() {
  const h = createHash('sha256');
  const files = [...walk(SRC), join(ROOT, 'src', 'http', 'routes', 'console', 'schemas.ts'), fileURLToPath(import.meta.url), join(ROOT, 'package-lock.json')];
  for (const f of files) {
    h.update(relative(ROOT, f)).update('\0').update(readFileSync(f)).update('\0');
  }
  return h.digest('hex');
}

/** gzipped sizes of the JS and CSS of a build. */
export function bundleSizes(dir = OUT) {
  const files = walk(join(dir, 'assets')).filter((f) => /\.(js|css)$/.test(f));
  const rows = files.map((f) => {
    const raw = readFileSync(f);
    return { file: relative(dir, f), bytes: raw.length, gzip: gzipSync(raw, { level: 9 }).length };
  });
  return { rows, total: rows.reduce((s, r) => s + r.gzip, 0) };
}

export async function buildConsole({ ifChanged = false, quiet = false } = {}) {
  const hash = sourceHash();
  const stamp = join(OUT, 'build-hash.txt');
  if (ifChanged && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === hash && existsSync(join(OUT, 'index.html'))) {
    return { built: false, ...bundleSizes() };
  }
  const { build } = await import('vite');
  const tmp = join(ROOT, 'dist', `.console-${process.pid}-${Date.now()}`);
  mkdirSync(dirname(tmp), { recursive: true });
  await build({
    configFile: false,
    root: SRC,
    base: '/console/',
    logLevel: quiet ? 'warn' : 'info',
    publicDir: join(SRC, 'public'),
    oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
    build: {
      outDir: tmp,
      emptyOutDir: true,
      target: 'es2022',
      sourcemap: false,
      assetsInlineLimit: 0,
      reportCompressedSize: false,
      modulePreload: { polyfill: false },
      chunkSizeWarningLimit: 300,
    },
  });
  for (const f of walk(tmp)) {
    if (/\.(js|css|html|svg|json)$/.test(f)) writeFileSync(`${f}.gz`, gzipSync(readFileSync(f), { level: 9 }));
  }
  writeFileSync(join(tmp, 'build-hash.txt'), hash + '\n');
  // swap in atomically enough for concurrent test processes: readers see the old or the new folder
  const old = `${OUT}.old-${process.pid}`;
  if (existsSync(OUT)) renameSync(OUT, old);
  renameSync(tmp, OUT);
  rmSync(old, { recursive: true, force: true });
  return { built: true, ...bundleSizes() };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = new Set(process.argv.slice(2));
  const r = await buildConsole({ ifChanged: args.has('--if-changed'), quiet: args.has('--quiet') });
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  if (!args.has('--quiet')) for (const row of r.rows) console.log(`  ${row.file.padEnd(44)} ${kb(row.bytes).padStart(10)}  gzip ${kb(row.gzip).padStart(9)}`);
  console.log(`console: JS + CSS ${kb(r.total)} gzipped (budget ${kb(BUDGET_BYTES)})${r.built ? '' : ' — up to date'}`);
  if (r.total > BUDGET_BYTES) {
    console.error(`console: over budget by ${kb(r.total - BUDGET_BYTES)}`);
    process.exit(1);
  }
}
