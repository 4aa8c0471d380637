import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { engines, eventually, startServer, type TestServer } from '../helpers/server.js';
import { op, opError, sdkClient } from '../helpers/sdk.js';
import { cli } from '../helpers/cli.js';
import { startReceiver, type Receiver } from '../helpers/webhookReceiver.js';
import { api, deliveries, docsVerifier, FAST_WEBHOOKS, ping, subscribe } from './helpers.js';

const SECRET = 'whsec-subscriptions-test-0001';
const verify = await docsVerifier();

// Subscriptions: the admin on any project, a project on its own (AK/SK or token); the secret is
// never returned after creation; the SSRF guard at subscription and at delivery time.
for (const { engine, skip } of await engines()) {
  describe(`webhook subscriptions on ${engine}`, { skip }, () => {
    let s: TestServer;
    let rx: Receiver;
    let other: { id: string; ak: string; sk: string };
    before(async () => {
      rx = await startReceiver(SECRET, verify);
      s = await startServer({ engine, config: { webhooks: FAST_WEBHOOKS } });
      const p = await api(s, 'POST', '/admin/v1/projects', { name: 'other' });
      other = { id: p.body.project.id, ak: p.body.credential.ak, sk: p.body.credential.sk };
    });
    after(async () => {
      await s?.close();
      await rx?.close();
    });

    test('create, list, show, change, delete; the secret is shown once, only when generated', async () => {
      const base = `/admin/v1/projects/${s.projectId}/webhooks`;
      const gen = await api(s, 'POST', base, { url: rx.url, events: ['logsnap.css.*', '*.failed'], description: 'ops' });
      assert.equal(gen.status, 201);
      assert.match(gen.body.secret, /^whsec_[A-Za-z0-9_-]{43}$/);
      assert.deepEqual(gen.body.webhook.events, ['logsnap.css.*', '*.failed']);
      assert.equal(gen.body.webhook.enabled, true);
      assert.equal(gen.body.webhook.created_by, 'admin');
      const own = await api(s, 'POST', base, { url: rx.url, secret: SECRET, enabled: false });
      assert.equal(own.status, 201);
      assert.equal(own.body.secret, undefined, 'a secret the caller chose is not echoed');
      assert.deepEqual(own.body.webhook.events, ['*']);
      const list = await api(s, 'GET', base);
      assert.deepEqual(list.body.webhooks.map((w: any) => w.id), [gen.body.webhook.id, own.body.webhook.id]);
      const shown = await api(s, 'GET', `${base}/${gen.body.webhook.id}`);
      for (const text of [JSON.stringify(list.body), JSON.stringify(shown.body)]) {
        assert.ok(!text.includes(gen.body.secret) && !text.includes(SECRET) && !/secret/.test(text), 'no secret after creation');
      }
      const patched = await api(s, 'PATCH', `${base}/${own.body.webhook.id}`, { enabled: true, events: ['logsnap.dws.snapshot.deleted'] });
      assert.equal(patched.status, 200);
      assert.equal(patched.body.webhook.enabled, true);
      assert.deepEqual(patched.body.webhook.events, ['logsnap.dws.snapshot.deleted']);
      assert.equal((await api(s, 'DELETE', `${base}/${gen.body.webhook.id}`)).status, 204);
      assert.equal((await api(s, 'DELETE', `${base}/${gen.body.webhook.id}`)).status, 404);
      assert.equal((await api(s, 'GET', `${base}/${gen.body.webhook.id}`)).status, 404);
      assert.equal((await api(s, 'DELETE', `${base}/${own.body.webhook.id}`)).status, 204);
    });

    test('bad input is a 400 that says what to change, and changes nothing', async () => {
      const base = `/admin/v1/projects/${s.projectId}/webhooks`;
      const before = (await api(s, 'GET', base)).body.webhooks.length;
      const cases: [Record<string, unknown>, RegExp][] = [
        [{ url: 'ftp://example.com/x' }, /http:\/\/ or https:\/\//],
        [{ url: 'not a url at all' }, /not an absolute URL/],
        [{ url: 'https://user:pw@example.com/x' }, /user name or password/],
        [{ url: rx.url, secret: 'short' }, /secret/],
        [{ url: rx.url, events: ['logsnap.css.backup.exploded'] }, /matches no event type; known types: logsnap\.css\.backup\.started/],
        [{ url: rx.url, events: [] }, /events/],
        [{ secret: SECRET }, /url/],
      ];
      for (const [body, msg] of cases) {
        const r = await api(s, 'POST', base, body);
        assert.equal(r.status, 400, JSON.stringify(body));
        // schema violations answer the admin API's validation code (APIGW.0201), the rest LOGSNAP.0400
        assert.match(r.body.error_code, /^(LOGSNAP\.0400|APIGW\.0201)$/);
        assert.match(r.body.error_msg, msg);
      }
      assert.equal((await api(s, 'POST', `/admin/v1/projects/0123456789abcdef0123456789abcdef/webhooks`, { url: rx.url })).status, 404);
      assert.equal((await api(s, 'GET', base)).body.webhooks.length, before);
    });

    test('a project manages its own webhooks with its token or AK/SK, never another project\'s', async () => {
      const { token } = await s.rt.deps.projects.issueToken(s.projectId, { ttlSeconds: 600 });
      const mine = `/admin/v1/projects/${s.projectId}/webhooks`;
      const created = await api(s, 'POST', mine, { url: rx.url, secret: SECRET }, { 'x-auth-token': token });
      assert.equal(created.status, 201);
      assert.match(created.body.webhook.created_by, /^token:[0-9a-f]{12}$/);
      assert.equal((await api(s, 'GET', mine, undefined, { 'x-auth-token': token })).body.webhooks.length, 1);
      // the SDK signer works too (the CLI signs this way)
      const listed = await op(s.client(), { method: 'GET', url: '/admin/v1/projects/{project_id}/webhooks' });
      assert.equal(listed.webhooks[0].id, created.body.webhook.id);
      // another project's webhooks: 403 with the token and with the other project's AK/SK
      const theirs = `/admin/v1/projects/${other.id}/webhooks`;
      const denied = await api(s, 'POST', theirs, { url: rx.url }, { 'x-auth-token': token });
      assert.equal(denied.status, 403);
      assert.equal(denied.body.error_code, 'APIGW.0302');
      const e = await opError(sdkClient(s.url, { ak: other.ak, sk: other.sk, projectId: other.id }), { method: 'DELETE', url: `/admin/v1/projects/${s.projectId}/webhooks/${created.body.webhook.id}` });
      assert.equal(e.httpStatusCode, 403);
      // other admin routes stay admin-only
      assert.equal((await api(s, 'GET', '/admin/v1/projects', undefined, { 'x-auth-token': token })).status, 401);
      assert.equal((await api(s, 'GET', mine, undefined, { authorization: 'Bearer wrong-token-000000000' })).status, 401);
      assert.equal((await api(s, 'DELETE', `${mine}/${created.body.webhook.id}`, undefined, { 'x-auth-token': token })).status, 204);
    });

    test('filters: a subscription gets only the types it asked for; a disabled one gets nothing', async () => {
      const base = `/admin/v1/projects/${s.projectId}/webhooks`;
      const only = await subscribe(s, s.projectId, { url: rx.url, secret: SECRET, events: ['logsnap.dws.snapshot.deleted'] });
      const off = await subscribe(s, s.projectId, { url: rx.url, secret: SECRET, enabled: false });
      const sink = s.rt.notify.events;
      const emitted = await s.rt.db.kysely.transaction().execute((trx) =>
        sink.emit(trx, { type: 'logsnap.css.backup.failed', projectId: s.projectId, subject: 'x', data: {} }));
      assert.equal(emitted, null, 'no subscription wants it: nothing is written');
      const wanted = await s.rt.db.kysely.transaction().execute((trx) =>
        sink.emit(trx, { type: 'logsnap.dws.snapshot.deleted', projectId: s.projectId, subject: 'snap-1', data: { snapshot_id: 'snap-1' } }));
      assert.ok(wanted);
      await eventually(async () => rx.received.find((r) => r.id === wanted), 10_000, 'the wanted event');
      assert.equal((await deliveries(s, s.projectId, only)).length, 1);
      assert.equal((await deliveries(s, s.projectId, off)).length, 0);
      const pingOff = await ping(s, s.projectId, off);
      assert.equal(pingOff.status, 409);
      assert.match(pingOff.body.error_msg, /disabled/);
      // disabling cancels deliveries not yet made
      await rx.down();
      const pinged = (await ping(s, s.projectId, only)).body.event_id;
      await eventually(async () => (await deliveries(s, s.projectId, only)).some((d) => d.event_id === pinged && d.attempts >= 1), 10_000, 'a failed attempt');
      await api(s, 'PATCH', `${base}/${only}`, { enabled: false });
      const cancelled = await eventually(async () => (await deliveries(s, s.projectId, only)).find((d) => d.event_id === pinged && d.status === 'CANCELLED'), 10_000, 'the delivery to be cancelled');
      assert.equal(cancelled.last_error, 'the subscription is disabled');
      await rx.up();
      for (const id of [only, off]) await api(s, 'DELETE', `${base}/${id}`);
    });

    // the CLI is the same client whatever the state engine: once, on SQLite (each run spawns a process)
    if (engine === 'sqlite') test('the CLI: add, list (admin token), ping, deliveries, rm', async () => {
      const profile = join(s.dataDir, 'hooks-profile.json');
      writeFileSync(profile, JSON.stringify({ endpoint: s.url, project_id: s.projectId, ak: s.ak, sk: s.sk }));
      const env = { LOGSNAP_CLIENT: profile };
      const add = await cli(['webhook', 'add', '--url', rx.url, '--secret', SECRET, '--events', 'logsnap.css.*,logsnap.dcs.*'], env);
      assert.equal(add.code, 0, add.stderr);
      const id = JSON.parse(add.stdout).webhook.id;
      assert.ok(!add.stdout.includes(SECRET));
      // with the admin token instead of the AK/SK
      const list = await cli(['webhook', 'list', '--admin-token', 'test-admin-token-0123456789', '--project-id', s.projectId, '--endpoint', s.url], {});
      assert.equal(list.code, 0, list.stderr);
      assert.deepEqual(JSON.parse(list.stdout).webhooks.find((w: any) => w.id === id).events, ['logsnap.css.*', 'logsnap.dcs.*']);
      assert.ok(!list.stdout.includes(SECRET));
      const pinged = await cli(['webhook', 'ping', id], env);
      assert.equal(pinged.code, 0, pinged.stderr);
      const eventId = JSON.parse(pinged.stdout).event_id;
      await eventually(async () => (await deliveries(s, s.projectId, id)).some((d) => d.event_id === eventId && d.status === 'DELIVERED'), 10_000, 'the CLI ping delivered');
      const listed = await cli(['webhook', 'deliveries', id, '--status', 'DELIVERED'], env);
      assert.equal(listed.code, 0, listed.stderr);
      assert.equal(JSON.parse(listed.stdout).deliveries[0].event_id, eventId);
      assert.equal((await cli(['webhook', 'rm', id], env)).code, 0);
      assert.equal((await api(s, 'GET', `/admin/v1/projects/${s.projectId}/webhooks/${id}`)).status, 404);
    });
  });

  describe(`the SSRF guard on ${engine}`, { skip }, () => {
    test('private targets are refused at subscription time and at delivery time, saying how to allow them', async () => {
      const rx = await startReceiver(SECRET, verify);
      const open = await startServer({ engine, config: { webhooks: FAST_WEBHOOKS } });
      let strict: TestServer | undefined;
      try {
        // created while private targets were allowed: one by IP, one by name
        const byIp = await subscribe(open, open.projectId, { url: rx.url, secret: SECRET });
        const byName = await subscribe(open, open.projectId, { url: rx.url.replace('127.0.0.1', 'localhost'), secret: SECRET });
        await open.close({ keep: true });
        strict = await startServer({ engine, dataDir: open.dataDir, databaseUrl: open.databaseUrl, config: { webhooks: { ...FAST_WEBHOOKS, allowPrivate: false } } });
        const base = `/admin/v1/projects/${strict.projectId}/webhooks`;
        for (const url of ['http://127.0.0.1:9/x', 'http://localhost:9/x', 'http://[::1]:9/x', 'http://169.254.169.254/latest/meta-data/', 'http://10.0.0.8/x', 'http://[::ffff:192.168.0.1]/x', 'http://[fd00::1]/x', 'http://0.0.0.0:9/x', 'http://224.0.0.1/x']) {
          const r = await api(strict, 'POST', base, { url, secret: SECRET });
          assert.equal(r.status, 400, url);
          assert.match(r.body.error_msg, /SSRF guard/, url);
          assert.match(r.body.error_msg, /LOGSNAP_WEBHOOKS_ALLOW_PRIVATE=true/, url);
          assert.match(r.body.error_msg, /webhooks\.allowPrivate/, url);
        }
        const patch = await api(strict, 'PATCH', `${base}/${byIp}`, { url: 'http://192.168.1.1/x' });
        assert.equal(patch.status, 400);
        // at delivery time: the connection is refused before anything is sent
        for (const id of [byIp, byName]) {
          await ping(strict, strict.projectId, id);
          const d = await eventually(async () => (await deliveries(strict!, strict!.projectId, id)).find((x) => x.attempts >= 1), 10_000, 'a refused attempt');
          assert.equal(d.status, 'PENDING', 'retried (the setting may change)');
          assert.equal(d.attempt_log[0].status_code, null);
          assert.match(d.attempt_log[0].error, /is a loopback address/);
          assert.match(d.attempt_log[0].error, /LOGSNAP_WEBHOOKS_ALLOW_PRIVATE=true/);
        }
        assert.equal(rx.arrivals.length, 0, 'nothing reached the private receiver');
        assert.match(await (await fetch(`${strict.url}/metrics`)).text(), /logsnap_webhook_deliveries_total\{outcome="refused"\} [1-9]/);
      } finally {
        await strict?.close();
        await rx.close();
      }
    });
  });
}
