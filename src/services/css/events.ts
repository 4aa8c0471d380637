import type { JobEventSpec } from '../../notify/jobEvents.js';

/** Webhook events of the CSS log backup job: logsnap.css.backup.{started,succeeded,failed}. */
export const backupEvents: JobEventSpec<{ recordId: string }> = {
  service: 'css', family: 'backup', operation: 'CreateLogBackup', resource: 'record',
  subject: (_job, p) => p.recordId,
  // the manifest names every stored file with its size and sha256; its own size and sha256 fingerprint the backup
  artifacts: (r: { manifest: string; manifestSize?: number; manifestSha256?: string | null }) => {
    const slash = r.manifest.indexOf('/');
    return [{ bucket: r.manifest.slice(0, slash), key: r.manifest.slice(slash + 1), size: r.manifestSize ?? 0, sha256: r.manifestSha256 ?? null }];
  },
  details: (r: { recordId: string; totals: unknown }) => ({ record_id: r.recordId, totals: r.totals }),
};
