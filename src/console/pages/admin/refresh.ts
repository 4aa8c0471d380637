import { get } from '../../lib/api';
import { OPS } from '../../lib/ops.js';
import { session } from '../../lib/session';
import type { SessionResponseT } from '../../../http/routes/console/schemas.js';

/** After a project is created or deleted: the session's project list (filters) follows. */
export async function refreshSessionProjects(): Promise<void> {
  const s = session.get();
  if (!s) return;
  const r = await get<SessionResponseT>({ op: OPS.ShowSession });
  const next = { ...s, projects: r.projects };
  sessionStorage.setItem('logsnap.session', JSON.stringify(next));
  session.set(next);
}
