import { access, constants, stat } from 'node:fs/promises';
import type { ProbeCheck } from '../../clusters/clusters.js';
import { bytesText, errorText } from '../../clusters/probeTools.js';
import { redactUrlPassword } from '../../security/redact.js';
import type { DcsEngineT } from './engine.js';
import { resolveLogFile, withNode } from './redisNode.js';

/** Test connection of a DCS instance: PING every replica and find its log file as a collection would. */
export async function probeDcs(engine: unknown, opts: { timeoutMs: number }): Promise<ProbeCheck[]> {
  const nodes = (engine as DcsEngineT).nodes;
  return Promise.all(nodes.map(async (n): Promise<ProbeCheck> => {
    const target = `replica ${n.replicationId}: ${n.url.includes('@') ? redactUrlPassword(n.url) : n.url}`;
    try {
      return await withNode(n, opts.timeoutMs, async (redis) => {
        const info = String(await redis.info('server'));
        const version = /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
        const details = [`Redis ${version}`];
        try {
          const log = await resolveLogFile(redis, n);
          await access(log.path, constants.R_OK);
          const size = (await stat(log.path)).size;
          details.push(`log file ${log.path} (${log.source === 'registered' ? 'registered' : 'reported by Redis'}), ${bytesText(size)}, readable`);
          return { target, ok: true, message: `PING → PONG; log file readable (${bytesText(size)})`, details };
        } catch (e) {
          details.push(errorText(e));
          return { target, ok: false, message: 'PING → PONG, but the log file cannot be read here', details };
        }
      });
    } catch (e) {
      return { target, ok: false, message: errorText(e), details: [] };
    }
  }));
}
