/**
 * A logsnap process for the failure-path crash tests (harness.ts), SIGKILLed by the parent. Its
 * jobs fail in their final commit (an injected error in the SUCCEEDED transition: every kind's
 * onFail then runs in the FAILED transaction), and it never finishes the clean-up that follows:
 *   hang:      it takes the clean-up's outbox items and hangs in them (the store's delete and every
 *              service's outbox handler never return), so the items stay leased by this process;
 *   no-outbox: it dispatches no outbox item at all.
 * argv[2]: JSON { dataDir, databaseUrl, mode }. Prints {"url": …} once listening.
 */
import { FsObjectStore } from '../../src/storage/fsStore.js';
import type { ObjectStore } from '../../src/storage/objectStore.js';
import { SERVICES } from '../../src/services/index.js';
import type { ServiceModule } from '../../src/services/types.js';
import { startServer } from '../helpers/server.js';
import { FAILPATH_CONFIG, INJECTED } from './harness.js';

const { dataDir, databaseUrl, mode } = JSON.parse(process.argv[2]) as { dataDir: string; databaseUrl: string; mode: 'hang' | 'no-outbox' };
const hang = mode === 'hang';
const forever = (_payload: unknown, ctx: { signal: AbortSignal }) =>
  new Promise<void>((_resolve, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true }));

const services: ServiceModule[] = SERVICES.map((m) => ({
  ...m,
  create: (deps) => {
    const inst = m.create(deps);
    return hang ? { ...inst, outboxHandlers: inst.outboxHandlers?.map((h) => ({ ...h, run: forever })) } : inst;
  },
}));

const s = await startServer({
  dataDir,
  databaseUrl,
  services,
  config: FAILPATH_CONFIG,
  jobEvents: {
    async transition(_trx, _job, to) {
      if (to === 'SUCCEEDED') throw new Error(INJECTED);
    },
  },
  store: hang
    ? ({ config, linkKey, publicUrl }) => {
        const fs = new FsObjectStore(config.storage.root, { key: linkKey, baseUrl: publicUrl });
        return new Proxy(fs, {
          get: (target, prop) => {
            if (prop === 'delete') return () => new Promise<void>(() => undefined);
            const v = Reflect.get(target, prop, target);
            return typeof v === 'function' ? v.bind(target) : v;
          },
        }) as ObjectStore;
      }
    : undefined,
});
if (mode === 'no-outbox') await s.rt.outbox.stop();
process.stdout.write(JSON.stringify({ url: s.url }) + '\n');
setInterval(() => undefined, 1000);
