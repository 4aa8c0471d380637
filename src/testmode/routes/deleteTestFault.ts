import { Type } from '@sinclair/typebox';
import { defineRoute } from '../../http/route.js';
import { appError } from '../../http/errors/catalogue.js';
import type { Faults } from '../faults.js';
import { FaultIdParams } from '../schemas.js';

/** DELETE /admin/v1/test/faults/{id} — remove a rule (a job it holds goes on). */
export function deleteTestFault(faults: Faults) {
  return defineRoute({
    operationId: 'TestDeleteFault', method: 'DELETE', url: '/admin/v1/test/faults/:id', auth: 'admin',
    summary: 'Test mode: remove a fault rule (jobs it holds go on)',
    schema: { params: FaultIdParams, response: { 204: Type.Null() } },
    handler: async (req, reply) => {
      if (!(await faults.remove(req.params.id))) throw appError('LOGSNAP.0404', `No fault rule ${req.params.id}.`);
      return reply.status(204).send();
    },
  });
}
