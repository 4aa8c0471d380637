import { Type } from '@sinclair/typebox';
import { defineSection } from '../config/section.js';

export const serverSection = defineSection({
  key: 'server',
  schema: Type.Object(
    {
      host: Type.String({ default: '127.0.0.1', minLength: 1 }),
      port: Type.Integer({ default: 8080, minimum: 0, maximum: 65535 }),
      /** Base URL clients use to reach this server (signed download links). Default: http://host:port */
      publicUrl: Type.Optional(Type.String({ pattern: '^https?://[^/]+(/.*)?$' })),
      bodyLimit: Type.Integer({ default: 1048576, minimum: 1024, maximum: 104857600 }),
      /** a request (headers and body) must arrive within this time, or it is answered 408 and closed */
      requestTimeoutSeconds: Type.Integer({ default: 60, minimum: 1, maximum: 3600 }),
      logLevel: Type.Union(
        ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
        { default: 'info' },
      ),
    },
    { additionalProperties: false },
  ),
  env: {
    LOGSNAP_HOST: 'host',
    LOGSNAP_PORT: 'port',
    LOGSNAP_PUBLIC_URL: 'publicUrl',
    LOGSNAP_BODY_LIMIT: 'bodyLimit',
    LOGSNAP_REQUEST_TIMEOUT_SECONDS: 'requestTimeoutSeconds',
    LOGSNAP_LOG_LEVEL: 'logLevel',
  },
});
