import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engines, createPgDatabase } from '../helpers/server.js';
import { openDb } from '../../src/db/index.js';
import { migrate, type NamedMigrations } from '../../src/db/migrate.js';
import { PLATFORM_MIGRATIONS } from '../../src/runtime.js';
import { SERVICES } from '../../src/services/index.js';

const ALL: NamedMigrations = Object.assign({}, PLATFORM_MIGRATIONS, ...SERVICES.map((s) => s.migrations));

for (const { engine, skip } of await engines()) {
  describe(`migrations on ${engine}`, { skip }, () => {
    test('apply once, then again (no-op), also from two connections at once', async () => {
      let url: string;
      let cleanup: () => Promise<void>;
      if (engine === 'postgres') {
        const d = await createPgDatabase('logsnap_mig');
        url = d.url;
        cleanup = d.drop;
      } else {
        const dir = mkdtempSync(join(tmpdir(), 'logsnap-mig-'));
        url = `sqlite:${join(dir, 'x.db')}`;
        cleanup = async () => rmSync(dir, { recursive: true, force: true });
      }
      const a = openDb(url);
      const b = openDb(url);
      try {
        const [ra, rb] = await Promise.all([migrate(a, ALL), migrate(b, ALL)]);
        assert.deepEqual([...ra, ...rb].sort(), Object.keys(ALL).sort(), 'each migration applied exactly once');
        assert.deepEqual(await migrate(a, ALL), []);
        // the schema is usable
        await a.kysely.insertInto('meta').values({ key: 'k', value: 'v' }).execute();
        assert.equal((await b.kysely.selectFrom('meta').select('value').where('key', '=', 'k').executeTakeFirst())?.value, 'v');
      } finally {
        await a.close();
        await b.close();
        await cleanup();
      }
    });
  });
}
