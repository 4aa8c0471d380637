import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RouteDef } from '../http/route.js';
import type { Db } from '../db/index.js';
import type { NamedMigrations } from '../db/migrate.js';
import type { TestClock } from './clock.js';
import { apiFaultHook, type Faults } from './faults.js';
import type { TestLevers } from './levers.js';
import * as m0030 from './migrations/0030_levers_test_mode.js';
import { advanceTestClock } from './routes/advanceTestClock.js';
import { createTestFault } from './routes/createTestFault.js';
import { deleteTestFault } from './routes/deleteTestFault.js';
import { deleteTestFaults } from './routes/deleteTestFaults.js';
import { exportTestState } from './routes/exportTestState.js';
import { ARCHIVE_TYPES, IMPORT_URL, importTestState } from './routes/importTestState.js';
import { listTestFaults } from './routes/listTestFaults.js';
import { releaseTestFault } from './routes/releaseTestFault.js';
import { resetTestState } from './routes/resetTestState.js';
import { showTestClock } from './routes/showTestClock.js';
import { showTestFault } from './routes/showTestFault.js';
import './tables.js';

export { TestClock, parseDuration } from './clock.js';
export { Faults, FaultyStore } from './faults.js';
export { TestLevers } from './levers.js';

/** The test levers' tables; applied whatever the mode, so a database can be switched to test mode. */
export const TEST_MODE_MIGRATIONS: NamedMigrations = { '0030_levers_test_mode': m0030 };

/** The test clock's offset as the database has it (read once at start, before anything uses the clock). */
export async function loadClockOffset(db: Db, clock: TestClock): Promise<void> {
  const row = await db.kysely.selectFrom('test_state').select('clock_offset_ms').where('id', '=', 'state').executeTakeFirst();
  clock.adopt(Number(row?.clock_offset_ms ?? 0));
}

/** Every /admin/v1/test/… operation. Mounted only in test mode: otherwise they are 404 like any unknown path. */
export function testRoutes(levers: TestLevers, faults: Faults, clock: TestClock): RouteDef<any>[] {
  return [
    showTestClock(clock), advanceTestClock(levers),
    createTestFault(faults), listTestFaults(faults), showTestFault(faults), deleteTestFault(faults), deleteTestFaults(faults), releaseTestFault(faults),
    resetTestState(levers), exportTestState(levers), importTestState(levers),
  ];
}

/**
 * Test-mode hooks on the built app: every request first brings the clock and the fault rules up to
 * date (one query), service operations then meet the API fault rules, and archive uploads to the
 * state import are streamed instead of buffered.
 */
export function installTestHooks(app: FastifyInstance, levers: TestLevers, faults: Faults, bodyLimit: number): void {
  app.addHook('onRequest', async () => {
    await levers.sync();
  });
  app.addHook('preHandler', apiFaultHook(faults));
  app.addContentTypeParser(ARCHIVE_TYPES, (req: FastifyRequest, payload, done) => {
    if (req.routeOptions.url === IMPORT_URL) return done(null, payload);
    // anywhere else: raw bytes like every other body (the signature covers them), up to the limit
    const chunks: Buffer[] = [];
    let size = 0;
    payload.on('data', (c: Buffer) => {
      size += c.length;
      if (size > bodyLimit) {
        payload.destroy();
        done(Object.assign(new Error('Request body is too large'), { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' }), undefined);
        return;
      }
      chunks.push(c);
    });
    payload.on('end', () => {
      if (size > bodyLimit) return;
      req.rawBody = Buffer.concat(chunks);
      done(null, undefined);
    });
    payload.on('error', (e) => done(e, undefined));
  });
}
