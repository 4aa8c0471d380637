import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ServiceDeps } from '../types.js';
import { writeGzLogFile, writeLogFile } from './sampleLogs.js';
import type { CssLogs } from './domain.js';

/**
 * First start of the embedded default: a sample log folder under <dataDir>/demo/css (two
 * nodes, a few MB of Elasticsearch-style logs with rotated files) and a CSS cluster over it, with
 * log backup already on (bucket demo-logs, base path css/log): ready to back up, from the CLI or
 * the console's "Back up now".
 */
export const DEMO_LOGS = { agency: 'css_obs_agency', bucket: 'demo-logs', basePath: 'css/log' };

export async function cssDemo(deps: ServiceDeps, projectId: string, css: CssLogs): Promise<string[]> {
  const root = resolve(deps.config.core.dataDir, 'demo', 'css');
  const nodes = ['es-node-1', 'es-node-2'].map((name, i) => ({ name, ip: `127.0.0.${i + 1}`, logDir: join(root, name) }));
  for (const [i, n] of nodes.entries()) {
    if (existsSync(join(n.logDir, 'demo-es.log'))) continue;
    const day = 86_400_000;
    const now = deps.clock.now();
    await writeLogFile(join(n.logDir, 'demo-es.log'), 900_000 + i * 100_000, { node: n.name, seed: 11 + i });
    await writeLogFile(join(n.logDir, 'demo-es.log.1'), 600_000, { node: n.name, seed: 21 + i, mtime: new Date(now - day) });
    await writeGzLogFile(join(n.logDir, `demo-es-${new Date(now - 2 * day).toISOString().slice(0, 10)}-1.log.gz`), 500_000, { node: n.name, seed: 31 + i });
    await writeLogFile(join(n.logDir, 'demo-es_deprecation.log'), 40_000, { node: n.name, seed: 41 + i });
    await writeLogFile(join(n.logDir, 'demo-es_index_search_slowlog.log'), 120_000, { node: n.name, seed: 51 + i });
    await writeLogFile(join(n.logDir, 'gc.log'), 200_000, { node: n.name, seed: 61 + i });
    await writeLogFile(join(n.logDir, 'gc.log.01'), 150_000, { node: n.name, seed: 71 + i, mtime: new Date(now - day) });
  }
  const c = await deps.clusters.register({
    projectId, service: 'css', name: 'demo-es', engine: { nodes, datastore: { type: 'elasticsearch', version: '7.10.2' } },
  });
  await css.startLogs(projectId, c.id, { agency: DEMO_LOGS.agency, log_bucket: DEMO_LOGS.bucket, log_base_path: DEMO_LOGS.basePath });
  return [
    `CSS demo cluster ${c.id} (demo-es) over the sample logs in ${root}; log backup on (bucket ${DEMO_LOGS.bucket}, base path ${DEMO_LOGS.basePath})`,
    `  logsnap call css StartLogs --cluster_id ${c.id} --agency css_obs_agency --log_bucket demo-logs --log_base_path css/log`,
    `  logsnap call css CreateLogBackup --cluster_id ${c.id} --wait`,
    `  logsnap call css ListLogsJob --cluster_id ${c.id}`,
  ];
}
