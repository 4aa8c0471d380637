import type { Readable } from 'node:stream';
import { defineRoute } from '../../http/route.js';
import { appError } from '../../http/errors/catalogue.js';
import type { TestLevers } from '../levers.js';
import { spool, StateArchiveError } from '../state.js';
import { StateSummaryView } from '../schemas.js';

export const IMPORT_URL = '/admin/v1/test/state';
/** Content types of an uploaded archive (the body is streamed to a temporary file, not buffered). */
export const ARCHIVE_TYPES = ['application/gzip', 'application/x-gzip', 'application/x-tar', 'application/octet-stream'];

/** PUT /admin/v1/test/state — replace the whole state with an archive; a bad archive changes nothing. */
export function importTestState(levers: TestLevers) {
  return defineRoute({
    operationId: 'TestImportState', method: 'PUT', url: IMPORT_URL, auth: 'admin',
    summary: 'Test mode: replace every row and object with an exported archive (Content-Type: application/gzip)',
    schema: { response: { 200: StateSummaryView } },
    handler: async (req) => {
      const body = req.body as Readable | undefined;
      if (!body || typeof (body as Readable).pipe !== 'function') {
        throw appError('LOGSNAP.0400', 'Send the archive as the request body with Content-Type: application/gzip.');
      }
      const { file, cleanup } = await spool(body);
      try {
        return await levers.importState(file);
      } catch (e) {
        if (e instanceof StateArchiveError) throw appError('LOGSNAP.0400', `The state archive cannot be imported: ${e.message}`);
        throw e;
      } finally {
        await cleanup();
      }
    },
  });
}
