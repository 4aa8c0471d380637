/**
 * Pure pieces of the console, checked without a browser: the request preview (no secret ever, a
 * CLI line the CLI accepts), the form's schema checker against TypeBox on the real engine
 * schemas, and the live-events poller (one query loop per process, whatever the subscribers).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { Value } from '@sinclair/typebox/value';
import pino from 'pino';
import { buildPreview, redactSecrets, shellQuote } from '../../src/console/lib/preview.js';
import { OPS } from '../../src/console/lib/ops.js';
import { checkSchema, type JsonSchema } from '../../src/console/lib/schemaCheck.js';
import { SERVICES } from '../../src/services/index.js';
import { openDb } from '../../src/db/index.js';
import { migrate } from '../../src/db/migrate.js';
import { PLATFORM_MIGRATIONS } from '../../src/runtime.js';
import { LiveJobs } from '../../src/readModel/live.js';
import { JobQueue, systemClock } from '../../src/jobs/queue.js';

const ORIGIN = 'http://127.0.0.1:8080';
const SECRETS = ['hunter2-secret', 'Sup3r$ecret', 'lst_abcdefSECRETTOKEN', 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC'];

describe('request preview', () => {
  test('no secret reaches any of the three previews, whatever the operation and body', () => {
    const bodies = [
      { service: 'dws', name: 'wh', engine: { url: `postgres://backup:${SECRETS[0]}@10.0.0.7:5432/sales` } },
      { service: 'cce', name: 'k8s', engine: { endpoints: ['https://10.0.0.1:2379'], username: 'root', password: SECRETS[1], tls: { key: `-----BEGIN PRIVATE KEY-----\n${SECRETS[3]}\n-----END PRIVATE KEY-----` } } },
      { service: 'dcs', name: 'r', engine: { nodes: [{ replicationId: 'r1', ip: '10.0.0.5', url: `redis://:${SECRETS[1]}@10.0.0.5:6379` }] } },
      { token: SECRETS[2], sk: SECRETS[0] },
    ];
    for (const body of bodies) {
      for (const op of [OPS.AdminCreateCluster, OPS.AdminUpdateCluster, OPS.AdminProbeCluster, OPS.StartLogs]) {
        const p = buildPreview({ op, path: { project_id: 'p1', cluster_id: 'c1' }, body }, { origin: ORIGIN });
        for (const text of [p.http, p.cli, p.node]) for (const secret of SECRETS) assert.ok(!text.includes(secret), `${op.operationId} leaks ${secret}:\n${text}`);
      }
    }
    assert.deepEqual(redactSecrets({ url: 'postgres://u:p@h/db', password: 'x', nested: [{ key: 'k' }] }), { url: 'postgres://u:<password>@h/db', password: '<secret>', nested: [{ key: '<secret>' }] });
  });

  test('credentials are placeholders; the SDK snippet uses BasicCredentials and ClientBuilder.withEndpoint', () => {
    const p = buildPreview({ op: OPS.CreateLogBackup, path: { project_id: 'p1', cluster_id: 'c-1' } }, { origin: ORIGIN });
    assert.equal(p.http.split('\n')[0], 'POST /v1.0/p1/clusters/c-1/logs/collect HTTP/1.1');
    assert.ok(p.http.includes('X-Auth-Token: $LOGSNAP_TOKEN'));
    assert.ok(p.cli.endsWith('npx logsnap call css CreateLogBackup --cluster_id c-1'));
    assert.ok(p.node.includes("import { CssClient, CreateLogBackupRequest } from '@huaweicloud/huaweicloud-sdk-css';"));
    assert.ok(p.node.includes('.withAk(process.env.HUAWEICLOUD_SDK_AK)') && p.node.includes(".withEndpoint(\"http://127.0.0.1:8080\")"));
    assert.ok(p.node.includes('.withClusterId("c-1")') && p.node.includes('client.createLogBackup(request)'));
    const admin = buildPreview({ op: OPS.AdminIssueToken, path: { project_id: 'p1' }, body: { ttl_seconds: 60 } }, { origin: ORIGIN });
    assert.equal(admin.cliLabel, 'curl');
    assert.ok(admin.cli.includes('Authorization: Bearer $(cat data/admin-token)'));
    assert.ok(admin.http.includes('Authorization: Bearer $LOGSNAP_ADMIN_TOKEN'));
  });

  test('CLI lines: flags for plain body fields, JSON where the CLI would misread a value, shell-safe quoting', () => {
    const nested = buildPreview({ op: OPS.CreateSnapshot, path: { project_id: 'p' }, body: { snapshot: { name: "it's", cluster_id: 'c' } } }, { origin: ORIGIN });
    assert.ok(nested.cli.endsWith(`--snapshot '{"name":"it'\\''s","cluster_id":"c"}'`), nested.cli);
    const numeric = buildPreview({ op: OPS.StartLogs, path: { project_id: 'p', cluster_id: 'c' }, body: { agency: 'a', log_bucket: '123', log_base_path: 'x y' } }, { origin: ORIGIN });
    assert.ok(numeric.cli.includes(`--body '{"agency":"a","log_bucket":"123","log_base_path":"x y"}'`), numeric.cli);
    fc.assert(fc.property(fc.string(), (s) => {
      const q = shellQuote(s);
      // a POSIX shell reads the quoted word back as s: single-quoted segments joined by \'
      const back = q.startsWith("'") ? q.slice(1, -1).split(`'\\''`).join("'") : q;
      return back === s;
    }));
  });
});

describe('schema checker = TypeBox on the engine schemas', () => {
  const pool = (): fc.Arbitrary<unknown> => fc.oneof(
    fc.constantFrom('', 'es-1', '/var/log/es', 'redis://127.0.0.1:6379', 'postgres://u@h/db', 'mysql://x', 'http://10.0.0.1:2379', 'http://h:1/path', 'UTC', 'Asia/Shanghai', 'bad zone!', '10.0.0.5', 'a b'),
    fc.boolean(), fc.integer({ min: -2, max: 3 }), fc.constant(null),
  );
  const nodeLike = fc.dictionary(fc.constantFrom('name', 'ip', 'logDir', 'replicationId', 'url', 'logFile', 'groupName', 'timeZone', 'extra'), pool(), { maxKeys: 6 });
  const engineLike = fc.dictionary(
    fc.constantFrom('nodes', 'datastore', 'timeZone', 'endpoints', 'tls', 'username', 'password', 'autopilot', 'url', 'other'),
    fc.oneof(pool(), fc.array(nodeLike, { maxLength: 3 }), fc.array(pool(), { maxLength: 3 }), fc.dictionary(fc.constantFrom('ca', 'cert', 'key', 'type', 'version', 'x'), pool(), { maxKeys: 3 })),
    { maxKeys: 5 },
  );
  const VALID: Record<string, unknown[]> = {
    css: [{ nodes: [{ name: 'es-1', logDir: '/var/log/es' }] }, { nodes: [{ name: 'a', ip: '10.0.0.1', logDir: '/l' }], datastore: { type: 'elasticsearch', version: '7.10.2' } }],
    dcs: [{ nodes: [{ replicationId: 'r1', ip: '10.0.0.5', url: 'redis://127.0.0.1:6379' }] }, { timeZone: 'UTC', nodes: [{ replicationId: 'r', ip: 'h', url: 'rediss://h:1', logFile: '/x', groupName: 'g', timeZone: 'Asia/Shanghai' }] }],
    cce: [{ endpoints: ['http://10.0.0.1:2379'] }, { endpoints: ['https://a:1', 'https://b:2'], tls: { ca: 'x' }, username: 'u', password: 'p', autopilot: true }],
    dws: [{ url: 'postgres://u:p@h:5432/db' }, { url: 'postgresql://h/db' }],
  };
  for (const svc of SERVICES) {
    test(`${svc.name}: valid engines pass both`, () => {
      const served = JSON.parse(JSON.stringify(svc.engine.schema)) as JsonSchema;
      for (const v of VALID[svc.name]) {
        assert.ok(Value.Check(svc.engine.schema, v), JSON.stringify(v));
        assert.deepEqual(checkSchema(served, v), [], JSON.stringify(v));
      }
    });
    test(`${svc.name}: the same verdict on random engines`, () => {
      const served = JSON.parse(JSON.stringify(svc.engine.schema)) as JsonSchema;
      fc.assert(fc.property(engineLike, (v) => (checkSchema(served, v).length === 0) === Value.Check(svc.engine.schema, v)), { numRuns: 400 });
    });
  }
});

describe('live job events', () => {
  test('one shared poll feeds every subscriber: the queries do not grow with the number of subscribers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'logsnap-live-'));
    const db = openDb(`sqlite:${join(dir, 'x.db')}`);
    try {
      await migrate(db, PLATFORM_MIGRATIONS);
      let selects = 0;
      const k = db.kysely;
      const counting = new Proxy(k, { get: (t, p, r) => (p === 'selectFrom' ? (...a: unknown[]) => (selects++, (t.selectFrom as (...x: unknown[]) => unknown)(...a)) : Reflect.get(t, p, r)) });
      const live = new LiveJobs({ ...db, kysely: counting }, systemClock, pino({ level: 'silent' }) as never, { intervalMs: 20 });
      const got: string[][] = [[], [], [], [], []];
      const subs = await Promise.all(got.map((into, i) => live.subscribe({ projectId: i === 4 ? 'other' : 'p1', send: (e) => into.push(`${e.id}:${e.state}`), end() {} })));
      const queue = new JobQueue(db, systemClock);
      await queue.enqueue({ id: 'j1', kind: 'css.log-backup', projectId: 'p1' });
      const until = Date.now() + 10_000;
      while (!got.slice(0, 4).every((g) => g.includes('j1:QUEUED')) && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
      for (const g of got.slice(0, 4)) assert.deepEqual(g, ['j1:QUEUED']);
      assert.deepEqual(got[4], [], 'another project hears nothing');
      const polls = live.polls;
      assert.ok(polls >= 1);
      // one initial read when the first subscriber came, then one query per poll: not one per subscriber
      assert.ok(selects <= polls + 2, `${selects} queries for ${polls} polls and 5 subscribers`);
      for (const off of subs) off();
      assert.equal(live.subscribers, 0);
      await live.close();
    } finally {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a burst of changes larger than a page is delivered whole', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'logsnap-live-'));
    const db = openDb(`sqlite:${join(dir, 'x.db')}`);
    try {
      await migrate(db, PLATFORM_MIGRATIONS);
      const live = new LiveJobs(db, systemClock, pino({ level: 'silent' }) as never, { intervalMs: 60_000 });
      const seen = new Set<string>();
      const off = await live.subscribe({ projectId: null, send: (e) => seen.add(e.id), end() {} });
      const queue = new JobQueue(db, systemClock);
      await db.kysely.transaction().execute(async (trx) => {
        for (let i = 0; i < 1234; i++) await queue.enqueue({ id: `b${i}`, kind: 'css.log-backup', projectId: 'p' }, trx);
      });
      await live.poll();
      assert.equal(seen.size, 1234);
      off();
      await live.close();
    } finally {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
