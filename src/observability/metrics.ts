import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { JobQueue } from '../jobs/queue.js';
import type { ObjectStore } from '../storage/objectStore.js';
import type { Outbox } from '../jobs/outbox.js';
import type { Clock } from '../jobs/queue.js';

/** One registry per app instance (tests run several apps in one process). */
export function createMetrics(queue: JobQueue, store: ObjectStore, outbox?: { outbox: Outbox; clock: Clock }) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'logsnap_' });
  const httpDuration = new Histogram({
    name: 'logsnap_http_request_duration_seconds',
    help: 'HTTP request latency by route',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  new Gauge({
    name: 'logsnap_jobs',
    help: 'Jobs in the database by kind and state',
    labelNames: ['kind', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const r of await queue.countsByKindAndState()) this.set({ kind: r.kind, state: r.state }, r.n);
    },
  });
  new Gauge({
    name: 'logsnap_storage_bytes',
    help: 'Bytes held in the object store',
    registers: [registry],
    async collect() {
      this.set((await store.usage()).bytes);
    },
  });
  new Gauge({
    name: 'logsnap_storage_objects',
    help: 'Objects held in the object store',
    registers: [registry],
    async collect() {
      this.set((await store.usage()).objects);
    },
  });
  if (outbox) {
    new Gauge({
      name: 'logsnap_outbox_items',
      help: 'Outbox items (after-commit tasks) waiting (PENDING) or given up (DEAD), by topic',
      labelNames: ['topic', 'state'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const r of (await outbox.outbox.stats()).items) this.set({ topic: r.topic, state: r.state }, r.n);
      },
    });
    new Gauge({
      name: 'logsnap_outbox_oldest_pending_seconds',
      help: 'Age of the oldest PENDING outbox item (0 when none waits)',
      registers: [registry],
      async collect() {
        const at = (await outbox.outbox.stats()).oldestPendingAt;
        this.set(at === null ? 0 : Math.max(0, (outbox.clock.now() - at) / 1000));
      },
    });
  }
  const reclaimedBytes = new Counter({
    name: 'logsnap_storage_temporary_reclaimed_bytes_total',
    help: 'Bytes of interrupted uploads (temporary files, staging objects, incomplete multipart uploads) removed by the periodic sweep',
    registers: [registry],
  });
  const reclaimedItems = new Counter({
    name: 'logsnap_storage_temporary_reclaimed_total',
    help: 'Leftovers of interrupted uploads removed by the periodic sweep',
    registers: [registry],
  });
  const tempReclaimed = (r: { removed: number; bytes: number }) => {
    reclaimedItems.inc(r.removed);
    reclaimedBytes.inc(r.bytes);
  };
  return { registry, httpDuration, tempReclaimed };
}
export type Metrics = ReturnType<typeof createMetrics>;
