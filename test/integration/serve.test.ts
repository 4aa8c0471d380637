import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_ARGS, ROOT } from '../helpers/cli.js';


/** Start `logsnap serve`, wait for the banner, stop it with SIGTERM. */
async function serveOnce(dataDir: string): Promise<{ banner: string; code: number | null }> {
  const p = spawn(process.execPath, [...CLI_ARGS, 'serve'], {
    env: { ...process.env, LOGSNAP_DATA_DIR: dataDir, LOGSNAP_PORT: '0', LOGSNAP_LOG_LEVEL: 'silent', DATABASE_URL: '' },
    cwd: ROOT,
  });
  let out = '';
  p.stderr.on('data', (d) => (out += d));
  await new Promise<void>((resolve, reject) => {
    p.stdout.on('data', (d) => {
      out += d;
      if (out.includes('Try it') || (out.includes('listening on') && out.includes('access key'))) resolve();
    });
    p.on('exit', (c) => reject(new Error(`serve exited with ${c}: ${out}`)));
  });
  await new Promise((r) => setTimeout(r, 100));
  p.kill('SIGTERM');
  const code = await new Promise<number | null>((r) => p.on('exit', r));
  return { banner: out, code };
}

test('first start: project, AK/SK and a first call are printed; credentials persist; the SK is not printed again', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'logsnap-serve-'));
  try {
    const first = await serveOnce(dir);
    assert.equal(first.code, 0, 'SIGTERM shuts down cleanly');
    const project = /project id: ([0-9a-f]{32})/.exec(first.banner)?.[1];
    const ak = /access key: ([A-Z0-9]{20})/.exec(first.banner)?.[1];
    const sk = /secret key: ([A-Za-z0-9]{40})/.exec(first.banner)?.[1];
    assert.ok(project && ak && sk, first.banner);
    assert.match(first.banner, /logsnap call css ListClustersDetails/);
    const profile = JSON.parse(readFileSync(join(dir, 'client.json'), 'utf8'));
    assert.deepEqual([profile.project_id, profile.ak, profile.sk], [project, ak, sk]);
    assert.equal(statSync(join(dir, 'client.json')).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, 'master.key')).mode & 0o777, 0o600);
    const second = await serveOnce(dir);
    assert.ok(second.banner.includes(`access key: ${ak}`), second.banner);
    assert.equal(second.banner.includes(sk), false, 'the SK is shown at first start only');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an invalid configuration stops the start with a message that names the fix', async () => {
  const p = spawn(process.execPath, [...CLI_ARGS, 'serve'], {
    env: { ...process.env, LOGSNAP_PORT: 'eighty', DATABASE_URL: '' },
    cwd: ROOT,
  });
  let err = '';
  p.stderr.on('data', (d) => (err += d));
  const code = await new Promise<number | null>((r) => p.on('exit', r));
  assert.equal(code, 2);
  assert.match(err, /server\.port: .*set LOGSNAP_PORT or server\.port in the config file/);
});
