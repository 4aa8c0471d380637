import { Type } from '@sinclair/typebox';
import { defineRoute } from '../../http/route.js';
import { MAX_ADVANCE_SECONDS, type TestLevers } from '../levers.js';
import { AdvanceView } from '../schemas.js';

/** POST /admin/v1/test/clock — move the test clock forward; what became due is scheduled before it answers. */
export function advanceTestClock(levers: TestLevers) {
  return defineRoute({
    operationId: 'TestAdvanceClock', method: 'POST', url: '/admin/v1/test/clock', auth: 'admin',
    summary: 'Test mode: move the test clock forward (schedules and lease sweeps run before the answer)',
    schema: {
      body: Type.Object({ advance_seconds: Type.Integer({ minimum: 1, maximum: MAX_ADVANCE_SECONDS, description: 'forward only' }) }, { additionalProperties: false }),
      response: { 200: AdvanceView },
    },
    handler: async (req) => levers.advance(req.body.advance_seconds),
  });
}
