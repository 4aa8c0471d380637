import { stat } from 'node:fs/promises';
import type { ProbeCheck } from '../../clusters/clusters.js';
import { bytesText, errorText, within } from '../../clusters/probeTools.js';
import { listLogFiles } from './logFiles.js';
import type { CssEngineValue } from './domain.js';

/** Test connection of a CSS cluster: list every node's log folder as a backup would. */
export async function probeCss(engine: unknown, opts: { timeoutMs: number }): Promise<ProbeCheck[]> {
  const nodes = (engine as CssEngineValue).nodes;
  return Promise.all(nodes.map(async (n): Promise<ProbeCheck> => {
    const target = `node ${n.name}: ${n.logDir}`;
    try {
      const listed = await within(opts.timeoutMs, n.logDir, listLogFiles(n.name, n.logDir));
      const sizes = await Promise.all(listed.files.map((f) => stat(f.path).then((s) => s.size, () => 0)));
      const total = sizes.reduce((a, b) => a + b, 0);
      const details = listed.files.slice(0, 20).map((f, i) => `${f.rel} (${bytesText(sizes[i])})`);
      if (listed.files.length > 20) details.push(`… and ${listed.files.length - 20} more`);
      for (const s of listed.skipped.slice(0, 5)) details.push(`skipped ${s.path}: ${s.reason}`);
      return {
        target, ok: listed.files.length > 0,
        message: listed.files.length ? `${listed.files.length} log file(s), ${bytesText(total)}` : 'the folder is readable but holds no log files (*.log, *.log.N, *.log.gz)',
        details,
      };
    } catch (e) {
      return { target, ok: false, message: errorText(e), details: [] };
    }
  }));
}
