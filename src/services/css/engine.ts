import { Type } from '@sinclair/typebox';
import type { EngineSpec } from '../../clusters/clusters.js';
import { probeCss } from './probe.js';

/** A CSS cluster: its nodes and the folder each node writes its logs to. */
export const CssEngine = Type.Object(
  {
    nodes: Type.Array(
      Type.Object(
        {
          name: Type.String({ minLength: 1, maxLength: 64 }),
          ip: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
          logDir: Type.String({ minLength: 1 }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 200 },
    ),
    datastore: Type.Optional(Type.Object({ type: Type.String(), version: Type.String() })),
  },
  { additionalProperties: false },
);

export const cssEngineSpec: EngineSpec = {
  schema: CssEngine,
  defaultStatus: '200',
  redact: (e) => e,
  probe: probeCss,
  // ListClustersDetails filters on the datastore type: kept in plain text (clusters.variant)
  variant: (e) => (e as { datastore?: { type?: string } }).datastore?.type ?? 'elasticsearch',
};
