#!/usr/bin/env node
// Proves `logsnap/testing` as a user who installed the package gets it: builds, packs (npm pack),
// unpacks into a fresh project (dependencies linked from this checkout's node_modules, so no network),
// then runs a plain-JavaScript node:test suite against it with the official SDK (no tsx, no source
// condition: the compiled dist/) and type-checks a TypeScript user file against its declarations.
// Usage: node scripts/check-package.mjs   (about a minute: the build is most of it; not part of npm test)
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(new URL('..', import.meta.url).pathname);
const run = (cmd, args, cwd = root) => execFileSync(cmd, args, { cwd, stdio: 'inherit' });
const work = mkdtempSync(join(tmpdir(), 'logsnap-package-'));
run('npm', ['run', 'build', '--silent']);
run('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', work]);
const user = join(work, 'user');
const pkg = join(user, 'node_modules', 'logsnap');
mkdirSync(pkg, { recursive: true });
run('tar', ['-xzf', join(work, readdirSync(work).find((f) => f.endsWith('.tgz'))), '-C', pkg, '--strip-components=1']);
for (const name of readdirSync(join(root, 'node_modules'))) {
  if (name !== 'logsnap') symlinkSync(join(root, 'node_modules', name), join(user, 'node_modules', name));
}
writeFileSync(join(user, 'package.json'), JSON.stringify({ name: 'user-suite', type: 'module', private: true }));
writeFileSync(join(user, 'auto.test.js'), `
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials.js';
import { ClientBuilder } from '@huaweicloud/huaweicloud-sdk-core/ClientBuilder.js';
import { startLogsnap } from 'logsnap/testing';

const ls = await startLogsnap();
after(() => ls.close());

test('installed package: an Auto backup brought forward by the test clock, through the SDK', async () => {
  const logDir = mkdtempSync(join(tmpdir(), 'es-'));
  writeFileSync(join(logDir, 'es.log'), 'started\\n');
  const { id } = await ls.registerCluster({ service: 'css', name: 'es', engine: { nodes: [{ name: 'es-1', logDir }] } });
  const css = new ClientBuilder((c) => c).withCredential(new BasicCredentials().withAk(ls.ak).withSk(ls.sk).withProjectId(ls.projectId)).withEndpoint(ls.endpoint + '/css').build();
  const send = (method, url, data) => css.sendRequest({ method, url, contentType: 'application/json', headers: {}, pathParams: { cluster_id: id }, queryParams: {}, ...(data ? { data } : {}) });
  await send('POST', '/v1.0/{project_id}/clusters/{cluster_id}/logs/open', { agency: 'a', log_bucket: 'logs', log_base_path: 'es', auto_enable: true, period: '00:00 GMT+00:00' });
  await ls.clock.advance('1d');
  for (;;) {
    const r = (await send('GET', '/v1.0/{project_id}/clusters/{cluster_id}/logs/records')).clusterLogRecord[0];
    if (r.status !== 'RUNNING') return assert.deepEqual([r.jobTypes, r.status], ['Auto', 'SUCCESS']);
    await new Promise((res) => setTimeout(res, 50));
  }
});
`);
writeFileSync(join(user, 'typed.ts'), `
import { startLogsnap, type Logsnap, type FaultRule } from 'logsnap/testing';
const ls: Logsnap = await startLogsnap({ logLevel: 'silent' });
const rule: FaultRule = await ls.faults.add({ service: 'css', job: 'css.log-backup', effect: { type: 'fail', message: 'x' } });
const now: number = (await ls.clock.advance('25h')).now;
console.log(rule.id, now);
await ls.close();
`);
writeFileSync(join(user, 'tsconfig.json'), JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true }, files: ['typed.ts'] }));
run(process.execPath, ['--test', 'auto.test.js'], user);
run(join(root, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], user);
console.log(`\nlogsnap/testing works as an installed package (${user})`);
