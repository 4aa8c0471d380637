import type { ProbeCheck } from '../../clusters/clusters.js';
import { bytesText } from '../../clusters/probeTools.js';
import type { CceEngineT } from './engine.js';
import { etcdStatus } from './etcd.js';

/** Test connection of a CCE cluster: etcd Maintenance Status on every endpoint a snapshot would try. */
export async function probeCce(engine: unknown, opts: { timeoutMs: number }): Promise<ProbeCheck[]> {
  const rows = await etcdStatus(engine as CceEngineT, opts.timeoutMs);
  return rows.map((r) => ({
    target: `etcd ${r.endpoint}`, ok: r.ok,
    message: r.message.replace(/database (\d+) bytes/, (_, n) => `database ${bytesText(Number(n))}`),
    details: r.details,
  }));
}
