import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { engines, eventually, startServer, type TestServer } from '../helpers/server.js';
import { startReceiver, type Receiver, type Verifier } from '../helpers/webhookReceiver.js';
import { api, deliveries, docsVerifier, FAST_WEBHOOKS, ping, subscribe } from './helpers.js';

const SECRET = 'whsec-delivery-test-secret-0001';
const verify: Verifier = await docsVerifier();

// Delivery through the outbox: signed, retried with back-off until the receiver answers, once per
// event id, attempts listed; given up after webhooks.retryForSeconds. See docs/notifications.md.
for (const { engine, skip } of await engines()) {
  describe(`webhook delivery on ${engine}`, { skip }, () => {
    let s: TestServer;
    let rx: Receiver;
    const logLines: string[] = [];
    before(async () => {
      rx = await startReceiver(SECRET, verify);
      s = await startServer({ engine, logLines, config: { webhooks: FAST_WEBHOOKS, jobs: { leaseSeconds: 3 } } });
    });
    after(async () => {
      await s?.close();
      await rx?.close();
    });

    test('a ping arrives signed (the docs recipe verifies it), as a CloudEvent, and its delivery is listed', async () => {
      const id = await subscribe(s, s.projectId, { url: rx.url, secret: SECRET });
      const sent = await ping(s, s.projectId, id);
      assert.equal(sent.status, 202);
      const got = await eventually(async () => rx.received.find((r) => r.id === sent.body.event_id), 10_000, 'the ping');
      assert.equal(got.verified, true, got.verifyError);
      assert.deepEqual(Object.keys(got.event).sort(), ['data', 'datacontenttype', 'id', 'source', 'specversion', 'subject', 'time', 'type']);
      assert.equal(got.event.specversion, '1.0');
      assert.equal(got.event.type, 'logsnap.webhook.ping');
      assert.equal(got.event.subject, id);
      assert.equal(got.event.source, `/projects/${s.projectId}`);
      assert.equal(got.event.datacontenttype, 'application/json');
      assert.equal(got.event.data.requested_by, 'admin');
      assert.equal(got.headers['content-type'], 'application/cloudevents+json; charset=utf-8');
      assert.equal(got.headers['logsnap-event-id'], sent.body.event_id);
      assert.equal(got.headers['logsnap-event-type'], 'logsnap.webhook.ping');
      assert.equal(got.headers['logsnap-delivery-attempt'], '1');
      assert.match(String(got.headers['logsnap-signature']), /^t=\d{10},v1=[0-9a-f]{64}$/);
      // a tampered body or another secret does not verify
      assert.throws(() => verify(Buffer.from(got.raw.replace('ping', 'pong')), String(got.headers['logsnap-signature']), SECRET), /signature mismatch/);
      assert.throws(() => verify(Buffer.from(got.raw), String(got.headers['logsnap-signature']), 'another-secret-0000000'), /signature mismatch/);
      const ds = await eventually(async () => {
        const list = await deliveries(s, s.projectId, id);
        return list[0]?.status === 'DELIVERED' ? list : undefined;
      }, 5000, 'the delivery to be recorded');
      assert.equal(ds.length, 1);
      assert.equal(ds[0].event_id, sent.body.event_id);
      assert.equal(ds[0].attempts, 1);
      assert.equal(ds[0].last_status_code, 204);
      assert.equal(ds[0].attempt_log.length, 1);
      assert.equal(ds[0].attempt_log[0].status_code, 204);
      assert.equal(ds[0].attempt_log[0].error, null);
      assert.equal(typeof ds[0].attempt_log[0].latency_ms, 'number');
      const withEvent = await deliveries(s, s.projectId, id, '&include=event');
      assert.equal(JSON.stringify(withEvent[0].event), got.raw, 'the event is kept exactly as sent');
      await api(s, 'DELETE', `/admin/v1/projects/${s.projectId}/webhooks/${id}`);
    });

    test('a receiver that is down and comes back gets every event, once per id, after retries', async () => {
      await rx.down();
      const id = await subscribe(s, s.projectId, { url: rx.url, secret: SECRET });
      const before = rx.received.length;
      const sent: string[] = [];
      for (let i = 0; i < 6; i++) sent.push((await ping(s, s.projectId, id)).body.event_id);
      // every delivery fails at least twice while the receiver is down
      await eventually(async () => (await deliveries(s, s.projectId, id)).every((d) => d.attempts >= 2 && d.status === 'PENDING'), 15_000, 'retries');
      const pending = await deliveries(s, s.projectId, id);
      for (const d of pending) {
        assert.match(d.attempt_log[0].error, /ECONNREFUSED/);
        assert.equal(d.attempt_log[0].status_code, null);
        assert.equal(typeof d.next_attempt_at, 'number');
      }
      const rows = await s.rt.db.kysely.selectFrom('webhook_attempts').select(['delivery_id', 'at']).orderBy('attempt').execute();
      const first = pending[0].attempt_log;
      assert.ok(first[1].at - first[0].at >= 50, 'back-off between attempts (half the base at least, with jitter)');
      assert.ok(rows.length >= 12);
      await rx.up();
      await eventually(async () => sent.every((e) => rx.received.some((r) => r.id === e)), 15_000, 'every event after the receiver came back');
      const mine = rx.received.slice(before);
      assert.deepEqual([...new Set(mine.map((r) => r.id))].sort(), [...sent].sort());
      for (const [eid, n] of rx.countById()) if (sent.includes(eid)) assert.equal(n, 1, `event ${eid} delivered ${n} times`);
      assert.ok(mine.every((r) => r.verified));
      // the retried attempts are signed anew; the event (body, id) is the same
      assert.ok(mine.every((r) => Number(r.headers['logsnap-delivery-attempt']) >= 2));
      const done = await eventually(async () => {
        const list = await deliveries(s, s.projectId, id);
        return list.every((d) => d.status === 'DELIVERED') ? list : undefined;
      }, 5000, 'deliveries recorded');
      for (const d of done) {
        assert.equal(d.attempt_log.at(-1).status_code, 204);
        assert.equal(d.attempts, d.attempt_log.length);
      }
      const metrics = await (await fetch(`${s.url}/metrics`)).text();
      assert.match(metrics, /logsnap_webhook_deliveries_total\{outcome="failed"\} \d+/);
      assert.match(metrics, /logsnap_webhook_deliveries_total\{outcome="delivered"\} \d+/);
      assert.match(metrics, /logsnap_webhook_events_total\{type="logsnap.webhook.ping"\} \d+/);
      assert.match(metrics, /logsnap_outbox_oldest_pending_seconds \d/);
    });

    test('a delivery is given up after webhooks.retryForSeconds, and can be sent again by hand', async () => {
      // a subscription to a port nothing listens on; the runtime's give-up limit is short here
      const dead = await startServer({ engine, config: { webhooks: { ...FAST_WEBHOOKS, retryForSeconds: 1 } } });
      try {
        await rx.down();
        const id = await subscribe(dead, dead.projectId, { url: rx.url, secret: SECRET });
        const eventId = (await ping(dead, dead.projectId, id)).body.event_id;
        const failed = await eventually(async () => {
          await dead.rt.scheduler!.runOnce();
          const d = (await deliveries(dead, dead.projectId, id))[0];
          return d?.status === 'FAILED' ? d : undefined;
        }, 15_000, 'the delivery to be given up');
        assert.ok(failed.attempts >= 1);
        assert.equal(failed.next_attempt_at, null);
        // counted by the process once the give-up is written: a moment after the row says FAILED
        await eventually(async () => /logsnap_webhook_deliveries_total\{outcome="gave_up"\} 1/.test(await (await fetch(`${dead.url}/metrics`)).text()), 10_000, 'the gave_up metric');
        await rx.up();
        const again = await api(dead, 'POST', `/admin/v1/projects/${dead.projectId}/webhooks/${id}/deliveries/${failed.id}/redeliver`);
        assert.equal(again.status, 202);
        assert.equal(again.body.event_id, eventId);
        await eventually(async () => rx.received.some((r) => r.id === eventId), 10_000, 'the redelivery');
      } finally {
        await dead.close();
      }
    });

    test('per-attempt timeout and redirects: a hung receiver times out, a 3xx is a failure; both are retried', async () => {
      const quick = await startServer({ engine, config: { webhooks: { ...FAST_WEBHOOKS, timeoutSeconds: 0.5 }, jobs: { leaseSeconds: 3 } } });
      try {
        const id = await subscribe(quick, quick.projectId, { url: rx.url, secret: SECRET });
        rx.mode = 'hang';
        const eventId = (await ping(quick, quick.projectId, id)).body.event_id;
        const timedOut = await eventually(async () => (await deliveries(quick, quick.projectId, id)).find((d) => d.attempt_log.length >= 1), 10_000, 'a timed-out attempt');
        assert.match(timedOut.attempt_log[0].error, /took longer than 500 ms/);
        assert.equal(timedOut.attempt_log[0].status_code, null);
        rx.mode = 302;
        const redirected = await eventually(async () => (await deliveries(quick, quick.projectId, id))[0].attempt_log.find((a: any) => a.status_code === 302), 10_000, 'a redirected attempt');
        assert.match(redirected.error, /redirects are not followed/);
        rx.mode = 'ok';
        await eventually(async () => rx.received.find((r) => r.id === eventId), 10_000, 'the delivery once the receiver answers');
      } finally {
        rx.mode = 'ok';
        await quick.close();
      }
    });

    test('no secret in deliveries, attempts or logs', async () => {
      const texts = [
        JSON.stringify(await s.rt.db.kysely.selectFrom('webhook_deliveries').selectAll().execute()),
        JSON.stringify(await s.rt.db.kysely.selectFrom('webhook_attempts').selectAll().execute()),
        JSON.stringify(await s.rt.db.kysely.selectFrom('webhook_events').selectAll().execute()),
        JSON.stringify(await s.rt.db.kysely.selectFrom('outbox').selectAll().execute()),
        JSON.stringify((await api(s, 'GET', `/admin/v1/projects/${s.projectId}/webhooks`)).body),
        logLines.join('\n'),
      ];
      assert.ok(logLines.some((l) => l.includes('webhook delivery')), 'failed attempts are logged');
      for (const t of texts) assert.ok(!t.includes(SECRET), 'the webhook secret leaked');
      const stored = await s.rt.db.kysely.selectFrom('webhook_subscriptions').select('secret_enc').execute();
      assert.ok(stored.every((r) => r.secret_enc.startsWith('v1:') && !r.secret_enc.includes(SECRET)), 'stored encrypted');
    });
  });
}
