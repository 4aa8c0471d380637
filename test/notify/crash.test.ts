import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPgDatabase, engines, eventually, startServer } from '../helpers/server.js';
import { startReceiver } from '../helpers/webhookReceiver.js';
import { deliveries, docsVerifier, FAST_WEBHOOKS, ping, subscribe } from './helpers.js';

const child = fileURLToPath(new URL('./crash-child.ts', import.meta.url));
const SECRET = 'whsec-crash-test-secret-00001';
const verify = await docsVerifier();

// A process SIGKILLed while a delivery is in flight: after a restart on the same database the
// event is delivered with the same id (at least once); two processes deliver each event once.
for (const { engine, skip } of await engines()) {
  describe(`webhook delivery across processes on ${engine}`, { skip }, () => {
    test('SIGKILL mid-delivery: delivered after a restart, with the same event id', async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'notify-crash-'));
      const pgdb = engine === 'postgres' ? await createPgDatabase('notify_crash') : undefined;
      const databaseUrl = pgdb?.url ?? `sqlite:${join(dataDir, 'logsnap.db')}`;
      const rx = await startReceiver(SECRET, verify, { mode: 'hang' });
      const proc = spawn(process.execPath, ['--import', 'tsx', child, dataDir, databaseUrl], { stdio: ['ignore', 'pipe', 'inherit'] });
      try {
        const info = await new Promise<{ url: string; projectId: string }>((resolve, reject) => {
          let buf = '';
          proc.stdout!.on('data', (d) => {
            buf += d;
            if (buf.includes('\n')) resolve(JSON.parse(buf.split('\n')[0]));
          });
          proc.on('exit', (code) => reject(new Error(`child exited early with ${code}`)));
        });
        const id = await subscribe(info, info.projectId, { url: rx.url, secret: SECRET });
        const eventId = (await ping(info, info.projectId, id)).body.event_id;
        // the child has sent the request and waits for the answer: kill it there
        await eventually(async () => rx.arrivals.includes(eventId), 10_000, 'the child to be mid-delivery');
        proc.kill('SIGKILL');
        await new Promise((r) => proc.once('exit', r));
        rx.mode = 'ok';
        assert.equal(rx.received.length, 0);

        const s = await startServer({ engine, dataDir, databaseUrl, config: { webhooks: FAST_WEBHOOKS, jobs: { leaseSeconds: 3 } } });
        try {
          // the dead process's lease (attempt timeout + lease grace) runs out; the restarted one delivers
          const got = await eventually(async () => rx.received.find((r) => r.id === eventId), 20_000, 'the delivery after the restart');
          assert.equal(got.verified, true, got.verifyError);
          assert.equal(got.event.id, eventId, 'the same event id');
          assert.equal(got.headers['logsnap-delivery-attempt'], '2', 'the killed attempt counted');
          assert.deepEqual(rx.arrivals.filter((a) => a === eventId).length, 2, 'sent twice: at least once');
          const d = await eventually(async () => {
            const [x] = await deliveries(s, s.projectId, id);
            return x?.status === 'DELIVERED' ? x : undefined;
          }, 5000, 'the delivery recorded');
          assert.equal(d.event_id, eventId);
          assert.deepEqual(d.attempt_log.map((a: any) => [a.attempt, a.status_code]), [[2, 204]], 'the killed attempt left no record; the next one did');
        } finally {
          await s.close({ keep: true });
        }
      } finally {
        if (proc.exitCode === null) proc.kill('SIGKILL');
        await rx.close();
        await pgdb?.drop();
        rmSync(dataDir, { recursive: true, force: true });
      }
    });

    test('two processes on one database deliver each event once', async () => {
      const rx = await startReceiver(SECRET, verify);
      const a = await startServer({ engine, config: { webhooks: FAST_WEBHOOKS, jobs: { outboxConcurrency: 2 } } });
      const b = await startServer({ engine, dataDir: a.dataDir, databaseUrl: a.databaseUrl, config: { webhooks: FAST_WEBHOOKS, jobs: { outboxConcurrency: 2 } } });
      try {
        const id = await subscribe(a, a.projectId, { url: rx.url, secret: SECRET });
        const sent: string[] = [];
        for (let i = 0; i < 30; i++) sent.push((await ping(i % 2 ? a : b, a.projectId, id)).body.event_id);
        await eventually(async () => sent.every((e) => rx.received.some((r) => r.id === e)), 20_000, 'every event');
        // settle: nothing more arrives once every delivery is recorded
        await eventually(async () => (await deliveries(a, a.projectId, id)).every((d) => d.status === 'DELIVERED'), 10_000, 'every delivery recorded');
        assert.equal(rx.arrivals.length, sent.length);
        for (const e of sent) assert.equal(rx.countById().get(e), 1, `event ${e}`);
        assert.ok(rx.received.every((r) => r.verified));
        const workers = new Set((await a.rt.db.kysely.selectFrom('webhook_attempts').select('worker').execute()).map((w) => w.worker));
        assert.ok([...workers].every((w) => w === a.rt.outbox.owner || w === b.rt.outbox.owner));
      } finally {
        await b.close({ keep: true });
        await a.close();
        await rx.close();
      }
    });
  });
}
