#!/usr/bin/env node
// Runs every *.test.ts under src/, test/ and examples/ with Node's test runner (TypeScript through tsx),
// then the examples written for Vitest (examples/vitest) and Jest (examples/jest) with those runners.
// Usage: node scripts/test.mjs [filter...]   (filters match file paths)
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

/** Folders whose tests belong to another runner (they are run below, with it). */
const OTHER_RUNNERS = [join('examples', 'vitest'), join('examples', 'jest')];

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (OTHER_RUNNERS.includes(p)) continue;
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith('.test.ts')) out.push(p);
  }
  return out;
}
const filters = process.argv.slice(2);
const matches = (f) => filters.length === 0 || filters.some((x) => f.includes(x));
const files = ['src', 'test', 'examples'].flatMap((d) => walk(d)).filter(matches).sort();
const runners = [
  { name: 'vitest', dir: OTHER_RUNNERS[0], args: (out) => ['node_modules/vitest/vitest.mjs', 'run', '--config', 'examples/vitest/vitest.config.ts', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`] },
  { name: 'jest', dir: OTHER_RUNNERS[1], args: (out) => ['node_modules/jest/bin/jest.js', '--config', 'examples/jest/jest.config.cjs', '--json', `--outputFile=${out}`] },
].filter((r) => filters.length === 0 || filters.some((x) => r.dir.includes(x) || x.includes(r.dir)));
if (files.length === 0 && runners.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const concurrency = process.env.LOGSNAP_TEST_CONCURRENCY ?? '3';
const tmp = mkdtempSync(join(tmpdir(), 'logsnap-tap-'));
let status = 0;
const totals = { pass: 0, fail: 0, skipped: 0 };
if (files.length) {
  const tap = join(tmp, 'run.tap');
  const r = spawnSync(
    process.execPath,
    // logsnap-source: `logsnap/testing` resolves to the TypeScript sources (no build needed)
    ['--import', 'tsx', '--conditions=logsnap-source', '--test', `--test-concurrency=${concurrency}`,
      '--test-reporter=spec', '--test-reporter-destination=stdout',
      '--test-reporter=tap', `--test-reporter-destination=${tap}`, ...files],
    { stdio: 'inherit' },
  );
  // One plain closing line, whatever the reporter: "N passed, N failed, N skipped".
  const text = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
  const count = (k) => Number((new RegExp(`^# ${k} (\\d+)$`, 'm').exec(text) ?? [])[1] ?? 0);
  totals.pass += count('pass');
  totals.fail += count('fail') + count('cancelled');
  totals.skipped += count('skipped');
  status ||= r.status ?? 1;
}
for (const runner of runners) {
  const out = join(tmp, `${runner.name}.json`);
  console.log(`\n--- ${runner.dir} (${runner.name})`);
  const r = spawnSync(process.execPath, runner.args(out), { stdio: 'inherit' });
  let report = {};
  try {
    report = JSON.parse(readFileSync(out, 'utf8'));
  } catch {
    report = { numFailedTests: 1 }; // the runner did not get as far as reporting
  }
  totals.pass += report.numPassedTests ?? 0;
  totals.fail += report.numFailedTests ?? 0;
  totals.skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  status ||= r.status ?? 1;
}
console.log(`\n${totals.pass} passed, ${totals.fail} failed, ${totals.skipped} skipped`);
process.exit(status);
