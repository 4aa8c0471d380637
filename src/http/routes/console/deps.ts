import type { ReadModel } from '../../../readModel/readModel.js';
import type { LiveJobs } from '../../../readModel/live.js';

/** What the console's read routes are built from. */
export interface ConsoleRouteDeps {
  read: ReadModel;
  live: LiveJobs;
}
