import type { ServiceModule } from '../types.js';
import { dcsEngineSpec } from './engine.js';
import * as m0200 from './migrations/0200_dcs_redislogs.js';
import * as m0250 from './migrations/0250_perf_dcs_lists.js';
import * as m0270 from './migrations/0270_dcs_collections.js';
import * as m0280 from './migrations/0280_dcs_collection_pages.js';
import { DcsRunLogs } from './runLogs.js';
import { createRedislog } from './routes/createRedislog.js';
import { listRedislog } from './routes/listRedislog.js';
import { createRedislogDownloadLink } from './routes/createRedislogDownloadLink.js';
import { demoInstance } from './demo.js';
import { dcsArtifacts } from './artifacts.js';

export const dcsService: ServiceModule = {
  name: 'dcs',
  title: 'DCS (Distributed Cache Service) run logs',
  migrations: { '0200_dcs_redislogs': m0200, '0250_perf_dcs_lists': m0250, '0270_edges_dcs_collections': m0270, '0280_dcs_collection_pages': m0280 },
  engine: dcsEngineSpec,
  create: (deps) => {
    const logs = new DcsRunLogs(deps);
    return {
      routes: [createRedislog(logs), listRedislog(logs), createRedislogDownloadLink(logs)],
      jobKinds: [logs.collectKind()],
      schedules: [logs.expirySchedule()],
      records: [logs.recordOwner()],
      demo: (projectId) => demoInstance(deps, projectId),
      artifacts: dcsArtifacts(deps.db),
    };
  },
};
