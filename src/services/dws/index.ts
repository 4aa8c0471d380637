import type { ServiceModule } from '../types.js';
import { dwsEngineSpec } from './engine.js';
import { DwsSnapshots } from './domain.js';
import { dwsArtifacts } from './artifacts.js';
import * as m0400 from './migrations/0400_dws_snapshots.js';
import * as m0450 from './migrations/0450_perf_dws_lists.js';
import { createSnapshot } from './routes/createSnapshot.js';
import { listSnapshots } from './routes/listSnapshots.js';
import { listSnapshotDetails } from './routes/listSnapshotDetails.js';
import { listClusterSnapshots } from './routes/listClusterSnapshots.js';
import { deleteSnapshot } from './routes/deleteSnapshot.js';
import { restoreCluster } from './routes/restoreCluster.js';
import { listSnapshotPolicy } from './routes/listSnapshotPolicy.js';
import { createSnapshotPolicy } from './routes/createSnapshotPolicy.js';
import { deleteSnapshotPolicy } from './routes/deleteSnapshotPolicy.js';

export const dwsService: ServiceModule = {
  name: 'dws',
  title: 'DWS (Data Warehouse Service) snapshots',
  migrations: { '0400_dws_snapshots': m0400, '0450_perf_dws_lists': m0450 },
  engine: dwsEngineSpec,
  create: (deps) => {
    const dws = new DwsSnapshots({ db: deps.db, outbox: deps.outbox, store: deps.store, artifacts: deps.artifacts, queue: deps.queue, clock: deps.clock, clusters: deps.clusters, log: deps.log, events: deps.events });
    return {
      routes: [
        createSnapshot(dws), listSnapshots(dws), listSnapshotDetails(dws), listClusterSnapshots(dws), deleteSnapshot(dws),
        restoreCluster(dws), listSnapshotPolicy(dws, () => deps.clock.now()), createSnapshotPolicy(dws), deleteSnapshotPolicy(dws),
      ],
      jobKinds: [dws.snapshotKind(), dws.restoreKind()],
      schedules: [dws.schedule()],
      artifacts: dwsArtifacts(deps.db),
      outboxHandlers: [dws.dropRestoredDatabaseHandler()],
      records: dws.recordOwners(),
    };
  },
};
