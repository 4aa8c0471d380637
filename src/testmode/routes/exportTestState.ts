import { PassThrough } from 'node:stream';
import { defineRoute } from '../../http/route.js';
import type { TestLevers } from '../levers.js';

/** GET /admin/v1/test/state — the whole state as one archive (streamed). */
export function exportTestState(levers: TestLevers) {
  return defineRoute({
    operationId: 'TestExportState', method: 'GET', url: '/admin/v1/test/state', auth: 'admin',
    summary: 'Test mode: export every database row and stored object as one archive (tar.gz)',
    schema: { response: {} },
    handler: async (req, reply) => {
      const out = new PassThrough();
      levers.exportState(out).catch((err) => {
        req.log.error({ err }, 'state export failed');
        out.destroy(err as Error);
      });
      reply.type('application/gzip').header('Content-Disposition', 'attachment; filename="logsnap-state.tar.gz"');
      return reply.send(out);
    },
  });
}
