import type { RouteDef } from '../../route.js';
import type { AdminConsoleDeps } from './deps.js';
import { adminUpdateCluster } from './adminUpdateCluster.js';
import { adminProbeCluster } from './adminProbeCluster.js';
import { adminListEngineSchemas } from './adminListEngineSchemas.js';
import { adminListTokens } from './adminListTokens.js';
import { adminRevokeToken } from './adminRevokeToken.js';

/** Admin operations the console needs beyond src/http/routes/admin.ts (one file per operation). */
export function adminConsoleRoutes(d: AdminConsoleDeps): RouteDef<any>[] {
  return [adminUpdateCluster(d), adminProbeCluster(d), adminListEngineSchemas(d), adminListTokens(d), adminRevokeToken(d)];
}
