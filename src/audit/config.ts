import { Type } from '@sinclair/typebox';
import { defineSection } from '../config/section.js';

export const auditSection = defineSection({
  key: 'audit',
  schema: Type.Object(
    {
      /** audit rows older than this are deleted by the scheduler */
      retentionDays: Type.Integer({ default: 90, minimum: 1, maximum: 36500 }),
    },
    { additionalProperties: false },
  ),
  env: {
    LOGSNAP_AUDIT_RETENTION_DAYS: 'retentionDays',
  },
});
