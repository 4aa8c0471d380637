import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { engines, eventually, startServer } from '../helpers/server.js';
import { testService } from '../helpers/testService.js';
import { op, opError } from '../helpers/sdk.js';

const ECHO = { method: 'POST' as const, url: '/v1.0/{project_id}/test-echo', data: { word: 'hi' } };

for (const { engine, skip } of await engines()) {
  describe(`process roles on ${engine}`, { skip }, () => {
    test('an api process serves the API but runs no job; a worker runs it and serves no service API', async () => {
      const api = await startServer({ engine, services: [testService()], config: { core: { role: 'api' } } });
      try {
        assert.equal(api.rt.runner, undefined);
        assert.equal((await op(api.client(), ECHO)).word, 'hi');
        const job = (await api.rt.queue.enqueue({ kind: 'test.echo', payload: { n: 1 } }))!;
        await new Promise((r) => setTimeout(r, 500));
        assert.equal((await api.rt.queue.get(job.id))!.state, 'QUEUED', 'nobody runs it yet');

        const worker = await startServer({ engine, services: [testService()], config: { core: { role: 'worker' } }, dataDir: api.dataDir, databaseUrl: api.databaseUrl });
        try {
          const done = await eventually(async () => {
            const j = await api.rt.queue.get(job.id);
            return j?.state === 'SUCCEEDED' ? j : undefined;
          }, 20_000, 'the worker to run the job');
          assert.equal(done.lease_owner, null);
          const e = await opError(worker.client(), ECHO);
          assert.equal(e.httpStatusCode, 404, 'service routes are not served by a worker');
          assert.equal((await fetch(`${worker.url}/readyz`)).status, 200);
          assert.match(await (await fetch(`${worker.url}/metrics`)).text(), /logsnap_jobs/);
        } finally {
          await worker.close({ keep: true });
        }
      } finally {
        await api.close();
      }
    });
  });
}
