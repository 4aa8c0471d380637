import { Migrator, type Migration, type MigrationProvider } from 'kysely';
import type { Db } from './index.js';

export type NamedMigrations = Record<string, Migration>;

/**
 * Run every migration not yet applied. Kysely takes a lock first (PostgreSQL: an advisory
 * lock; SQLite: a lock row in a write transaction), so several processes starting at once
 * apply each migration exactly once. Names are `NNNN_owner_what`; platform owns 0001–0099,
 * CSS 0100–0199, DCS 0200–0299, CCE 0300–0399, DWS 0400–0499.
 */
export async function migrate(db: Db, migrations: NamedMigrations): Promise<string[]> {
  const provider: MigrationProvider = { getMigrations: async () => migrations };
  const migrator = new Migrator({
    db: db.kysely,
    provider,
    allowUnorderedMigrations: true,
    migrationTableName: 'logsnap_migrations',
    migrationLockTableName: 'logsnap_migrations_lock',
  });
  // Kysely's SQLite lock only guards one connection. Two processes migrating one SQLite file
  // race: SQLite DDL is transactional, so the loser's attempt rolls back whole; it retries and
  // then finds the migrations applied.
  for (let attempt = 1; ; attempt++) {
    const { error, results } = await migrator.migrateToLatest();
    if (!error) return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
    if (db.dialect === 'sqlite' && attempt < 10) {
      await new Promise((r) => setTimeout(r, 50 * attempt));
      continue;
    }
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${(error as Error).message ?? error}`);
  }
}
