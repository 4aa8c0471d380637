import { AsyncLocalStorage } from 'node:async_hooks';
import type { JobRow } from './queue.js';
import type { JobContext } from './runner.js';

/**
 * Which job the current code runs for. The runner runs each `kind.run` inside `runInJob`, so
 * code below a job (adapter wrappers such as the test-mode fault store) can ask `currentJob()`
 * without the job being threaded through every call. Outside a job it is undefined.
 */
export interface JobScope {
  job: JobRow;
  /** the runner's context of this job */
  ctx: JobContext;
  /**
   * While set, every progress the job reports is replaced by this value (a test-mode hold shows
   * the held progress, whatever the service computes meanwhile). Never set in production.
   */
  progressOverride?: number;
  /** free slots for wrappers that keep per-job state (e.g. the test-mode faults) */
  extras: Map<string, unknown>;
}

const als = new AsyncLocalStorage<JobScope>();

/**
 * Run a job kind's handler as the current job. The handler gets a context whose `progress`
 * honours `progressOverride`; everything else is the runner's context as is.
 */
export function runInJob<T>(job: JobRow, ctx: JobContext, run: (ctx: JobContext) => Promise<T>): Promise<T> {
  const scope: JobScope = { job, ctx, extras: new Map() };
  const scoped: JobContext = { ...ctx, progress: (pct: number) => ctx.progress(scope.progressOverride ?? pct) };
  return als.run(scope, () => run(scoped));
}

/** The job being run, or undefined outside one (HTTP requests, the scheduler). */
export function currentJob(): JobScope | undefined {
  return als.getStore();
}
