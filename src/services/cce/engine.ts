import { Type, type Static } from '@sinclair/typebox';
import type { EngineSpec } from '../../clusters/clusters.js';
import { probeCce } from './probe.js';

/**
 * A CCE cluster: the etcd endpoints of its masters, with optional TLS client material (PEM text)
 * and optional etcd user credentials. `autopilot: true` marks a CCE Autopilot cluster: it is served
 * by the /autopilot/v3.1/… operations only, a standard cluster by the /api/v3.1/… ones only.
 */
export const CceEngine = Type.Object(
  {
    endpoints: Type.Array(Type.String({ pattern: '^https?://[^/]+$' }), { minItems: 1, maxItems: 16 }),
    tls: Type.Optional(
      Type.Object(
        { ca: Type.Optional(Type.String({ minLength: 1 })), cert: Type.Optional(Type.String({ minLength: 1 })), key: Type.Optional(Type.String({ minLength: 1 })) },
        { additionalProperties: false },
      ),
    ),
    username: Type.Optional(Type.String({ minLength: 1 })),
    password: Type.Optional(Type.String({ minLength: 1 })),
    autopilot: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type CceEngineT = Static<typeof CceEngine>;

export const cceEngineSpec: EngineSpec = {
  schema: CceEngine,
  defaultStatus: 'Available',
  probe: probeCce,
  variant: (e) => ((e as { autopilot?: boolean }).autopilot === true ? 'autopilot' : 'standard'),
  redact: (e) => {
    const eng = e as { tls?: { key?: string }; password?: string };
    return { ...eng, ...(eng.tls ? { tls: { ...eng.tls, ...(eng.tls.key ? { key: '***' } : {}) } } : {}), ...(eng.password ? { password: '***' } : {}) };
  },
};
