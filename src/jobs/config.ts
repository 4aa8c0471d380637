import { Type } from '@sinclair/typebox';
import { defineSection } from '../config/section.js';

export const jobsSection = defineSection({
  key: 'jobs',
  schema: Type.Object(
    {
      /** jobs run at once by this process */
      concurrency: Type.Integer({ default: 2, minimum: 1, maximum: 64 }),
      /** a running job's lease; renewed by heartbeats every leaseSeconds/3 */
      leaseSeconds: Type.Integer({ default: 30, minimum: 3, maximum: 600 }),
      /** idle poll interval for new jobs, ms */
      pollMs: Type.Integer({ default: 500, minimum: 20, maximum: 60000 }),
      /** on shutdown, how long running jobs may take to finish before they are released */
      drainSeconds: Type.Integer({ default: 30, minimum: 0, maximum: 3600 }),
      /** scheduler tick (periodic jobs), seconds */
      scheduleSeconds: Type.Integer({ default: 15, minimum: 1, maximum: 3600 }),
      /** outbox items (after-commit tasks: clean-up, notifications) worked at once by this process */
      outboxConcurrency: Type.Integer({ default: 4, minimum: 1, maximum: 64 }),
      /** temporary files / staging objects / multipart uploads untouched this long are interrupted puts: removed */
      tempMaxAgeSeconds: Type.Integer({ default: 900, minimum: 1, maximum: 7 * 86400 }),
      /** the reconciler removes objects under a job prefix no record claims once they are this old */
      orphanGraceSeconds: Type.Integer({ default: 600, minimum: 0, maximum: 30 * 86400 }),
      /** how often (once across processes) the reconciler lists the stores for orphaned objects */
      reconcileObjectsSeconds: Type.Integer({ default: 300, minimum: 1, maximum: 86400 }),
    },
    { additionalProperties: false },
  ),
  env: {
    LOGSNAP_JOB_CONCURRENCY: 'concurrency',
    LOGSNAP_JOB_LEASE_SECONDS: 'leaseSeconds',
    LOGSNAP_JOB_POLL_MS: 'pollMs',
    LOGSNAP_JOB_DRAIN_SECONDS: 'drainSeconds',
    LOGSNAP_SCHEDULE_SECONDS: 'scheduleSeconds',
    LOGSNAP_OUTBOX_CONCURRENCY: 'outboxConcurrency',
    LOGSNAP_TEMP_MAX_AGE_SECONDS: 'tempMaxAgeSeconds',
    LOGSNAP_ORPHAN_GRACE_SECONDS: 'orphanGraceSeconds',
    LOGSNAP_RECONCILE_OBJECTS_SECONDS: 'reconcileObjectsSeconds',
  },
});
