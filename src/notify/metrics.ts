import { Counter, type Registry } from 'prom-client';
import type { AuditMetrics } from '../audit/trail.js';

/** Metrics of the audit trail and webhook delivery, registered in the app's registry. */
export function notifyMetrics(registry: Registry) {
  const auditRows = new Counter({
    name: 'logsnap_audit_rows_written_total',
    help: 'Audit rows written by this process, by outcome of the audited call (ok, rejected = 4xx, error = 5xx)',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const auditFailures = new Counter({
    name: 'logsnap_audit_write_failures_total',
    help: 'Audit rows this process could not write (logged with the request id)',
    registers: [registry],
  });
  const deliveries = new Counter({
    name: 'logsnap_webhook_deliveries_total',
    help: 'Webhook delivery attempts by outcome: delivered, failed (will be retried), refused (SSRF guard), cancelled, gave_up',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const events = new Counter({
    name: 'logsnap_webhook_events_total',
    help: 'Events written for at least one subscription, by type',
    labelNames: ['type'],
    registers: [registry],
  });
  const audit: AuditMetrics = { written: (outcome) => auditRows.inc({ outcome }), failed: () => auditFailures.inc() };
  return { audit, deliveries, events };
}
export type NotifyMetrics = ReturnType<typeof notifyMetrics>;
