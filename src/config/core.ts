import { Type } from '@sinclair/typebox';
import { defineSection } from './section.js';

export const coreSection = defineSection({
  key: 'core',
  schema: Type.Object(
    {
      /** where the default SQLite file, object folder, master key and client profile live */
      dataDir: Type.String({ default: './data', minLength: 1 }),
      /** what this process does: the HTTP API, the job worker (jobs + scheduler), or both */
      role: Type.Union([Type.Literal('all'), Type.Literal('api'), Type.Literal('worker')], { default: 'all' }),
      /** on first start create a project with an AK/SK and print them (and the demo cluster) */
      bootstrap: Type.Boolean({ default: true }),
      /** register demo clusters over generated sample data (embedded default only) */
      demo: Type.Boolean({ default: true }),
      /** IANA time zone for timestamps rendered in local time (CCE task times) */
      timeZone: Type.String({ default: 'Asia/Shanghai', minLength: 1 }),
      /**
       * test levers for emulator users (docs/testing.md): a test clock, fault injection, reset and
       * state import under /admin/v1/test/…; off: those endpoints do not exist and time is the system clock
       */
      testMode: Type.Boolean({ default: false }),
    },
    { additionalProperties: false },
  ),
  env: {
    LOGSNAP_DATA_DIR: 'dataDir',
    LOGSNAP_ROLE: 'role',
    LOGSNAP_BOOTSTRAP: 'bootstrap',
    LOGSNAP_DEMO: 'demo',
    LOGSNAP_TIME_ZONE: 'timeZone',
    LOGSNAP_TEST_MODE: 'testMode',
  },
});

/** Projects, credentials and clusters declared in the YAML file; applied idempotently at start. */
export const SeedCluster = Type.Object(
  {
    id: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9-]{0,63}$' })),
    service: Type.Union([Type.Literal('css'), Type.Literal('dcs'), Type.Literal('cce'), Type.Literal('dws')]),
    name: Type.String({ minLength: 1, maxLength: 64 }),
    status: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
    engine: Type.Record(Type.String(), Type.Unknown()),
  },
  { additionalProperties: false },
);
export const SeedProject = Type.Object(
  {
    id: Type.Optional(Type.String({ pattern: '^[a-f0-9]{32}$' })),
    name: Type.String({ minLength: 1, maxLength: 64 }),
    credentials: Type.Optional(
      Type.Array(
        Type.Object(
          {
            ak: Type.String({ pattern: '^[A-Z0-9]{16,40}$' }),
            sk: Type.String({ minLength: 16, maxLength: 128 }),
            description: Type.Optional(Type.String({ maxLength: 255 })),
          },
          { additionalProperties: false },
        ),
      ),
    ),
    clusters: Type.Optional(Type.Array(SeedCluster)),
  },
  { additionalProperties: false },
);
