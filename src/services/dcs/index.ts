import type { ServiceModule } from '../types.js';
import { dcsEngineSpec } from './engine.js';
import * as m0200 from './migrations/0200_dcs_redislogs.js';
import * as m0250 from './migrations/0250_perf_dcs_lists.js';
import { DcsRunLogs } from './runLogs.js';
import { createRedislog } from './routes/createRedislog.js';
import { listRedislog } from './routes/listRedislog.js';
import { createRedislogDownloadLink } from './routes/createRedislogDownloadLink.js';
import { demoInstance } from './demo.js';

export const dcsService: ServiceModule = {
  name: 'dcs',
  title: 'DCS (Distributed Cache Service) run logs',
  migrations: { '0200_dcs_redislogs': m0200, '0250_perf_dcs_lists': m0250 },
  engine: dcsEngineSpec,
  create: (deps) => {
    const logs = new DcsRunLogs(deps);
    return {
      routes: [createRedislog(logs), listRedislog(logs), createRedislogDownloadLink(logs)],
      jobKinds: [logs.collectKind()],
      schedules: [logs.expirySchedule()],
      demo: (projectId) => demoInstance(deps, projectId),
    };
  },
};
