import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from '../../src/db/index.js';
import { migrate } from '../../src/db/migrate.js';
import { PLATFORM_MIGRATIONS } from '../../src/runtime.js';
import { dcsService } from '../../src/services/dcs/index.js';
import { createPgDatabase, engines } from '../helpers/server.js';

for (const { engine, skip } of await engines()) {
  describe(`DCS migrations on ${engine}`, { skip }, () => {
    test('apply once, a second run is a no-op, the unique (instance, replica, day) holds, down() drops', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'logsnap-dcs-mig-'));
      const pgdb = engine === 'postgres' ? await createPgDatabase() : undefined;
      const db = openDb(pgdb ? pgdb.url : `sqlite:${join(dir, 'm.db')}`);
      try {
        const all = { ...PLATFORM_MIGRATIONS, ...dcsService.migrations };
        assert.deepEqual(await migrate(db, all), Object.keys(all).sort());
        assert.deepEqual(await migrate(db, all), []);
        const row = {
          id: 'a', project_id: 'p', instance_id: 'i', replication_id: 'r', replication_ip: '1.2.3.4', group_name: 'group-0',
          day: '2026-11-23', file_name: 'redis_1.2.3.4_2026-11-23.log', status: 'collecting' as const, reason: null, job_id: 'j',
          bucket: null, object_key: null, size: null, sha256: null, created_at: 1, updated_at: 1, collected_at: null, expires_at: null,
        };
        await db.kysely.insertInto('dcs_redislogs').values(row).execute();
        await assert.rejects(db.kysely.insertInto('dcs_redislogs').values({ ...row, id: 'b' }).execute());
        await dcsService.migrations['0200_dcs_redislogs'].down!(db.kysely);
        await assert.rejects(db.kysely.selectFrom('dcs_redislogs').selectAll().execute());
      } finally {
        await db.close();
        await pgdb?.drop();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
