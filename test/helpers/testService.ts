/**
 * A service module with test job kinds, for exercising the platform's job runner through a
 * real runtime (real database, real object store, real worker loop).
 */
import { Readable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import { defineRoute } from '../../src/http/route.js';
import type { ServiceModule } from '../../src/services/types.js';
import { cssEngineSpec } from '../../src/services/css/engine.js';
import { JobFailure } from '../../src/jobs/runner.js';
import type { Schedule } from '../../src/jobs/scheduler.js';

export interface TestServiceState {
  failed: { id: string; message: string }[];
  runs: string[];
}

export function testService(state: TestServiceState = { failed: [], runs: [] }, schedules: Schedule[] = []): ServiceModule {
  return {
    name: 'css',
    title: 'test service',
    migrations: {},
    engine: cssEngineSpec,
    create: (deps) => ({
      routes: [
        defineRoute({
          operationId: 'TestEcho', method: 'POST', url: '/v1.0/:project_id/test-echo', summary: 'echo (tests)',
          schema: {
            params: Type.Object({ project_id: Type.String() }),
            querystring: Type.Object({ n: Type.Optional(Type.Integer({ minimum: 1, maximum: 10 })) }),
            body: Type.Optional(Type.Object({ word: Type.String({ maxLength: 8 }) })),
            response: { 200: Type.Object({ project: Type.String(), word: Type.Union([Type.String(), Type.Null()]), n: Type.Integer() }) },
          },
          handler: async (req) => ({ project: req.caller!.projectId, word: req.body?.word ?? null, n: req.query.n ?? 1 }),
        }),
      ],
      schedules,
      jobKinds: [
        {
          kind: 'test.echo',
          retryable: false,
          run: async (ctx) => {
            state.runs.push(ctx.job.id);
            ctx.progress(50);
            return { echo: ctx.payload };
          },
        },
        {
          kind: 'test.fail',
          retryable: false,
          run: async (ctx) => {
            throw new JobFailure((ctx.payload as { message: string }).message);
          },
          onFailed: async (job, message) => {
            state.failed.push({ id: job.id, message });
          },
        },
        {
          kind: 'test.crash',
          retryable: false,
          run: async () => {
            throw new TypeError('cannot read properties of undefined');
          },
        },
        {
          // writes one object slowly: <seconds> of 64 KiB chunks every 20 ms
          kind: 'test.slow-put',
          retryable: false,
          run: async (ctx) => {
            const { seconds, key } = ctx.payload as { seconds: number; key: string };
            const total = Math.ceil((seconds * 1000) / 20);
            let i = 0;
            const body = new Readable({
              read() {
                if (i >= total) return this.push(null);
                setTimeout(() => {
                  i++;
                  ctx.progress((i / total) * 100);
                  this.push(Buffer.alloc(65536, i % 251));
                }, 20);
              },
            });
            const r = await deps.store.put('crash-test', key, body, { signal: ctx.signal });
            return r;
          },
          onFailed: async (job, message) => {
            state.failed.push({ id: job.id, message });
          },
        },
        {
          kind: 'test.retryable',
          retryable: true,
          maxAttempts: 3,
          run: async (ctx) => {
            state.runs.push(`${ctx.job.id}#${ctx.job.attempts}`);
            return { attempt: ctx.job.attempts };
          },
        },
        {
          // marks a row in `meta` in the job's final transaction; payload.fail makes the step throw after writing
          kind: 'test.commit',
          retryable: false,
          run: async (ctx) => {
            const { key, fail } = ctx.payload as { key: string; fail?: boolean };
            ctx.onCommit(async (trx) => {
              await trx.insertInto('meta').values({ key, value: ctx.job.id }).execute();
              if (fail) throw new JobFailure('the record could not be finished');
            });
            return { key };
          },
        },
        {
          kind: 'test.wait-abort',
          retryable: false,
          run: (ctx) =>
            new Promise((_resolve, reject) => {
              ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason));
            }),
        },
      ],
    }),
  };
}
