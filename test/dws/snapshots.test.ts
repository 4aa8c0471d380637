import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { engines, startServer, createPgDatabase, postgresAvailable, eventually, type TestServer } from '../helpers/server.js';
import { op, opError } from '../helpers/sdk.js';
import { hex32 } from '../../src/security/ids.js';
import { dbUrl, dropDatabase, fingerprint, seedWarehouse, settled, sql } from './helpers.js';

const SNAPSHOTS = '/v1.0/{project_id}/snapshots';
const SNAPSHOT = '/v1.0/{project_id}/snapshots/{snapshot_id}';
const RESTORE = '/v1.0/{project_id}/snapshots/{snapshot_id}/actions';
const CLUSTER_SNAPSHOTS = '/v1.0/{project_id}/clusters/{cluster_id}/snapshots';
const POLICIES = '/v2/{project_id}/clusters/{cluster_id}/snapshot-policies';
const POLICY = '/v1.0/{project_id}/clusters/{cluster_id}/snapshot-policies/{id}';

const pgOk = await postgresAvailable();

for (const { engine, skip } of await engines()) {
  describe(`DWS snapshots, logsnap state on ${engine}`, { skip: skip || (pgOk ? false : 'PostgreSQL (the DWS engine) is not reachable') }, () => {
    let s: TestServer;
    const logLines: string[] = [];
    let source: Awaited<ReturnType<typeof createPgDatabase>>;
    let clusterId: string;
    const restored: string[] = [];
    const call = (o: Parameters<typeof op>[1]) => op(s.client(), { ...o, pathParams: { project_id: s.projectId, ...(o.pathParams ?? {}) } });
    const fail = (o: Parameters<typeof op>[1]) => opError(s.client(), { ...o, pathParams: { project_id: s.projectId, ...(o.pathParams ?? {}) } });

    before(async () => {
      s = await startServer({ engine, logLines });
      source = await createPgDatabase('dws_src');
      await seedWarehouse(source.url);
      clusterId = (await s.rt.deps.clusters.register({ projectId: s.projectId, service: 'dws', name: `wh-${engine}`, engine: { url: source.url } })).id;
    });
    after(async () => {
      await s?.close();
      await source?.drop();
      for (const d of restored) await dropDatabase(d);
    });

    test('snapshot → AVAILABLE with size, times and a checked archive; restore equals the original', async () => {
      const created = await call({ method: 'POST', url: SNAPSHOTS, data: { snapshot: { name: 'snapshot-1', cluster_id: clusterId, description: 'first one' } } });
      assert.equal(created.httpStatusCode, 200);
      assert.deepEqual(Object.keys(created).filter((k) => k !== 'httpStatusCode'), ['snapshot']);
      const id = created.snapshot.id as string;
      const snap = await settled(s.client(), s.projectId, id);
      assert.equal(snap.status, 'AVAILABLE', snap.failure_reason);
      assert.equal(snap.type, 'MANUAL');
      assert.equal(snap.name, 'snapshot-1');
      assert.equal(snap.description, 'first one');
      assert.equal(snap.cluster_id, clusterId);
      assert.match(snap.started, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.match(snap.finished, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.equal(typeof snap.size, 'number');
      assert.ok(snap.size_bytes > 1000);
      assert.equal(snap.size, Math.round((snap.size_bytes / 2 ** 30) * 1e6) / 1e6);
      // the archive is really in the store, with the recorded sha256
      const objects = [];
      for await (const o of s.rt.store.list('logsnap-dws', `${s.projectId}/${clusterId}/`)) objects.push(o);
      assert.equal(objects.length, 1);
      assert.equal(objects[0].size, snap.size_bytes);
      assert.equal(objects[0].sha256, snap.sha256);

      const list = await call({ method: 'GET', url: SNAPSHOTS });
      assert.equal(list.count, 1);
      assert.equal(list.snapshots[0].id, id);

      const name = `r${hex32().slice(0, 10)}`;
      restored.push(name);
      const r = await call({ method: 'POST', url: RESTORE, pathParams: { snapshot_id: id }, data: { restore: { name, port: 8000, public_ip: { public_bind_type: 'not_use', eip_id: '' } } } });
      assert.match(r.cluster.id, /^[0-9a-f-]{36}$/);
      const job = await eventually(async () => {
        const j = await s.rt.queue.get(r.job_id);
        return j && (j.state === 'SUCCEEDED' || j.state === 'FAILED') ? j : undefined;
      }, 60_000, 'restore job');
      assert.equal(job.state, 'SUCCEEDED', job.error ?? '');
      const cluster = await s.rt.deps.clusters.get<{ url: string }>(s.projectId, 'dws', r.cluster.id);
      assert.equal(cluster!.status, 'AVAILABLE');
      assert.equal(cluster!.name, name);
      assert.equal(new URL(cluster!.engine.url).pathname, `/${name}`);
      assert.deepEqual(await fingerprint(dbUrl(name)), await fingerprint(source.url));
      const [view] = await sql(dbUrl(name), 'select count(*)::int as n from rich');
      assert.equal(view.n, 1, 'views are restored too');
      // the restored cluster is a DWS cluster like any other: it can be snapshotted
      const again = await call({ method: 'POST', url: SNAPSHOTS, data: { snapshot: { name: 'of-restored', cluster_id: r.cluster.id } } });
      assert.equal((await settled(s.client(), s.projectId, again.snapshot.id)).status, 'AVAILABLE');

      // a clashing name is refused
      const clash = await fail({ method: 'POST', url: RESTORE, pathParams: { snapshot_id: id }, data: { restore: { name: name.toUpperCase() } } });
      assert.equal(clash.httpStatusCode, 409);
      assert.equal(clash.errorCode, 'DWS.5050');
    });

    test('writes during the dump: the snapshot is one consistent point in time', async () => {
      const db = await createPgDatabase('dws_busy');
      try {
        await seedWarehouse(db.url, 150_000); // big enough for the dump to take a while
        const busy = (await s.rt.deps.clusters.register({ projectId: s.projectId, service: 'dws', name: `busy-${engine}`, engine: { url: db.url } })).id;
        let stop = false;
        const writers = Array.from({ length: 2 }, async () => {
          const c = new pg.Client({ connectionString: db.url });
          await c.connect();
          let n = 0;
          while (!stop) {
            await c.query('begin');
            await c.query('update accounts set balance = balance - 1 where id = 1');
            await c.query('insert into ledger(amount) values (1)');
            await c.query('update accounts set balance = balance + 1 where id = 2');
            await c.query('commit');
            n++;
          }
          await c.end();
          return n;
        });
        await eventually(async () => (await sql(db.url, 'select count(*)::int as n from ledger'))[0].n > 20, 20_000, 'writers to start');
        const created = await call({ method: 'POST', url: SNAPSHOTS, data: { snapshot: { name: `busy-${engine}`, cluster_id: busy } } });
        const snap = await settled(s.client(), s.projectId, created.snapshot.id);
        stop = true;
        const commits = (await Promise.all(writers)).reduce((a, b) => a + b, 0);
        assert.equal(snap.status, 'AVAILABLE', snap.failure_reason);
        const name = `r${hex32().slice(0, 10)}`;
        restored.push(name);
        const r = await call({ method: 'POST', url: RESTORE, pathParams: { snapshot_id: snap.id }, data: { restore: { name } } });
        await eventually(async () => (await s.rt.queue.get(r.job_id))?.state === 'SUCCEEDED', 60_000, 'restore');
        const [acc] = await sql(dbUrl(name), 'select sum(balance)::bigint as total, max(balance) filter (where id = 2) as moved from accounts');
        const [led] = await sql(dbUrl(name), 'select count(*)::int as n from ledger');
        assert.equal(Number(acc.total), 1_000_000, 'the invariant holds in the snapshot');
        assert.equal(Number(acc.moved), led.n, 'ledger and balances are from the same instant');
        assert.ok(led.n > 20, 'the snapshot contains writes made before it');
        const [after] = await sql(db.url, 'select count(*)::int as n from ledger');
        assert.equal(after.n, commits);
        assert.ok(led.n < after.n, 'writers kept committing while the snapshot ran');
      } finally {
        await db.drop();
      }
    });

    test('an unknown role (with a password) → UNAVAILABLE with a reason; the password is nowhere (real wrong passwords: password.test.ts)', async () => {
      const secret = `Pw-${hex32().slice(0, 16)}`;
      const url = `postgres://nosuchrole:${secret}@127.0.0.1:5432/${source.name}`;
      const bad = (await s.rt.deps.clusters.register({ projectId: s.projectId, service: 'dws', name: `bad-${engine}`, engine: { url } })).id;
      const created = await call({ method: 'POST', url: SNAPSHOTS, data: { snapshot: { name: 'bad-password', cluster_id: bad } } });
      const snap = await settled(s.client(), s.projectId, created.snapshot.id);
      assert.equal(snap.status, 'UNAVAILABLE');
      assert.match(snap.failure_reason, /pg_dump/);
      assert.match(snap.failure_reason, /nosuchrole/);
      assert.ok(snap.finished);
      const all = [
        JSON.stringify(snap),
        JSON.stringify(await call({ method: 'GET', url: SNAPSHOTS })),
        JSON.stringify(await call({ method: 'GET', url: CLUSTER_SNAPSHOTS, pathParams: { cluster_id: bad } })),
        JSON.stringify(await call({ method: 'GET', url: '/logsnap/v1/{project_id}/jobs/{job_id}', pathParams: { job_id: (await s.rt.queue.active(`dws-snapshot:${bad}`))?.id ?? 'none' } }).catch(() => ({}))),
        logLines.join('\n'),
      ].join('\n');
      assert.ok(logLines.length > 0);
      assert.equal(all.includes(secret), false, 'password leaked');
      // nothing is left in the store for a failed snapshot (deleted right after the failure commits: the outbox)
      await eventually(async () => {
        for await (const o of s.rt.store.list('logsnap-dws', `${s.projectId}/${bad}/`)) return !o;
        return true;
      }, 10_000, 'the failed snapshot\'s objects deleted');
    });

    test('every CreateSnapshot validation failure has its code', async () => {
      const create = (snapshot: unknown) => fail({ method: 'POST', url: SNAPSHOTS, data: { snapshot } });
      const cases: [unknown, number, string][] = [
        [{ name: 'abc', cluster_id: clusterId }, 400, 'DWS.0001'],
        [{ name: 'a'.repeat(65), cluster_id: clusterId }, 400, 'DWS.0001'],
        [{ name: '1snap', cluster_id: clusterId }, 400, 'DWS.0001'],
        [{ name: 'snap.shot', cluster_id: clusterId }, 400, 'DWS.0001'],
        [{ name: 'snapshot-ok', cluster_id: clusterId, description: 'a < b' }, 400, 'DWS.0001'],
        [{ name: 'snapshot-ok', cluster_id: clusterId, description: 'x'.repeat(257) }, 400, 'DWS.0001'],
        [{ name: 'snapshot-ok' }, 400, 'DWS.0001'],
        [{ name: 'SNAPSHOT-1', cluster_id: clusterId }, 400, 'DWS.0001'], // taken (case-insensitive)
        [{ name: 'snapshot-ok', cluster_id: '44b277eb-39be-4921-be31-3d61b43651d7' }, 403, 'DWS.0015'],
      ];
      for (const [body, status, code] of cases) {
        const e = await create(body);
        assert.equal(e.httpStatusCode, status, JSON.stringify(body));
        assert.equal(e.errorCode, code, JSON.stringify(body));
      }
      const empty = await fail({ method: 'POST', url: SNAPSHOTS, data: {} });
      assert.equal(empty.errorCode, 'DWS.0001');
      // another project's cluster looks like a missing one
      const other = await s.rt.deps.projects.create({ name: `other-${engine}` });
      const foreign = await s.rt.deps.clusters.register({ projectId: other.id, service: 'dws', name: 'theirs', engine: { url: source.url } });
      assert.equal((await create({ name: 'snapshot-ok', cluster_id: foreign.id })).errorCode, 'DWS.0015');
      // a cluster that is not AVAILABLE
      const down = await s.rt.deps.clusters.register({ projectId: s.projectId, service: 'dws', name: `down-${engine}`, status: 'UNAVAILABLE', engine: { url: source.url } });
      const e = await create({ name: 'snapshot-ok', cluster_id: down.id });
      assert.equal(e.httpStatusCode, 403);
      assert.equal(e.errorCode, 'DWS.7023');
      // busy: another snapshot job holds the cluster (a job no worker runs keeps the key)
      const held = await s.rt.queue.enqueue({ kind: 'test-hold', activeKey: `dws-snapshot:${clusterId}` });
      try {
        const busy = await create({ name: 'snapshot-ok', cluster_id: clusterId });
        assert.equal(busy.httpStatusCode, 409);
        assert.equal(busy.errorCode, 'DWS.0011');
        assert.equal((await call({ method: 'GET', url: SNAPSHOTS })).snapshots.some((x: { name: string }) => x.name === 'snapshot-ok'), false, 'nothing recorded');
      } finally {
        await s.rt.db.kysely.deleteFrom('jobs').where('id', '=', held!.id).execute();
      }
    });

    test('lists, paging, sorting; missing snapshots are 400 DWS.5149; delete removes the archive', async () => {
      for (const n of ['page-b', 'page-a', 'page-c']) {
        const c = await call({ method: 'POST', url: SNAPSHOTS, data: { snapshot: { name: n, cluster_id: clusterId } } });
        assert.equal((await settled(s.client(), s.projectId, c.snapshot.id)).status, 'AVAILABLE');
      }
      const all = await call({ method: 'GET', url: CLUSTER_SNAPSHOTS, pathParams: { cluster_id: clusterId }, queryParams: { sort_key: 'name', sort_dir: 'asc' } });
      assert.equal(all.project_id, s.projectId);
      assert.equal(all.cluster_id, clusterId);
      const names = all.snapshots.map((x: { name: string }) => x.name);
      assert.deepEqual(names, [...names].sort());
      assert.equal(all.count, names.length);
      assert.ok(names.includes('page-a') && names.includes('snapshot-1'));
      const page1 = await call({ method: 'GET', url: CLUSTER_SNAPSHOTS, pathParams: { cluster_id: clusterId }, queryParams: { sort_key: 'name', sort_dir: 'asc', limit: 2, offset: 1 } });
      assert.deepEqual(page1.snapshots.map((x: { name: string }) => x.name), names.slice(2, 4));
      assert.equal(page1.count, names.length);
      for (const q of [{ sort_key: 'colour' }, { limit: 0 }, { sort_dir: 'up' }, { offset: -1 }]) {
        const e = await fail({ method: 'GET', url: CLUSTER_SNAPSHOTS, pathParams: { cluster_id: clusterId }, queryParams: q });
        assert.equal(e.errorCode, 'DWS.0001', JSON.stringify(q));
      }
      assert.equal((await fail({ method: 'GET', url: CLUSTER_SNAPSHOTS, pathParams: { cluster_id: 'nope' } })).errorCode, 'DWS.0015');

      const missing = '2a4d0f86-67cd-408a-8b66-017454fb7793';
      for (const o of [
        { method: 'GET' as const, url: SNAPSHOT, pathParams: { snapshot_id: missing } },
        { method: 'DELETE' as const, url: SNAPSHOT, pathParams: { snapshot_id: missing } },
        { method: 'POST' as const, url: RESTORE, pathParams: { snapshot_id: missing }, data: { restore: { name: 'restore-x' } } },
      ]) {
        const e = await fail(o);
        assert.equal(e.httpStatusCode, 400, o.method);
        assert.equal(e.errorCode, 'DWS.5149', o.method);
      }

      const target = all.snapshots.find((x: { name: string }) => x.name === 'page-a');
      const badRestore = await fail({ method: 'POST', url: RESTORE, pathParams: { snapshot_id: target.id }, data: { restore: { name: '9lives' } } });
      assert.equal(badRestore.httpStatusCode, 400);
      assert.equal(badRestore.errorCode, 'DWS.5057');

      // deleting while CREATING is refused
      await s.rt.db.kysely.updateTable('dws_snapshots').set({ status: 'CREATING' }).where('id', '=', target.id).execute();
      const creating = await fail({ method: 'DELETE', url: SNAPSHOT, pathParams: { snapshot_id: target.id } });
      assert.equal(creating.httpStatusCode, 409);
      assert.equal(creating.errorCode, 'DWS.0011');
      await s.rt.db.kysely.updateTable('dws_snapshots').set({ status: 'AVAILABLE' }).where('id', '=', target.id).execute();

      assert.ok(await s.rt.store.head('logsnap-dws', `${s.projectId}/${clusterId}/${target.id}.dump.gz`));
      const del = await call({ method: 'DELETE', url: SNAPSHOT, pathParams: { snapshot_id: target.id } });
      assert.equal(del.httpStatusCode, 202);
      // the archive goes right after the record's deletion commits (outbox)
      await eventually(async () => (await s.rt.store.head('logsnap-dws', `${s.projectId}/${clusterId}/${target.id}.dump.gz`)) === null, 10_000, 'the archive to be removed');
      assert.equal((await fail({ method: 'GET', url: SNAPSHOT, pathParams: { snapshot_id: target.id } })).errorCode, 'DWS.5149');
      // the name is free again
      const reuse = await call({ method: 'POST', url: SNAPSHOTS, data: { snapshot: { name: 'PAGE-A', cluster_id: clusterId } } });
      assert.equal((await settled(s.client(), s.projectId, reuse.snapshot.id)).status, 'AVAILABLE');
    });

    test('snapshot policies: put, list with next fire time, delete; bad input is DWS.0001', async () => {
      const empty = await call({ method: 'GET', url: POLICIES, pathParams: { cluster_id: clusterId } });
      assert.equal(empty.auto_backup, false);
      assert.deepEqual(empty.backup_strategies, []);
      const put = await call({ method: 'PUT', url: POLICIES, pathParams: { cluster_id: clusterId }, data: { keep_day: 5, auto_backup: true, backup_strategies: [{ policy_name: 'nightly', backup_strategy: '0 0 2 * * ?', backup_type: 'full', backup_level: 'cluster' }] } });
      assert.equal(put.httpStatusCode, 200);
      const got = await call({ method: 'GET', url: POLICIES, pathParams: { cluster_id: clusterId } });
      assert.equal(got.keep_day, 5);
      assert.equal(got.auto_backup, true);
      assert.equal(got.device_name, 'OBS');
      assert.equal(got.backup_strategies.length, 1);
      const st = got.backup_strategies[0];
      assert.equal(st.policy_name, 'nightly');
      assert.equal(st.backup_strategy, '0 0 2 * * ?');
      assert.match(st.next_fire_time, /^\d{4}-\d\d-\d\dT02:00:00Z$/);
      assert.ok(Date.parse(st.next_fire_time) > Date.now());
      // update by policy_id
      await call({ method: 'PUT', url: POLICIES, pathParams: { cluster_id: clusterId }, data: { backup_strategies: [{ policy_id: st.policy_id, policy_name: 'nightly', backup_strategy: '0 30 3 * * ?' }] } });
      const upd = await call({ method: 'GET', url: POLICIES, pathParams: { cluster_id: clusterId } });
      assert.equal(upd.keep_day, 5, 'kept');
      assert.equal(upd.backup_strategies[0].backup_strategy, '0 30 3 * * ?');
      for (const data of [
        { keep_day: 0 }, { keep_day: 40 },
        { backup_strategies: [{ backup_strategy: '0 0 25 * * ?' }] },
        { backup_strategies: [{ backup_strategy: 'every day' }] },
        { backup_strategies: [{ backup_strategy: '0 0 1 * * ?', backup_level: 'table' }] },
        { backup_strategies: [{ backup_strategy: '0 0 1 * * ?', policy_id: 'nope' }] },
        { device_name: 'NBU' },
        { auto_backup: 'yes please' },
      ]) {
        const e = await fail({ method: 'PUT', url: POLICIES, pathParams: { cluster_id: clusterId }, data });
        assert.equal(e.httpStatusCode, 400, JSON.stringify(data));
        assert.equal(e.errorCode, 'DWS.0001', JSON.stringify(data));
      }
      assert.equal((await fail({ method: 'GET', url: POLICIES, pathParams: { cluster_id: 'nope' } })).errorCode, 'DWS.0015');
      const del = await call({ method: 'DELETE', url: POLICY, pathParams: { cluster_id: clusterId, id: st.policy_id } });
      assert.equal(del.httpStatusCode, 200);
      assert.equal((await fail({ method: 'DELETE', url: POLICY, pathParams: { cluster_id: clusterId, id: st.policy_id } })).errorCode, 'DWS.0015');
      assert.deepEqual((await call({ method: 'GET', url: POLICIES, pathParams: { cluster_id: clusterId } })).backup_strategies, []);
    });

    test('routes are also served under /dws (SDK endpoint http://host:port/dws)', async () => {
      const r = await op(s.client('/dws'), { method: 'GET', url: SNAPSHOTS, pathParams: { project_id: s.projectId } });
      assert.ok(r.count >= 1);
    });
  });
}
