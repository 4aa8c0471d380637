import type { ProbeCheck } from '../../clusters/clusters.js';
import { bytesText, errorText, within } from '../../clusters/probeTools.js';
import { pgTarget, type DwsEngineConfig } from './engine.js';
import { withClient } from './pgtools.js';

/** Test connection of a DWS cluster: `select 1` on its PostgreSQL, with the server version and database size. */
export async function probeDws(engine: unknown, opts: { timeoutMs: number }): Promise<ProbeCheck[]> {
  const url = (engine as DwsEngineConfig).url;
  const target = pgTarget(url);
  try {
    const row = await within(opts.timeoutMs, target.display, withClient(url, target, async (c) => {
      const r = await c.query('select 1 as one, current_setting(\'server_version\') as version, current_database() as db, pg_database_size(current_database()) as size');
      return r.rows[0] as { one: number; version: string; db: string; size: string };
    }));
    return [{
      target: target.display, ok: row.one === 1,
      message: `select 1 → ${row.one}; PostgreSQL ${row.version}`,
      details: [`database ${row.db}, ${bytesText(Number(row.size))}`],
    }];
  } catch (e) {
    return [{ target: target.display, ok: false, message: errorText(e), details: [] }];
  }
}
