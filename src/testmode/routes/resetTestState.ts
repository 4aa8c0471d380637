import { defineRoute } from '../../http/route.js';
import type { TestLevers } from '../levers.js';
import { ResetInput, ResetView } from '../schemas.js';

/** POST /admin/v1/test/reset — remove records, jobs, artifacts and faults; keep projects, credentials, clusters. */
export function resetTestState(levers: TestLevers) {
  return defineRoute({
    operationId: 'TestReset', method: 'POST', url: '/admin/v1/test/reset', auth: 'admin',
    summary: 'Test mode: remove records, jobs, stored objects and faults of every project (or one); keep projects, credentials and clusters',
    schema: { body: ResetInput, response: { 200: ResetView } },
    handler: async (req) => levers.reset(req.body?.project_id),
  });
}
