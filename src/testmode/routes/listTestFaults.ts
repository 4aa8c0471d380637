import { Type } from '@sinclair/typebox';
import { defineRoute } from '../../http/route.js';
import type { Faults } from '../faults.js';
import { FaultView, faultView } from '../schemas.js';

/** GET /admin/v1/test/faults — every rule with how often it fired. */
export function listTestFaults(faults: Faults) {
  return defineRoute({
    operationId: 'TestListFaults', method: 'GET', url: '/admin/v1/test/faults', auth: 'admin',
    summary: 'Test mode: list fault rules and how often each fired',
    schema: { response: { 200: Type.Object({ faults: Type.Array(FaultView) }) } },
    handler: async () => ({ faults: (await faults.list()).map(faultView) }),
  });
}
