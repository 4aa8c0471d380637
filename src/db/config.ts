import { Type } from '@sinclair/typebox';
import { defineSection } from '../config/section.js';

export const databaseSection = defineSection({
  key: 'database',
  schema: Type.Object(
    {
      /** `postgres://user:pass@host:5432/db` or `sqlite:/path/file.db`; default: sqlite file under dataDir */
      url: Type.Optional(Type.String({ pattern: '^(postgres(ql)?://.+|sqlite:.+)$' })),
      poolSize: Type.Integer({ default: 10, minimum: 1, maximum: 200 }),
    },
    { additionalProperties: false },
  ),
  env: { DATABASE_URL: 'url', LOGSNAP_DB_POOL_SIZE: 'poolSize' },
});
