/**
 * `logsnap test …` drives the levers of a server in test mode: one real `logsnap` process (the
 * endpoint from data/client.json, the admin token from data/admin-token), the rest of the commands
 * through the same command function in this process (quicker than a process each).
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli } from '../helpers/cli.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { testCommand } from '../../src/cli/test.js';
import { UsageError } from '../../src/cli/usage.js';
import { AdminClient } from '../../src/testmode/adminClient.js';
import { startTestMode } from './helpers.js';

describe('logsnap test', () => {
  let s: TestServer;
  let off: TestServer;
  let admin: AdminClient;
  /** run one `logsnap test …` command against s; code 2 = usage error, 1 = refused by the server */
  const run = async (...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
    const lines: string[] = [];
    try {
      const code = await testCommand([...argv, '--endpoint', s.url, '--admin-token', s.adminToken], (l) => lines.push(l));
      return { code, stdout: lines.join('\n'), stderr: '' };
    } catch (e) {
      return { code: e instanceof UsageError ? 2 : 1, stdout: lines.join('\n'), stderr: (e as Error).message };
    }
  };
  before(async () => {
    [s, off] = await Promise.all([startTestMode(), startServer()]);
    admin = new AdminClient(s.url, s.adminToken);
    // what a first start leaves in the data dir: the profile (written by the server) and the admin token
    writeFileSync(join(s.dataDir, 'admin-token'), `${s.adminToken}\n`);
  });
  after(async () => {
    await s?.close();
    await off?.close();
  });

  test('`logsnap test clock advance 25h` (a real process, finding the server through the data dir)', async () => {
    const r = await cli(['test', 'clock', 'advance', '25h'], { LOGSNAP_DATA_DIR: s.dataDir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^\d{4}-\d\d-\d\dT[\d:.]+Z {2}\(\d+\)\n$/);
    assert.equal((await admin.request<{ offset_ms: number }>('GET', '/admin/v1/test/clock')).offset_ms, 25 * 3_600_000);
  });

  test('fault add / list / release / clear, reset, and the clock', async () => {
    const api = await run('fault', 'add', '--service', 'css', '--operation', 'CreateLogBackup', '--status', '409', '--code', 'CSS.0011', '--count', '2');
    const job = await run('fault', 'add', '--service', 'css', '--job', 'css.log-backup', '--hold', '40', '--cluster', 'c-1');
    const slow = await run('fault', 'add', '--service', 'dws', '--job', 'dws-snapshot', '--slow', '64k');
    const lag = await run('fault', 'add', '--service', 'dcs', '--operation', 'ListRedislog', '--latency', '2s');
    for (const r of [api, job, slow, lag]) assert.equal(r.code, 0, r.stderr);
    const rules = await admin.faults.list();
    assert.deepEqual(rules.map((r) => r.id), [api, job, slow, lag].map((r) => r.stdout));
    assert.deepEqual(rules.map((r) => r.effect), [
      { type: 'error', status: 409, error_code: 'CSS.0011', error_msg: 'Another operation is in progress or the instance is faulty. Try again later.' },
      { type: 'hold', progress: 40 },
      { type: 'slow', bytes_per_second: 65_536 },
      { type: 'latency', ms: 2000 },
    ]);
    assert.equal(rules[1].cluster_id, 'c-1');

    const list = await run('fault', 'list');
    assert.match(list.stdout, new RegExp(`^${api.stdout}  css CreateLogBackup  HTTP 409 CSS\\.0011: Another operation .* fired 0/2$`, 'm'));
    assert.match(list.stdout, /css css\.log-backup, cluster c-1 {2}hold at 40% {2}fired 0\/1$/m);
    assert.equal((await run('fault', 'release', job.stdout)).code, 0);
    assert.equal((await admin.faults.get(job.stdout)).released, true);
    assert.equal((await run('fault', 'clear', slow.stdout)).stdout, `removed ${slow.stdout}`);
    assert.equal((await admin.faults.list()).length, 3);
    assert.equal((await run('fault', 'clear')).code, 0);
    assert.equal((await run('fault', 'list')).stdout, 'no fault rules');

    const reset = await run('reset', '--project', s.projectId);
    assert.match(reset.stdout, /^reset: \d+ row\(s\) in \d+ table\(s\), 0 object\(s\) removed$/);
    assert.match((await run('clock')).stdout, /^\d{4}-\d\d-\d\dT/);
  });

  test('usage errors say what to write; refusals carry the server\'s message', async () => {
    const cases: [string[], number, RegExp][] = [
      [['fault', 'add', '--service', 'css', '--operation', 'CreateLogBackup', '--status', '409', '--latency', '2s'], 2, /exactly one effect/],
      [['fault', 'add', '--operation', 'CreateLogBackup', '--status', '409'], 2, /--service is required/],
      [['fault', 'add', '--service', 'css', '--job', 'css.log-backup', '--slow', 'fast'], 2, /cannot read the rate "fast"/],
      [['fault', 'add', '--service', 'css', '--job', 'css.log-backup', '--fail', 'x', '--colour', 'red'], 2, /unknown option\(s\) --colour/],
      [['clock', 'advance', 'soon'], 2, /cannot read the duration "soon"/],
      [['clock', 'rewind', '1h'], 2, /usage: logsnap test clock advance/],
      [['fault', 'add', '--service', 'css', '--operation', 'Nope', '--status', '500'], 1, /HTTP 400 LOGSNAP\.0400: .*not a css operation/],
      [['fault', 'release', 'nope'], 1, /HTTP 404 LOGSNAP\.0404/],
    ];
    for (const [argv, code, why] of cases) {
      const r = await run(...argv);
      assert.equal(r.code, code, argv.join(' '));
      assert.match(r.stderr, why, argv.join(' '));
    }
    const lines: string[] = [];
    const e = await testCommand(['clock', '--endpoint', off.url, '--admin-token', off.adminToken], (l) => lines.push(l)).catch((err: Error) => err);
    assert.match((e as Error).message, /HTTP 404 LOGSNAP\.0404.*\(is the server running in test mode\? LOGSNAP_TEST_MODE=true\)/);
  });
});
