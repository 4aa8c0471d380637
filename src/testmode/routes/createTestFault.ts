import { defineRoute } from '../../http/route.js';
import { appError } from '../../http/errors/catalogue.js';
import { FaultInputError, type Faults } from '../faults.js';
import { FaultInputSchema, FaultView, faultView } from '../schemas.js';

/** POST /admin/v1/test/faults — add a fault rule. */
export function createTestFault(faults: Faults) {
  return defineRoute({
    operationId: 'TestCreateFault', method: 'POST', url: '/admin/v1/test/faults', auth: 'admin',
    summary: 'Test mode: add a fault rule (API error or latency; job fail, hold or slow)',
    schema: { body: FaultInputSchema, response: { 201: FaultView } },
    handler: async (req, reply) => {
      try {
        return reply.status(201).send(faultView(await faults.add(req.body)));
      } catch (e) {
        if (e instanceof FaultInputError) throw appError('LOGSNAP.0400', undefined, e.message);
        throw e;
      }
    },
  });
}
