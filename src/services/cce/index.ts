import type { ServiceModule } from '../types.js';
import { ConfigError } from '../../config/section.js';
import { cceEngineSpec } from './engine.js';
import { systemZone } from './goTimeZone.js';
import * as m0300 from './migrations/0300_cce_snapshot_tasks.js';
import * as m0350 from './migrations/0350_perf_cce_lists.js';
import { MasterSnapshots } from './snapshots.js';
import { cceArtifacts } from './artifacts.js';
import { createClusterMasterSnapshot } from './routes/createClusterMasterSnapshot.js';
import { listClusterMasterSnapshotTasks } from './routes/listClusterMasterSnapshotTasks.js';
import { createAutopilotClusterMasterSnapshot } from './routes/createAutopilotClusterMasterSnapshot.js';
import { listAutopilotClusterMasterSnapshotTasks } from './routes/listAutopilotClusterMasterSnapshotTasks.js';

/** How long one etcd endpoint may take to answer Maintenance Status before the next is tried. */
export const ETCD_CONNECT_TIMEOUT_MS = 3000;

export const cceService: ServiceModule = {
  name: 'cce',
  title: 'CCE (Cloud Container Engine) master snapshots',
  migrations: { '0300_cce_snapshot_tasks': m0300, '0350_perf_cce_lists': m0350 },
  engine: cceEngineSpec,
  create: (deps) => {
    let zone;
    try {
      zone = systemZone(deps.config.core.timeZone);
    } catch {
      throw new ConfigError([`core.timeZone: unknown IANA time zone ${JSON.stringify(deps.config.core.timeZone)} (e.g. Asia/Shanghai, UTC); set LOGSNAP_TIME_ZONE or core.timeZone in the config file`]);
    }
    const snapshots = new MasterSnapshots(deps, { zone, connectTimeoutMs: ETCD_CONNECT_TIMEOUT_MS });
    return {
      routes: [
        createClusterMasterSnapshot(snapshots),
        listClusterMasterSnapshotTasks(snapshots),
        createAutopilotClusterMasterSnapshot(snapshots),
        listAutopilotClusterMasterSnapshotTasks(snapshots),
      ],
      jobKinds: [snapshots.jobKind()],
      schedules: [],
      artifacts: cceArtifacts(deps.db),
      records: [snapshots.recordOwner()],
    };
  },
};
