/**
 * Example: a test suite driving logsnap with the official Huawei Cloud SDK, using the test levers
 * to reach, in seconds, paths that take a day in the real cloud:
 *   - a CSS automatic (Auto) log backup firing at its daily time,
 *   - a DCS run-log download link expiring after 24 h,
 *   - a log backup failing with a given message.
 *
 * Run it: node --import tsx --conditions=logsnap-source --test examples/node-test/sdk-levers.test.ts
 * (in your own project, after `npm install logsnap`: node --test your-test.js). The DCS part needs a
 * Redis server on 127.0.0.1:6379 (logsnap reads real Redis logs); it is skipped without one.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLogsnap, type Logsnap } from 'logsnap/testing';
import { call, huaweiClient, until } from '../sdk.js';

const RECORDS = '/v1.0/{project_id}/clusters/{cluster_id}/logs/records';
let ls: Logsnap;
let clusterId: string;

before(async () => {
  ls = await startLogsnap();
  // a CSS cluster: one node whose log folder logsnap backs up
  const logDir = mkdtempSync(join(tmpdir(), 'es-logs-'));
  writeFileSync(join(logDir, 'es-cluster.log'), '[2026-01-01T00:00:00,000][INFO ][o.e.n.Node] started\n'.repeat(200));
  clusterId = (await ls.registerCluster({ service: 'css', name: 'es', engine: { nodes: [{ name: 'es-1', logDir }] } })).id;
});
after(() => ls.close());

test('an automatic log backup fires when the clock passes its daily time', async () => {
  const css = huaweiClient(`${ls.endpoint}/css`, ls);
  const pathParams = { cluster_id: clusterId };
  await call(css, { method: 'POST', url: '/v1.0/{project_id}/clusters/{cluster_id}/logs/open', pathParams, data: { agency: 'css_obs_agency', log_bucket: 'css-logs', log_base_path: 'css/log' } });
  await call(css, { method: 'POST', url: '/v1.0/{project_id}/clusters/{cluster_id}/logs/policy/update', pathParams, data: { period: '00:00 GMT+08:00' } });
  assert.equal((await call(css, { method: 'GET', url: RECORDS, pathParams })).totalSize, 0);

  await ls.clock.advance('25h'); // the daily slot has passed; the backup is already scheduled

  const listed = await call(css, { method: 'GET', url: RECORDS, pathParams });
  assert.equal(listed.totalSize, 1);
  assert.equal(listed.clusterLogRecord[0].jobTypes, 'Auto');
  const done = await until(async () => {
    const r = (await call(css, { method: 'GET', url: RECORDS, pathParams })).clusterLogRecord[0];
    return r.status !== 'RUNNING' && r;
  }, 'the Auto backup to finish');
  assert.equal(done.status, 'SUCCESS');
});

test('a log backup fails with the injected message, as a real failure shows it', async () => {
  const css = huaweiClient(`${ls.endpoint}/css`, ls);
  const pathParams = { cluster_id: clusterId };
  await ls.faults.add({ service: 'css', job: 'css.log-backup', effect: { type: 'fail', message: 'disk quota exceeded' } });
  const started = await call(css, { method: 'POST', url: '/v1.0/{project_id}/clusters/{cluster_id}/logs/collect', pathParams });
  assert.equal(started.httpStatusCode, 200);
  const record = await until(async () => {
    const r = (await call(css, { method: 'GET', url: RECORDS, pathParams })).clusterLogRecord.find((x: any) => x.jobTypes === 'Manual');
    return r?.status !== 'RUNNING' && r;
  }, 'the backup to end');
  assert.equal(record.status, 'FAIL');
  assert.match(record.failedMsg, /^object store: writing css-logs\/css\/log\/.+ failed: disk quota exceeded$/);
});

const redisUp = await new Promise<boolean>((resolve) => {
  const s = connect(6379, '127.0.0.1', () => (s.end(), resolve(true))).on('error', () => resolve(false));
});

test('a run-log download link works for 24 hours, then is refused', { skip: redisUp ? false : 'no Redis on 127.0.0.1:6379' }, async () => {
  const logFile = join(mkdtempSync(join(tmpdir(), 'redis-log-')), 'redis.log');
  writeFileSync(logFile, `1:M ${new Date().toUTCString().slice(5, 16)} 00:00:00.000 * Ready to accept connections\n`);
  const instance = await ls.registerCluster({
    service: 'dcs', name: 'cache', engine: { timeZone: 'UTC', nodes: [{ replicationId: 'node-0', ip: '10.0.0.5', url: 'redis://127.0.0.1:6379', logFile }] },
  });
  const dcs = huaweiClient(`${ls.endpoint}/dcs`, ls);
  const pathParams = { instance_id: instance.id };
  await call(dcs, { method: 'POST', url: '/v2/{project_id}/instances/{instance_id}/redislog', pathParams, queryParams: { log_type: 'run', query_time: 0 } });
  const file = await until(async () => {
    const r = await call(dcs, { method: 'GET', url: '/v2/{project_id}/instances/{instance_id}/redislog', pathParams, queryParams: { log_type: 'run' } });
    return r.file_list?.[0]?.status === 'succeed' && r.file_list[0];
  }, 'the run log to be collected');
  const { link } = await call(dcs, { method: 'POST', url: '/v2/{project_id}/instances/{instance_id}/redislog/{id}/links', pathParams: { ...pathParams, id: file.id } });
  assert.equal((await fetch(link)).status, 200);

  await ls.clock.advance('23h');
  assert.equal((await fetch(link)).status, 200, 'still valid after 23 h');
  await ls.clock.advance('1h');
  assert.equal((await fetch(link)).status, 403, 'refused after 24 h');
});
