import { Type } from '@sinclair/typebox';
import { defineRoute } from '../../http/route.js';
import type { Faults } from '../faults.js';

/** DELETE /admin/v1/test/faults — remove every rule. */
export function deleteTestFaults(faults: Faults) {
  return defineRoute({
    operationId: 'TestDeleteFaults', method: 'DELETE', url: '/admin/v1/test/faults', auth: 'admin',
    summary: 'Test mode: remove every fault rule',
    schema: { response: { 204: Type.Null() } },
    handler: async (_req, reply) => {
      await faults.clear();
      return reply.status(204).send();
    },
  });
}
