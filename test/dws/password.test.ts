/**
 * DWS against a PostgreSQL server that really checks passwords (scram-sha-256): a wrong password
 * makes the snapshot UNAVAILABLE with "password authentication failed", and neither the wrong
 * nor the right password appears in any response or log line; the right password snapshots and
 * restores on the same server. The shared 127.0.0.1:5432 server uses trust auth and cannot prove
 * this, so the suite starts its own server (test/dws/pgPassword.ts).
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { engines, startServer, eventually, type TestServer } from '../helpers/server.js';
import { op } from '../helpers/sdk.js';
import { hex32 } from '../../src/security/ids.js';
import { fingerprint, settled, sql } from './helpers.js';
import { passwordPgUnavailable, startPasswordPostgres, type PasswordPg } from './pgPassword.js';

const SNAPSHOTS = '/v1.0/{project_id}/snapshots';
const SNAPSHOT = '/v1.0/{project_id}/snapshots/{snapshot_id}';
const RESTORE = '/v1.0/{project_id}/snapshots/{snapshot_id}/actions';
const CLUSTER_SNAPSHOTS = '/v1.0/{project_id}/clusters/{cluster_id}/snapshots';
const JOB = '/logsnap/v1/{project_id}/jobs/{job_id}';

const unavailable = passwordPgUnavailable();

for (const { engine, skip } of await engines()) {
  describe(`DWS with password authentication (scram-sha-256), logsnap state on ${engine}`, { skip: skip || unavailable }, () => {
    let s: TestServer;
    let pgpw: PasswordPg;
    const logLines: string[] = [];
    const role = 'dws_owner';
    // characters that must be percent-encoded in a URL, so every spelling of the secret is exercised
    const right = `Rt:${hex32().slice(0, 12)}/@ %x`;
    const wrong = `Wr:${hex32().slice(0, 12)}/@ %y`;
    const secrets = [right, wrong, encodeURIComponent(right), encodeURIComponent(wrong)];
    const call = (o: Parameters<typeof op>[1]) => op(s.client(), { ...o, pathParams: { project_id: s.projectId, ...(o.pathParams ?? {}) } });
    const admin = async (path: string, init: RequestInit = {}) => {
      const r = await fetch(`${s.url}${path}`, { ...init, headers: { authorization: `Bearer ${s.adminToken}`, 'content-type': 'application/json' } });
      return { status: r.status, body: (await r.json()) as any };
    };
    const registerCluster = async (name: string, url: string): Promise<string> => {
      const r = await admin(`/admin/v1/projects/${s.projectId}/clusters`, { method: 'POST', body: JSON.stringify({ service: 'dws', name, engine: { url } }) });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return r.body.id as string;
    };
    /** Every place a password could surface: API answers (SDK and admin) and the server's log. */
    const everything = async (extra: unknown[] = []): Promise<string> => {
      const list = await call({ method: 'GET', url: SNAPSHOTS });
      const parts: unknown[] = [list, ...extra];
      for (const snap of list.snapshots) {
        parts.push(await call({ method: 'GET', url: SNAPSHOT, pathParams: { snapshot_id: snap.id } }));
        parts.push(await call({ method: 'GET', url: CLUSTER_SNAPSHOTS, pathParams: { cluster_id: snap.cluster_id } }));
      }
      const clusters = await admin(`/admin/v1/projects/${s.projectId}/clusters?service=dws`);
      const jobs = await admin(`/admin/v1/jobs?project_id=${s.projectId}`);
      parts.push(clusters.body, jobs.body);
      for (const j of jobs.body.jobs) parts.push(await call({ method: 'GET', url: JOB, pathParams: { job_id: j.id } }));
      return [...parts.map((p) => JSON.stringify(p)), ...logLines].join('\n');
    };
    const assertNoPassword = (text: string) => {
      for (const secret of secrets) assert.equal(text.includes(secret), false, `password leaked: ${secret}`);
    };

    before(async () => {
      pgpw = await startPasswordPostgres();
      await pgpw.sql('postgres', `create role ${role} login createdb password '${right}'`);
      await pgpw.sql('postgres', `create database warehouse owner ${role}`);
      // created through the role itself: its password really works for the driver
      await sql(pgpw.url('warehouse', role, right), `
        create table orders(id int primary key, customer text not null, total numeric(12,2), meta jsonb);
        insert into orders select g, 'customer ' || g, g * 3.25, jsonb_build_object('g', g) from generate_series(1, 2000) g;
      `);
      s = await startServer({ engine, logLines });
    });
    after(async () => {
      await s?.close();
      await pgpw?.stop();
    });

    test('the private server really checks passwords', async () => {
      await assert.rejects(sql(pgpw.url('warehouse', role, wrong), 'select 1'), /password authentication failed for user "dws_owner"/);
      assert.deepEqual(await sql(pgpw.url('warehouse', role, right), 'select count(*)::int as n from orders'), [{ n: 2000 }]);
    });

    test('a wrong password → UNAVAILABLE, "password authentication failed"; no password anywhere', async () => {
      const bad = await registerCluster(`wrongpw-${engine}`, pgpw.url('warehouse', role, wrong));
      const created = await call({ method: 'POST', url: SNAPSHOTS, data: { snapshot: { name: 'wrong-password', cluster_id: bad } } });
      const snap = await settled(s.client(), s.projectId, created.snapshot.id);
      assert.equal(snap.status, 'UNAVAILABLE');
      assert.ok(snap.finished);
      // the reason names the tool, the server and database (URL without its password) and the server's answer
      assert.ok(snap.failure_reason.startsWith(`pg_dump exited with code 1 for postgres://${role}@127.0.0.1:${pgpw.port}/warehouse: `), snap.failure_reason);
      assert.match(snap.failure_reason, /password authentication failed for user "dws_owner"/);
      // whatever the failed dump stored goes right after the failure commits (outbox)
      await eventually(async () => {
        const objects = [];
        for await (const o of s.rt.store.list('logsnap-dws', `${s.projectId}/${bad}/`)) objects.push(o);
        return objects.length === 0;
      }, 10_000, 'nothing stored for a failed snapshot');
      const all = await everything([snap]);
      // the log check covers the failure path: the job's failure was logged with its reason
      assert.ok(logLines.some((l) => l.includes('job failed') && l.includes('password authentication failed')), 'the failure is logged');
      assert.match(all, /password authentication failed/, 'the reason is in the answers');
      assertNoPassword(all);
    });

    test('the right password on the same server → AVAILABLE; restore into a new database; URLs listed masked', async () => {
      const good = await registerCluster(`rightpw-${engine}`, pgpw.url('warehouse', role, right));
      const created = await call({ method: 'POST', url: SNAPSHOTS, data: { snapshot: { name: 'right-password', cluster_id: good } } });
      const snap = await settled(s.client(), s.projectId, created.snapshot.id);
      assert.equal(snap.status, 'AVAILABLE', snap.failure_reason);
      assert.ok(snap.size_bytes > 1000);

      const name = `pw-restored-${engine}`;
      const database = name.replace(/-/g, '_');
      const r = await call({ method: 'POST', url: RESTORE, pathParams: { snapshot_id: snap.id }, data: { restore: { name } } });
      const job = await eventually(async () => {
        const j = await s.rt.queue.get(r.job_id);
        return j && (j.state === 'SUCCEEDED' || j.state === 'FAILED') ? j : undefined;
      }, 60_000, 'restore job');
      assert.equal(job.state, 'SUCCEEDED', job.error ?? '');
      // the new database is on the password-protected server, owned by the role, equal to the source
      const [db] = await pgpw.sql('postgres', `select pg_get_userbyid(datdba) as owner from pg_database where datname = $1`, [database]);
      assert.equal(db?.owner, role);
      assert.deepEqual(await fingerprint(pgpw.url(database)), await fingerprint(pgpw.url('warehouse')));
      // the restored cluster works with the same credentials: it can be snapshotted
      const again = await call({ method: 'POST', url: SNAPSHOTS, data: { snapshot: { name: 'of-restored', cluster_id: r.cluster.id } } });
      assert.equal((await settled(s.client(), s.projectId, again.snapshot.id)).status, 'AVAILABLE');

      const listed = await admin(`/admin/v1/projects/${s.projectId}/clusters?service=dws`);
      const byId = new Map<string, any>(listed.body.clusters.map((c: any) => [c.id, c]));
      assert.equal(byId.get(r.cluster.id)?.status, 'AVAILABLE');
      assert.equal(byId.get(r.cluster.id)?.engine.url, `postgres://${role}:***@127.0.0.1:${pgpw.port}/${database}`);
      assert.equal(byId.get(good)?.engine.url, `postgres://${role}:***@127.0.0.1:${pgpw.port}/warehouse`);
      assertNoPassword(await everything([r]));
    });
  });
}
