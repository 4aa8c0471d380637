import { Type } from '@sinclair/typebox';
import type { FaultRule } from './faults.js';

/** Schemas of the test-lever admin API (docs/testing.md). */
export const ClockView = Type.Object({
  now: Type.Number({ description: 'test time, epoch ms' }),
  offset_ms: Type.Number({ description: 'how far the test clock is ahead of the wall clock' }),
});

export const AdvanceView = ClockView;

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const FaultEffectSchema = Type.Object(
  {
    type: Type.Union(['error', 'latency', 'fail', 'hold', 'slow'].map((t) => Type.Literal(t))),
    status: Type.Optional(Type.Integer({ description: 'error: HTTP status (400–599)' })),
    error_code: Type.Optional(Type.String({ description: 'error: the service code, e.g. CSS.0011' })),
    error_msg: Type.Optional(Type.String({ description: 'error: the message' })),
    ms: Type.Optional(Type.Integer({ description: 'latency: milliseconds added' })),
    message: Type.Optional(Type.String({ description: 'fail: the failure message' })),
    progress: Type.Optional(Type.Number({ description: 'hold: the progress shown while held (0–99)' })),
    bytes_per_second: Type.Optional(Type.Integer({ description: 'slow: the write rate' })),
  },
  { additionalProperties: false },
);

export const FaultInputSchema = Type.Object(
  {
    service: Type.String({ description: 'css, dcs, cce or dws' }),
    operation: Type.Optional(Type.String({ description: 'API faults: the SDK operation id, e.g. CreateLogBackup' })),
    job: Type.Optional(Type.String({ description: 'job faults: the job kind, e.g. css.log-backup' })),
    project_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    cluster_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    object: Type.Optional(Type.String({ minLength: 1, maxLength: 1024, description: 'job faults: only writes of object keys containing this text' })),
    count: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'how many times it fires (default 1)' })),
    effect: FaultEffectSchema,
  },
  { additionalProperties: false },
);

export const FaultView = Type.Object({
  id: Type.String(),
  service: Type.String(),
  operation: Nullable(Type.String()),
  job: Nullable(Type.String()),
  project_id: Nullable(Type.String()),
  cluster_id: Nullable(Type.String()),
  object: Nullable(Type.String()),
  effect: Type.Record(Type.String(), Type.Unknown()),
  count: Type.Integer(),
  fired: Type.Integer({ description: 'how often it fired so far' }),
  released: Type.Boolean(),
  created_at: Type.Number(),
});

export function faultView(r: FaultRule) {
  return { ...r, effect: r.effect as unknown as Record<string, unknown> };
}

export const FaultIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export const ResetInput = Type.Optional(Type.Object({ project_id: Type.Optional(Type.String({ pattern: '^[a-f0-9]{32}$' })) }, { additionalProperties: false }));
export const ResetView = Type.Object({ tables: Type.Record(Type.String(), Type.Integer()), objects: Type.Integer() });

export const StateSummaryView = Type.Object({ tables: Type.Integer(), rows: Type.Integer(), objects: Type.Integer(), bytes: Type.Number() });
