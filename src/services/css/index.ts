import type { ServiceModule } from '../types.js';
import { cssEngineSpec } from './engine.js';
import { CssLogs } from './domain.js';
import { cssDemo } from './demo.js';
import { cssArtifacts } from './artifacts.js';
import * as m0100 from './migrations/0100_css_log.js';
import * as m0150 from './migrations/0150_perf_css_lists.js';
import { createLogBackup } from './routes/createLogBackup.js';
import { listLogsJob } from './routes/listLogsJob.js';
import { startLogs } from './routes/startLogs.js';
import { stopLogs } from './routes/stopLogs.js';
import { showGetLogSetting } from './routes/showGetLogSetting.js';
import { updateLogSetting } from './routes/updateLogSetting.js';
import { startLogAutoBackupPolicy } from './routes/startLogAutoBackupPolicy.js';
import { stopLogAutoBackupPolicy } from './routes/stopLogAutoBackupPolicy.js';
import { listClustersDetails } from './routes/listClustersDetails.js';
import { showClusterDetail } from './routes/showClusterDetail.js';

export const cssService: ServiceModule = {
  name: 'css',
  title: 'CSS (Cloud Search Service) log backup',
  migrations: { '0100_css_log': m0100, '0150_perf_css_lists': m0150 },
  engine: cssEngineSpec,
  create: (deps) => {
    const css = new CssLogs(deps);
    return {
      routes: [
        createLogBackup(css), listLogsJob(css), startLogs(css), stopLogs(css), showGetLogSetting(css), updateLogSetting(css),
        startLogAutoBackupPolicy(css), stopLogAutoBackupPolicy(css), listClustersDetails(css), showClusterDetail(css),
      ],
      jobKinds: [css.jobKind()],
      schedules: [css.schedule()],
      records: [css.recordOwner()],
      demo: (projectId) => cssDemo(deps, projectId, css),
      artifacts: cssArtifacts(deps.db, deps.store),
    };
  },
};
