import { Type } from '@sinclair/typebox';
import { defineSection } from '../config/section.js';

export const webhooksSection = defineSection({
  key: 'webhooks',
  schema: Type.Object(
    {
      /**
       * Deliver to private, loopback, link-local, unique-local, multicast and unspecified addresses
       * (refused by default: the SSRF guard). Only for receivers on a trusted network.
       */
      allowPrivate: Type.Boolean({ default: false }),
      /** one delivery attempt's limit (connect, send, answer), seconds */
      timeoutSeconds: Type.Number({ default: 10, minimum: 0.1, maximum: 300 }),
      /** a delivery is retried for this long after its event, then given up, seconds (24 h) */
      retryForSeconds: Type.Number({ default: 86400, minimum: 1, maximum: 30 * 86400 }),
      /** the first retry's back-off; doubled per attempt, with jitter, up to backoffMaxMs */
      backoffBaseMs: Type.Integer({ default: 5000, minimum: 10, maximum: 3_600_000 }),
      backoffMaxMs: Type.Integer({ default: 3_600_000, minimum: 10, maximum: 86_400_000 }),
      /** events, deliveries and their attempts are kept this long after they were created */
      retentionDays: Type.Integer({ default: 30, minimum: 1, maximum: 3650 }),
    },
    { additionalProperties: false },
  ),
  env: {
    LOGSNAP_WEBHOOKS_ALLOW_PRIVATE: 'allowPrivate',
    LOGSNAP_WEBHOOKS_TIMEOUT_SECONDS: 'timeoutSeconds',
    LOGSNAP_WEBHOOKS_RETRY_FOR_SECONDS: 'retryForSeconds',
    LOGSNAP_WEBHOOKS_BACKOFF_BASE_MS: 'backoffBaseMs',
    LOGSNAP_WEBHOOKS_BACKOFF_MAX_MS: 'backoffMaxMs',
    LOGSNAP_WEBHOOKS_RETENTION_DAYS: 'retentionDays',
  },
});
