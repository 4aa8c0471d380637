import type { Clusters, EngineSpec, ServiceName } from '../../../clusters/clusters.js';
import type { Projects } from '../../../projects/projects.js';

/** What the console's admin operations are built from. */
export interface AdminConsoleDeps {
  projects: Projects;
  clusters: Clusters;
  engines: Partial<Record<ServiceName, EngineSpec & { title?: string }>>;
  /** per-target timeout of a connection test */
  probeTimeoutMs: number;
}
