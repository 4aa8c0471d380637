import { Type } from '@sinclair/typebox';
import { defineSection } from '../config/section.js';

export const securitySection = defineSection({
  key: 'security',
  schema: Type.Object(
    {
      /** 32 bytes, base64 or hex. Encrypts SKs and engine passwords at rest. Default: generated into <dataDir>/master.key */
      masterKey: Type.Optional(Type.String({ pattern: '^([0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=)$' })),
      /** Token for the admin API (Authorization: Bearer ...). Default: generated at first start into <dataDir>/admin-token */
      adminToken: Type.Optional(Type.String({ minLength: 16 })),
      /** Allowed clock skew of X-Sdk-Date, seconds (Huawei gateway: 15 min) */
      maxClockSkewSeconds: Type.Integer({ default: 900, minimum: 1, maximum: 86400 }),
    },
    { additionalProperties: false },
  ),
  env: {
    LOGSNAP_MASTER_KEY: 'masterKey',
    LOGSNAP_ADMIN_TOKEN: 'adminToken',
    LOGSNAP_MAX_CLOCK_SKEW_SECONDS: 'maxClockSkewSeconds',
  },
});
