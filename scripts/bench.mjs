#!/usr/bin/env node
// `npm run bench [-- name…]`: every bench under bench/ in turn (or those whose name contains a
// filter), each printing its `RESULT …` line; a summary of all RESULT lines at the end.
// BENCH_SMOKE=1 runs them on small sizes (a check that they work, not figures to publish).
import { spawn } from 'node:child_process';

const BENCHES = ['api-hotpath', 'lists', 'css-log-backup', 'cce-snapshot', 'dws-snapshot', 'dcs-slice', 'console-overview'];
const filters = process.argv.slice(2);
const chosen = BENCHES.filter((b) => filters.length === 0 || filters.some((f) => b.includes(f)));
const results = [];
let failed = 0;
for (const name of chosen) {
  console.log(`\n=== bench/${name}.ts ${process.env.BENCH_SMOKE === '1' ? '(smoke)' : ''}`);
  const t = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', `bench/${name}.ts`], { stdio: ['ignore', 'pipe', 'inherit'] });
  let tail = '';
  child.stdout.on('data', (d) => {
    process.stdout.write(d);
    tail = (tail + d).slice(-20000);
  });
  const code = await new Promise((r) => child.on('close', r));
  const lines = tail.split('\n').filter((l) => l.startsWith('RESULT ') || l.startsWith('SKIP '));
  if (code !== 0) {
    failed++;
    results.push(`FAILED ${name} (exit ${code})`);
  } else results.push(...(lines.length ? lines : [`FAILED ${name} (no RESULT line)`]));
  console.log(`=== ${name}: ${((Date.now() - t) / 1000).toFixed(0)} s`);
}
console.log('\n' + results.join('\n'));
process.exit(failed ? 1 : 0);
