import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventually, FakeClock, startServer } from '../helpers/server.js';
import { writeLogFile } from '../../src/services/css/sampleLogs.js';
import { listKeys } from './helpers.js';

const child = fileURLToPath(new URL('./crash-child.ts', import.meta.url));

test('a backup killed mid-job ends FAIL after a restart, with a clear message and no object left', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'css-crash-'));
  const logDir = join(dataDir, 'logs');
  try {
    for (let i = 0; i < 8; i++) await writeLogFile(join(logDir, `es.log.${i + 1}`), 40 * 1024 * 1024, { node: 'es-1', seed: i + 1 });
    const databaseUrl = `sqlite:${join(dataDir, 'logsnap.db')}`;
    const proc = spawn(process.execPath, ['--import', 'tsx', child, dataDir, databaseUrl, logDir], { stdio: ['ignore', 'pipe', 'inherit'] });
    const info = await new Promise<{ clusterId: string; jobId: string; projectId: string }>((resolve, reject) => {
      let buf = '';
      proc.stdout!.on('data', (d) => {
        buf += d;
        if (buf.includes('\n')) resolve(JSON.parse(buf.split('\n')[0]));
      });
      proc.on('exit', (code) => reject(new Error(`child exited early with ${code}`)));
    });
    proc.kill('SIGKILL');
    await new Promise((r) => proc.once('exit', r));

    // restart on the same database a minute later (the dead worker's lease has expired)
    const clock = new FakeClock(Date.now() + 60_000);
    const s = await startServer({ engine: 'sqlite', dataDir, databaseUrl, clock, config: { jobs: { leaseSeconds: 6 } } });
    try {
      const before = await listKeys(s, 'css-logs', `css/log/${info.clusterId}/${info.jobId}/`);
      const rec = await eventually(async () => {
        const r = await s.rt.db.kysely.selectFrom('css_log_records').selectAll().where('job_id', '=', info.jobId).executeTakeFirst();
        return r?.status === 'FAIL' ? r : undefined;
      }, 20_000, 'the interrupted backup to be failed by the sweep');
      assert.match(rec.failed_msg ?? '', /stopped responding; its lease expired at .*start it again/);
      assert.equal(typeof rec.finished_at, 'number');
      // deleted by the outbox once the failure committed
      await eventually(async () => (await listKeys(s, 'css-logs', `css/log/${info.clusterId}/${info.jobId}/`)).length === 0, 10_000, `objects to be deleted (there were ${before.length})`);
      const job = await s.rt.queue.get(info.jobId);
      assert.equal(job?.state, 'FAILED');
      assert.equal(job?.active_key, null, 'the cluster can be backed up again');
      // the store's temporary files of the killed put are not objects, and are swept later
      assert.ok(readdirSync(join(dataDir, 'objects')).includes('css-logs'));
    } finally {
      await s.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
