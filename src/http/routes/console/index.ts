import type { RouteDef } from '../../route.js';
import type { ConsoleRouteDeps } from './deps.js';
import { showSession } from './showSession.js';
import { showOverview } from './showOverview.js';
import { showStorageUsage } from './showStorageUsage.js';
import { listConsoleClusters } from './listConsoleClusters.js';
import { showConsoleCluster } from './showConsoleCluster.js';
import { listClusterRuns } from './listClusterRuns.js';
import { listConsoleJobs } from './listConsoleJobs.js';
import { showConsoleJob } from './showConsoleJob.js';
import { listJobArtifacts } from './listJobArtifacts.js';
import { createArtifactLink } from './createArtifactLink.js';
import { streamJobEvents } from './streamJobEvents.js';

/** The console's read API (admin token: every project; a project credential: its own). */
export function consoleRoutes(d: ConsoleRouteDeps): RouteDef<any>[] {
  return [
    showSession(d), showOverview(d), showStorageUsage(d), listConsoleClusters(d), showConsoleCluster(d), listClusterRuns(d),
    listConsoleJobs(d), showConsoleJob(d), listJobArtifacts(d), createArtifactLink(d), streamJobEvents(d),
  ];
}
