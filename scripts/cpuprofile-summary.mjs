#!/usr/bin/env node
// Summarise a whole V8 .cpuprofile with the benches' reader (bench/profile.ts): idle, GC and running shares, then
// packages, functions by self time and functions with their callees.
// Usage: node scripts/cpuprofile-summary.mjs FILE.cpuprofile [top=30]
import { register } from 'tsx/esm/api';

register();
const { analyseWindows, formatShare } = await import('../bench/profile.ts');
const [file, topArg] = process.argv.slice(2);
for (const line of formatShare(analyseWindows(file, undefined, Number(topArg ?? 30)), file)) console.log(line);
