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

const row = {
  id: 'a', project_id: 'p', instance_id: 'i', replication_id: 'r', replication_ip: '1.2.3.4', group_name: 'group-0',
  day: '2026-11-23', file_name: 'redis_1.2.3.4_2026-11-23.log', status: 'succeed' as const, reason: null, job_id: 'j',
  bucket: 'dcs-run-logs', object_key: 'p/i/j/redis_1.2.3.4_2026-11-23.log', size: 3, sha256: 'x', created_at: 1, updated_at: 1, collected_at: 1, expires_at: 9,
};

for (const { engine, skip } of await engines()) {
  describe(`DCS migrations on ${engine}`, { skip }, () => {
    test('0200 then 0270: existing files are kept (collection 0); a day may then be collected by several collections; 0270 down keeps the newest; 0200 down drops', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'logsnap-dcs-mig-'));
      const pgdb = engine === 'postgres' ? await createPgDatabase() : undefined;
      const db = openDb(pgdb ? pgdb.url : `sqlite:${join(dir, 'm.db')}`);
      const m = dcsService.migrations;
      try {
        // the table as 0200 made it: one file per (instance, replica, day)
        const before = { ...PLATFORM_MIGRATIONS, '0200_dcs_redislogs': m['0200_dcs_redislogs'] };
        assert.deepEqual(await migrate(db, before), Object.keys(before).sort());
        await db.kysely.insertInto('dcs_redislogs').values(row as never).execute();
        await assert.rejects(db.kysely.insertInto('dcs_redislogs').values({ ...row, id: 'b' } as never).execute());

        const all = { ...PLATFORM_MIGRATIONS, ...m };
        assert.deepEqual(await migrate(db, all), Object.keys(m).filter((n) => n !== '0200_dcs_redislogs').sort());
        assert.deepEqual(await migrate(db, all), [], 'a second run is a no-op');
        const kept = await db.kysely.selectFrom('dcs_redislogs').selectAll().execute();
        assert.equal(kept.length, 1);
        assert.equal(Number(kept[0].collection_no), 0);
        assert.equal(kept[0].sha256, 'x');
        // the same day, a later collection: its own row
        await db.kysely.insertInto('dcs_redislogs').values({ ...row, id: 'b', job_id: 'k', object_key: 'p/i/k/f', collection_no: 1 }).execute();
        assert.equal((await db.kysely.selectFrom('dcs_redislogs').selectAll().execute()).length, 2);

        // downs in reverse order: 0280's page index names collection_no, which 0270's down drops
        await m['0280_dcs_collection_pages'].down!(db.kysely);
        await m['0270_edges_dcs_collections'].down!(db.kysely);
        const left = await db.kysely.selectFrom('dcs_redislogs').select(['id']).execute();
        assert.deepEqual(left.map((r) => r.id), ['b'], 'the newest collection of the day stays');
        const trash = await db.kysely.selectFrom('dcs_object_trash').select('object_key').execute();
        assert.deepEqual(trash.map((t) => t.object_key), [row.object_key], "the dropped file's object is queued for deletion");
        await assert.rejects(db.kysely.insertInto('dcs_redislogs').values({ ...row, id: 'c' } as never).execute(), 'unique again');

        await m['0200_dcs_redislogs'].down!(db.kysely);
        await assert.rejects(db.kysely.selectFrom('dcs_redislogs').selectAll().execute());
      } finally {
        await db.close();
        await pgdb?.drop();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
