import type { MasterSnapshots } from '../snapshots.js';
import { listSnapshotTasksRoute } from './listClusterMasterSnapshotTasks.js';

/** CceClient.listAutopilotClusterMasterSnapshotTasks: the same operation for CCE Autopilot clusters. */
export const listAutopilotClusterMasterSnapshotTasks = (snapshots: MasterSnapshots) =>
  listSnapshotTasksRoute(snapshots, 'autopilot', 'ListAutopilotClusterMasterSnapshotTasks');
