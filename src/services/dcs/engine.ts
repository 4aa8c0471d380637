import { Type } from '@sinclair/typebox';
import { redactUrlPassword } from '../../security/redact.js';
import type { EngineSpec } from '../../clusters/clusters.js';

/** A DCS instance: its Redis nodes (replicas) and where each writes its log. */
export const DcsEngine = Type.Object(
  {
    nodes: Type.Array(
      Type.Object(
        {
          replicationId: Type.String({ minLength: 1, maxLength: 64 }),
          ip: Type.String({ minLength: 1, maxLength: 64 }),
          url: Type.String({ pattern: '^rediss?://' }),
          logFile: Type.Optional(Type.String({ minLength: 1 })),
          groupName: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 200 },
    ),
  },
  { additionalProperties: false },
);

export const dcsEngineSpec: EngineSpec = {
  schema: DcsEngine,
  defaultStatus: 'RUNNING',
  redact: (e) => {
    const eng = e as { nodes: { url: string }[] };
    return { ...eng, nodes: eng.nodes.map((n) => ({ ...n, url: redactUrlPassword(n.url) })) };
  },
};
