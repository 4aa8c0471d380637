import { Type } from '@sinclair/typebox';
import { redactUrlPassword } from '../../security/redact.js';
import type { EngineSpec } from '../../clusters/clusters.js';

/** A DWS cluster: a PostgreSQL connection URL (DWS is PostgreSQL-derived). */
export const DwsEngine = Type.Object(
  { url: Type.String({ pattern: '^postgres(ql)?://' }) },
  { additionalProperties: false },
);

export const dwsEngineSpec: EngineSpec = {
  schema: DwsEngine,
  defaultStatus: 'AVAILABLE',
  redact: (e) => ({ ...(e as object), url: redactUrlPassword((e as { url: string }).url) }),
};
