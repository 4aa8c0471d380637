import { Type } from '@sinclair/typebox';
import { defineSection } from '../config/section.js';

export const storageSection = defineSection({
  key: 'storage',
  schema: Type.Object(
    {
      driver: Type.Union([Type.Literal('fs'), Type.Literal('s3')], { default: 'fs' }),
      /** fs driver: folder holding one sub-folder per bucket; default: <dataDir>/objects */
      root: Type.Optional(Type.String({ minLength: 1 })),
      /** signed download links: lifetime in seconds (DCS documents 24 h) */
      linkTtlSeconds: Type.Integer({ default: 86400, minimum: 1, maximum: 604800 }),
      s3: Type.Optional(
        Type.Object(
          {
            endpoint: Type.Optional(Type.String({ pattern: '^https?://' })),
            region: Type.String({ default: 'us-east-1', minLength: 1 }),
            bucket: Type.String({ minLength: 3 }),
            accessKeyId: Type.Optional(Type.String({ minLength: 1 })),
            secretAccessKey: Type.Optional(Type.String({ minLength: 1 })),
            forcePathStyle: Type.Boolean({ default: true }),
            partSizeMb: Type.Integer({ default: 8, minimum: 5, maximum: 512 }),
          },
          { additionalProperties: false },
        ),
      ),
    },
    { additionalProperties: false },
  ),
  env: {
    LOGSNAP_STORAGE: 'driver',
    LOGSNAP_STORAGE_ROOT: 'root',
    LOGSNAP_LINK_TTL_SECONDS: 'linkTtlSeconds',
    LOGSNAP_S3_ENDPOINT: 's3.endpoint',
    LOGSNAP_S3_REGION: 's3.region',
    LOGSNAP_S3_BUCKET: 's3.bucket',
    LOGSNAP_S3_ACCESS_KEY_ID: 's3.accessKeyId',
    LOGSNAP_S3_SECRET_ACCESS_KEY: 's3.secretAccessKey',
    LOGSNAP_S3_FORCE_PATH_STYLE: 's3.forcePathStyle',
  },
});
