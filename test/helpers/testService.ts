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
import type { OutboxContext } from '../../src/jobs/outbox.js';

export interface TestServiceState {
  failed: { id: string; message: string }[];
  runs: string[];
  /** test.fail-step: how many more times its failure step throws (per job id) */
  failStepThrows?: Map<string, number>;
  /** outbox topic test.flaky: attempts per item (id → attempt numbers), failures still to give */
  outbox?: OutboxTestState;
}

/** What the test outbox topics saw: attempts and dispatcher per item, attempts of one item overlapping. */
export interface OutboxTestState {
  attempts: Map<string, number[]>;
  by: Map<string, string[]>;
  /** attempts that fail before one succeeds */
  failFirst: number;
  running: Set<string>;
  overlaps: number;
}

export function outboxTestState(failFirst: number): OutboxTestState {
  return { attempts: new Map(), by: new Map(), failFirst, running: new Set(), overlaps: 0 };
}

export function testService(state: TestServiceState = { failed: [], runs: [] }, schedules: Schedule[] = []): ServiceModule {
  const flaky = async (payload: { ms?: number; always?: boolean }, ctx: OutboxContext, owner: string) => {
    const o = state.outbox;
    if (!o) throw new Error('no outbox state');
    o.attempts.set(ctx.id, [...(o.attempts.get(ctx.id) ?? []), ctx.attempt]);
    o.by.set(ctx.id, [...(o.by.get(ctx.id) ?? []), owner]);
    if (o.running.has(ctx.id)) o.overlaps++;
    o.running.add(ctx.id);
    try {
      if (payload.ms) await new Promise((r) => setTimeout(r, payload.ms));
      if (payload.always || ctx.attempt <= o.failFirst) throw new Error(`flaky failure ${ctx.attempt}`);
    } finally {
      o.running.delete(ctx.id);
    }
  };
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
      outboxHandlers: [
        // test.flaky fails its first `failFirst` attempts (every attempt with payload.always), then
        // succeeds; test.doomed is the same with a give-up limit of 120 ms after it was added
        { topic: 'test.flaky', retry: { baseMs: 100, maxMs: 1000, giveUpAfterMs: 3_600_000, timeoutMs: 5000 }, run: (p, ctx) => flaky(p, ctx, deps.outbox.owner) },
        { topic: 'test.doomed', retry: { baseMs: 100, maxMs: 1000, giveUpAfterMs: 120, timeoutMs: 5000 }, run: (p, ctx) => flaky(p, ctx, deps.outbox.owner) },
        {
          // never finishes on its own; stops when its signal aborts (the attempt timeout)
          topic: 'test.hang',
          retry: { baseMs: 60_000, maxMs: 60_000, giveUpAfterMs: 3_600_000, timeoutMs: 200 },
          run: (_payload, ctx) =>
            new Promise<void>((_resolve, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true })),
        },
      ],
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
          onFail: async (trx, job, message) => {
            await trx.insertInto('meta').values({ key: `failed:${job.id}`, value: message }).execute();
            state.failed.push({ id: job.id, message });
          },
        },
        {
          // fails; its failure step writes a row with trx and then throws as often as failStepThrows says
          kind: 'test.fail-step',
          retryable: true,
          run: async (ctx) => {
            throw new JobFailure((ctx.payload as { message: string }).message);
          },
          onFail: async (trx, job, message) => {
            await trx.insertInto('meta').values({ key: `failed:${job.id}`, value: message }).execute();
            const left = state.failStepThrows?.get(job.id) ?? 0;
            state.failed.push({ id: job.id, message });
            if (left > 0) {
              state.failStepThrows!.set(job.id, left - 1);
              throw new Error('the record row is locked (test)');
            }
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
          onFail: async (_trx, job, message) => {
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
