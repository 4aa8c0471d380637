import { defineRoute } from '../../http/route.js';
import type { TestClock } from '../clock.js';
import { ClockView } from '../schemas.js';

/** GET /admin/v1/test/clock — the test clock (shared by every process on the database). */
export function showTestClock(clock: TestClock) {
  return defineRoute({
    operationId: 'TestShowClock', method: 'GET', url: '/admin/v1/test/clock', auth: 'admin',
    summary: 'Test mode: the test clock',
    schema: { response: { 200: ClockView } },
    handler: async () => ({ now: clock.now(), offset_ms: clock.offsetMs }),
  });
}
