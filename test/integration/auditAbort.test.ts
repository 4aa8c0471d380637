import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { engines, eventually, startServer, type TestServer } from '../helpers/server.js';

/**
 * A state-changing answer waits for its audit row (an async onSend hook). A client that goes away
 * in that moment must not make the answer be sent twice (found by the console's Chromium tests:
 * a page navigating away from a pending token request; ERR_HTTP_HEADERS_SENT, and a second audit
 * row). The audit table is held locked so the row's write waits, deterministically.
 */
for (const { engine, skip } of await engines()) {
  // SQLite locks the whole database: the call's own write would wait too, before any answer. The
  // race is in the HTTP layer (app.ts), the same on either engine; PostgreSQL can hold one table.
  const sqlite = engine === 'sqlite' ? 'SQLite cannot lock the audit table alone (the race itself is engine-independent)' : false;
  describe(`an aborted state-changing call on ${engine}`, { skip: skip || sqlite }, () => {
    test('is answered once, audited once, and the server carries on', async () => {
      const s = await startServer({ engine });
      const problems: unknown[] = [];
      const onProblem = (e: unknown) => problems.push(e);
      process.on('unhandledRejection', onProblem);
      process.on('uncaughtException', onProblem);
      const release = await lockAudit(s);
      try {
        const ctl = new AbortController();
        const call = fetch(`${s.url}/admin/v1/projects/${s.projectId}/tokens`, {
          method: 'POST', signal: ctl.signal,
          headers: { authorization: `Bearer ${s.adminToken}`, 'content-type': 'application/json' }, body: '{"ttl_seconds":600}',
        });
        // the token is issued; the answer now waits for its audit row (an insert waiting on the lock)
        await eventually(async () => (await s.rt.db.kysely.selectFrom('tokens').select('token_hash').where('description', 'is', null).execute()).length > 0, 10_000, 'the token issued');
        await eventually(async () => waitingOnAudit(s), 10_000, 'the audit insert waiting on the lock');
        ctl.abort();
        await assert.rejects(call);
        await release();
        const rows = await eventually(async () => {
          const r = await s.rt.db.kysely.selectFrom('audit_log').selectAll().where('operation', '=', 'AdminIssueToken').execute();
          return r.length > 0 && r;
        }, 10_000, 'the audit row');
        // a second send would run the onSend hook (and its audit insert) again right after the first
        await eventually(async () => !(await waitingOnAudit(s)), 10_000, 'no audit insert pending');
        assert.equal((await s.rt.db.kysely.selectFrom('audit_log').selectAll().where('operation', '=', 'AdminIssueToken').execute()).length, 1, 'one row, not two');
        assert.equal(rows[0].status, 201);
        assert.deepEqual(problems, [], 'no error escaped the server');
        assert.equal((await fetch(`${s.url}/healthz`)).status, 200);
      } finally {
        await release();
        process.off('unhandledRejection', onProblem);
        process.off('uncaughtException', onProblem);
        await s.close();
      }
    });
  });
}

/** An insert into audit_log is waiting for a lock (PostgreSQL's own view of its sessions). */
async function waitingOnAudit(s: TestServer): Promise<boolean> {
  const c = new pg.Client({ connectionString: s.databaseUrl });
  await c.connect();
  try {
    const r = await c.query(`select 1 from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query ilike 'insert into "audit_log"%'`);
    return (r.rowCount ?? 0) > 0;
  } finally {
    await c.end();
  }
}

/** Hold a lock on the audit table from another connection until released. */
async function lockAudit(s: TestServer): Promise<() => Promise<void>> {
  const c = new pg.Client({ connectionString: s.databaseUrl });
  await c.connect();
  await c.query('begin');
  await c.query('lock table audit_log in access exclusive mode');
  let done = false;
  return async () => {
    if (done) return;
    done = true;
    await c.query('rollback');
    await c.end();
  };
}
