import { Type } from '@sinclair/typebox';
import { defineSection } from '../config/section.js';

/** The web console (src/console, served at /console) and its live job events. */
export const consoleSection = defineSection({
  key: 'console',
  schema: Type.Object(
    {
      /** serve the web console at /console */
      enabled: Type.Boolean({ default: true }),
      /** folder of the built console (index.html + assets); default: <package>/dist/console (npm run build) */
      dir: Type.Optional(Type.String({ minLength: 1 })),
      /** how often one shared query reads job changes for every live (server-sent events) subscriber, ms */
      liveIntervalMs: Type.Integer({ default: 1000, minimum: 100, maximum: 60000 }),
    },
    { additionalProperties: false },
  ),
  env: {
    LOGSNAP_CONSOLE: 'enabled',
    LOGSNAP_CONSOLE_DIR: 'dir',
    LOGSNAP_CONSOLE_LIVE_MS: 'liveIntervalMs',
  },
});
