#!/usr/bin/env node
// Summarise a V8 .cpuprofile: self time by function and by package, plus (idle)/(program)/(garbage collector).
// Usage: node scripts/cpuprofile-summary.mjs FILE.cpuprofile [top=30]
import { readFileSync } from 'node:fs';
const [file, topArg] = process.argv.slice(2);
const p = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = p.timeDeltas;
for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + (dt[i] ?? 0));
let total = 0;
for (const v of self.values()) total += v;
const fn = new Map();
const pkg = new Map();
for (const [id, t] of self) {
  const n = byId.get(id);
  const cf = n.callFrame;
  const url = cf.url || '';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  const where = m ? m[1] : url.includes('/src/') ? 'src/' + url.split('/src/')[1] : url.startsWith('node:') ? url : url ? 'other' : cf.functionName || '(native)';
  const key = `${cf.functionName || '(anon)'} ${url.split('/').slice(-2).join('/')}:${cf.lineNumber + 1}`;
  fn.set(key, (fn.get(key) ?? 0) + t);
  pkg.set(where, (pkg.get(where) ?? 0) + t);
}
const top = Number(topArg ?? 30);
const pct = (t) => ((100 * t) / total).toFixed(1).padStart(5) + '%';
console.log(`total ${(total / 1e6).toFixed(2)} s sampled`);
console.log('--- by package / file');
for (const [k, t] of [...pkg].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(pct(t), k);
console.log('--- by function (self)');
for (const [k, t] of [...fn].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(pct(t), k);
