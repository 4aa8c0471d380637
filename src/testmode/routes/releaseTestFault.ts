import { defineRoute } from '../../http/route.js';
import { appError } from '../../http/errors/catalogue.js';
import type { Faults } from '../faults.js';
import { FaultIdParams, FaultView, faultView } from '../schemas.js';

/** POST /admin/v1/test/faults/{id}/release — let the jobs a hold rule holds go on. */
export function releaseTestFault(faults: Faults) {
  return defineRoute({
    operationId: 'TestReleaseFault', method: 'POST', url: '/admin/v1/test/faults/:id/release', auth: 'admin',
    summary: 'Test mode: release a hold rule (held jobs go on; it holds no further job)',
    schema: { params: FaultIdParams, response: { 200: FaultView } },
    handler: async (req) => {
      const f = await faults.release(req.params.id);
      if (!f) throw appError('LOGSNAP.0404', `No fault rule ${req.params.id}.`);
      return faultView(f);
    },
  });
}
