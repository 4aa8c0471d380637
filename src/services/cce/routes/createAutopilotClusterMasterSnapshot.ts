import type { MasterSnapshots } from '../snapshots.js';
import { createSnapshotRoute } from './createClusterMasterSnapshot.js';

/** CceClient.createAutopilotClusterMasterSnapshot: the same operation for CCE Autopilot clusters. */
export const createAutopilotClusterMasterSnapshot = (snapshots: MasterSnapshots) =>
  createSnapshotRoute(snapshots, 'autopilot', 'CreateAutopilotClusterMasterSnapshot');
