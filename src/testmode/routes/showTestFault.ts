import { defineRoute } from '../../http/route.js';
import { appError } from '../../http/errors/catalogue.js';
import type { Faults } from '../faults.js';
import { FaultIdParams, FaultView, faultView } from '../schemas.js';

/** GET /admin/v1/test/faults/{id} */
export function showTestFault(faults: Faults) {
  return defineRoute({
    operationId: 'TestShowFault', method: 'GET', url: '/admin/v1/test/faults/:id', auth: 'admin',
    summary: 'Test mode: one fault rule',
    schema: { params: FaultIdParams, response: { 200: FaultView } },
    handler: async (req) => {
      const f = await faults.get(req.params.id);
      if (!f) throw appError('LOGSNAP.0404', `No fault rule ${req.params.id}.`);
      return faultView(f);
    },
  });
}
