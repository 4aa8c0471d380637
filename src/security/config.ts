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
      /**
       * Credential/token lookups are cached per process; the cache is checked against the database's
       * auth version at most this often (ms). A key deleted through another process stops working here
       * within this bound. 0 disables the cache.
       */
      authCacheMs: Type.Integer({ default: 1000, minimum: 0, maximum: 60000 }),
    },
    { additionalProperties: false },
  ),
  env: {
    LOGSNAP_MASTER_KEY: 'masterKey',
    LOGSNAP_ADMIN_TOKEN: 'adminToken',
    LOGSNAP_MAX_CLOCK_SKEW_SECONDS: 'maxClockSkewSeconds',
    LOGSNAP_AUTH_CACHE_MS: 'authCacheMs',
  },
});
