/**
 * The error path end to end: framework and HTTP-parser rejections, unknown paths and methods,
 * bodies and content types, values — every answer logsnap's, in the style of the path's owner
 * (docs/errors.md). The generated fuzz suite (test/fuzz) covers every operation; this file pins
 * the documented cases down one by one.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { Readable } from 'node:stream';
import { engines, startServer, type TestServer } from '../helpers/server.js';
import { op, opError, signRaw } from '../helpers/sdk.js';
import { assertErrorAnswer, send, sendBytes, type Owner } from '../helpers/errors.js';
import { fingerprint, stateDiff } from '../helpers/state.js';

for (const { engine, skip } of await engines()) {
  describe(`error path and input rules on ${engine}`, { skip }, () => {
    let s: TestServer;
    let dir: string;
    const ids: Record<'css' | 'dcs' | 'cce' | 'dws', string> = { css: '', dcs: '', cce: '', dws: '' };
    const signed = (r: { method: string; path: string; query?: string; headers?: Record<string, string>; body?: Buffer }) =>
      send(s.url, { ...r, headers: signRaw(s.url, { ak: s.ak, sk: s.sk, projectId: s.projectId }, r) });
    const admin = (r: { method: string; path: string; query?: string; headers?: Record<string, string>; body?: Buffer }) =>
      send(s.url, { ...r, headers: { authorization: `Bearer ${s.adminToken}`, ...(r.headers ?? {}) } });

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'logsnap-edges-'));
      s = await startServer({ engine });
      const reg = async (service: 'css' | 'dcs' | 'cce' | 'dws', engineConfig: unknown) =>
        (await s.rt.deps.clusters.register({ projectId: s.projectId, service, name: `edges-${service}`, engine: engineConfig })).id;
      ids.css = await reg('css', { nodes: [{ name: 'n1', logDir: dir }] });
      ids.dcs = await reg('dcs', { nodes: [{ replicationId: 'r1', ip: '10.0.0.1', url: 'redis://127.0.0.1:1' }] });
      ids.cce = await reg('cce', { endpoints: ['http://127.0.0.1:1'] });
      ids.dws = await reg('dws', { url: 'postgres://u:p@127.0.0.1:1/db' });
    });
    after(async () => {
      await s?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    test('unknown paths and methods: the owner is derived from the path, Host or mount prefix', async () => {
      const p = s.projectId;
      const cases: [string, string, Owner, number, string, Record<string, string>?][] = [
        ['GET', `/v2/${p}/instances/${ids.dcs}/nothing`, 'dcs', 404, 'DCS.4001'],
        ['GET', `/dcs/v9/nothing`, 'dcs', 404, 'DCS.4001'],
        ['GET', `/v1.0/${p}/clusters/${ids.css}/logs/nothing`, 'css', 404, 'APIGW.0101'],
        ['GET', `/api/v3.1/projects/${p}/nothing`, 'cce', 404, 'APIGW.0101'],
        ['GET', `/v1.0/${p}/snapshots/x/nothing`, 'dws', 404, 'APIGW.0101'],
        ['GET', '/admin/v1/nothing', 'logsnap', 404, 'LOGSNAP.0404'],
        ['GET', '/logsnap/v2/nothing', 'logsnap', 404, 'LOGSNAP.0404'],
        ['GET', '/v9/nothing', 'gateway', 404, 'APIGW.0101'],
        ['GET', '/v9/nothing', 'dcs', 404, 'DCS.4001', { host: 'dcs.localhost' }],
        // a path that exists with other methods: 405 and Allow
        ['DELETE', `/v2/${p}/instances/${ids.dcs}/redislog`, 'dcs', 405, 'DCS.5001'],
        ['PUT', `/dcs/v2/${p}/instances/${ids.dcs}/redislog/x/links`, 'dcs', 405, 'DCS.5001'],
        ['DELETE', `/v1.0/${p}/clusters/${ids.css}/logs/records`, 'css', 405, 'APIGW.0101'],
        ['POST', `/api/v3.1/projects/${p}/clusters/${ids.cce}/operation/snapshot/tasks`, 'cce', 405, 'APIGW.0101'],
        ['PATCH', `/v1.0/${p}/snapshots`, 'dws', 405, 'APIGW.0101'],
        ['PUT', '/admin/v1/projects', 'logsnap', 405, 'LOGSNAP.0405'],
        ['POST', '/healthz', 'gateway', 405, 'APIGW.0101'],
      ];
      for (const [method, path, owner, status, code, headers] of cases) {
        const a = await send(s.url, { method, path, headers });
        const what = `${method} ${path}`;
        assert.equal(a.status, status, what);
        const b = assertErrorAnswer(a, owner, what);
        assert.equal(b.error_code, code, what);
        if (status === 405) assert.match(String(a.headers.allow), /^[A-Z]+(, [A-Z]+)*$/, `${what}: Allow`);
      }
      const a = await send(s.url, { method: 'DELETE', path: `/v2/${p}/instances/x/redislog` });
      assert.equal(a.headers.allow, 'GET, HEAD, POST');
    });

    test('malformed percent-encoding and long path parameters: 400 in the owner\'s style, before any route runs', async () => {
      const p = s.projectId;
      const cases: [string, Owner][] = [
        [`/v1.0/${p}/clusters/%E0%A4%A/logs/records`, 'css'],
        [`/css/v1.0/${p}/clusters/%ZZ`, 'css'],
        [`/v2/${p}/instances/%FF/redislog`, 'dcs'],
        [`/v2/${p}/instances/%ED%A0%80/redislog`, 'dcs'], // a UTF-8-encoded lone surrogate
        [`/api/v3.1/projects/${p}/clusters/%C0%AF/operation/snapshot/tasks`, 'cce'], // overlong UTF-8
        [`/autopilot/v3.1/projects/${p}/clusters/${'c'.repeat(150)}/operation/snapshot/tasks`, 'cce'],
        [`/v1.0/${p}/snapshots/${'s'.repeat(101)}`, 'dws'],
        [`/v1.0/${p}/clusters/${ids.dws}/snapshots?sort_dir=%ZZ`, 'dws'],
        [`/v2/${p}/clusters/%/snapshot-policies`, 'dws'],
        ['/admin/v1/projects/%FF/credentials', 'logsnap'],
        ['/v9/%ZZ', 'gateway'],
      ];
      for (const [path, owner] of cases) {
        const [pth, query] = path.split('?');
        const a = await signed({ method: 'GET', path: pth, query, headers: { 'content-type': 'application/json' } });
        assert.equal(a.status, 400, path);
        const b = assertErrorAnswer(a, owner, path);
        assert.equal(b.error_code, { css: 'CSS.0001', dcs: 'DCS.4800', cce: 'CCE.01400001', dws: 'DWS.0001', logsnap: 'LOGSNAP.0400', gateway: 'APIGW.0201' }[owner], path);
      }
      // control characters decoded from a path or query (NUL, newline): 400, after authentication
      for (const [path, query] of [[`/v2/${p}/instances/a%00b/redislog`, 'log_type=run'], [`/v2/${p}/instances/${ids.dcs}/redislog`, 'log_type=run&x=%0A']]) {
        const a = await signed({ method: 'GET', path, query });
        assert.equal(assertErrorAnswer(a, 'dcs', path).error_code, 'DCS.4800');
        assert.match(JSON.parse(a.text).error_msg, /control character/);
      }
    });

    test('HTTP limits: 413 body, 414 request target, 431 headers — gateway body with a request id', async () => {
      const big = await admin({ method: 'POST', path: '/admin/v1/projects', headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify({ name: 'x'.repeat(1_100_000) })) });
      assert.equal(big.status, 413);
      assert.equal(assertErrorAnswer(big, 'logsnap', '413').error_code, 'APIGW.0201');
      const long = await send(s.url, { method: 'GET', path: `/v2/${s.projectId}/instances/x/redislog`, query: `log_type=run&x=${'a'.repeat(9000)}` });
      assert.equal(long.status, 414);
      assert.match(assertErrorAnswer(long, 'dcs', '414').error_msg, /Request URI too large/);
      // over Node's 16 KiB header limit (request line included): Node's parser rejects it, logsnap answers
      const huge = await sendBytes(s.url, [`GET /v9/x?${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`]);
      assert.equal(huge.status, 431);
      assert.equal(assertErrorAnswer(huge, 'gateway', '431').error_code, 'APIGW.0201');
      const headers = await sendBytes(s.url, [`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(17_000)}\r\nConnection: close\r\n\r\n`]);
      assert.equal(headers.status, 431);
      assertErrorAnswer(headers, 'gateway', '431 header');
    });

    test('requests Node would answer itself: malformed HTTP, no Host, Expect — all answered by logsnap', async () => {
      const garbage = await sendBytes(s.url, ['GARBAGE / NOTHTTP\r\n\r\n']);
      assert.equal(garbage.status, 400);
      assertErrorAnswer(garbage, 'gateway', 'malformed request line');
      const badHeader = await sendBytes(s.url, ['GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n']);
      assert.equal(badHeader.status, 400);
      assertErrorAnswer(badHeader, 'gateway', 'malformed header');
      const noHost = await sendBytes(s.url, ['GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n']);
      assert.equal(noHost.status, 400);
      assert.match(assertErrorAnswer(noHost, 'gateway', 'no Host').error_msg, /Host header/);
      const http10 = await sendBytes(s.url, ['GET /healthz HTTP/1.0\r\n\r\n']);
      assert.equal(http10.status, 200, 'HTTP/1.0 needs no Host');
      const expect = await sendBytes(s.url, ['POST /admin/v1/projects HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}']);
      assert.equal(expect.status, 417);
      assertErrorAnswer(expect, 'gateway', 'Expect');
      const h2 = await sendBytes(s.url, ['PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n']);
      assert.equal(h2.status, 400);
      assertErrorAnswer(h2, 'gateway', 'HTTP/2 preface');
      const both = await sendBytes(s.url, ['POST /admin/v1/projects HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n{}']);
      assert.equal(both.status, 400, 'Content-Length with Transfer-Encoding (request smuggling shape)');
      assertErrorAnswer(both, 'gateway', 'CL+TE');
    });

    test('the one request Node handles itself: CONNECT gets no answer at all — the connection is closed, zero bytes', async () => {
      const u = new URL(s.url);
      const bytes = await new Promise<number>((resolve, reject) => {
        const sock = connect(Number(u.port), u.hostname);
        let n = 0;
        sock.on('data', (d) => (n += d.length));
        sock.on('error', (e) => ((e as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(e)));
        sock.on('close', () => resolve(n));
        sock.on('connect', () => sock.write('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n'));
      });
      assert.equal(bytes, 0);
    });

    test('a request that does not arrive in time: 408 in the gateway body, then the connection closes', async () => {
      const slow = await startServer({ engine, config: { server: { requestTimeoutSeconds: 1 } } });
      try {
        // headers never finished: the server's own timer answers (no client-side waiting or timing)
        const a = await sendBytes(slow.url, ['GET /healthz HTTP/1.1\r\nHost: x\r\n'], { keepOpen: true });
        assert.equal(a.status, 408);
        assert.equal(assertErrorAnswer(a, 'gateway', '408').error_code, 'APIGW.0201');
      } finally {
        await slow.close();
      }
    });

    test('bodies: only application/json (any case, any parameters) is read; anything else is 400 in the owner\'s style and changes nothing', async () => {
      const c = s.client();
      const before = await fingerprint(s);
      const body = Buffer.from(JSON.stringify({ snapshot: { name: 'snap-ct', cluster_id: ids.dws } }));
      const path = `/v1.0/${s.projectId}/snapshots`;
      for (const ct of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'multipart/form-data; boundary=x', 'application/octet-stream', 'text/json', 'application/json-patch+json', 'json', undefined]) {
        const a = await signed({ method: 'POST', path, headers: ct ? { 'content-type': ct } : {}, body });
        assert.equal(a.status, 400, String(ct));
        const b = assertErrorAnswer(a, 'dws', String(ct));
        assert.equal(b.error_code, 'DWS.0001', String(ct));
        assert.match(b.error_msg, /Content-Type/, String(ct));
      }
      // CCE's own code for it, through the SDK with a form content type
      const form = await opError(c, { method: 'POST', url: '/v1.0/{project_id}/clusters/{cluster_id}/logs/open', pathParams: { cluster_id: ids.css }, data: { agency: 'a' }, contentType: 'application/xml' });
      assert.equal(form.httpStatusCode, 400);
      assert.equal(form.errorCode, 'CSS.0001');
      assert.match(form.errorMsg!, /Content-Type: application\/json \(got "application\/xml"\)/);
      assert.deepEqual(stateDiff(before, await fingerprint(s)), []);
      // accepted: any case, any parameters (the DWS client declares application/json;charset=UTF-8)
      for (const ct of ['Application/JSON', 'application/json; charset=UTF-8', 'APPLICATION/JSON;charset=utf-8;foo=bar']) {
        const a = await signed({ method: 'POST', path, headers: { 'content-type': ct }, body: Buffer.from(JSON.stringify({ snapshot: { name: 'x', cluster_id: ids.dws } })) });
        assert.equal(a.status, 400, ct);
        assert.match(JSON.parse(a.text).error_msg, /snapshot\/name/, `${ct}: read and validated as JSON`);
      }
      // invalid UTF-8 and malformed JSON: 400; a BOM is allowed (RFC 8259)
      const bad = Buffer.concat([Buffer.from('{"snapshot":{"name":"ab'), Buffer.from([0xff, 0xfe]), Buffer.from(`cd","cluster_id":"${ids.dws}"}}`)]);
      const a1 = await signed({ method: 'POST', path, headers: { 'content-type': 'application/json' }, body: bad });
      assert.match(assertErrorAnswer(a1, 'dws', 'invalid UTF-8').error_msg, /not valid UTF-8/);
      const a2 = await signed({ method: 'POST', path, headers: { 'content-type': 'application/json' }, body: Buffer.from('{"snapshot":') });
      assert.match(assertErrorAnswer(a2, 'dws', 'malformed JSON').error_msg, /not valid JSON/);
      const bom = await signed({ method: 'POST', path, headers: { 'content-type': 'application/json' }, body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"snapshot":{"name":"x"}}')]) });
      assert.match(JSON.parse(bom.text).error_msg, /snapshot\/name|snapshot must have/);
      assert.deepEqual(stateDiff(before, await fingerprint(s)), []);
    });

    test('a missing body where one is required: 400 "request is empty" in the owner\'s codes', async () => {
      const cases: [string, string, Owner, string][] = [
        ['POST', `/v1.0/${s.projectId}/snapshots`, 'dws', 'DWS.0006'],
        ['POST', `/v1.0/${s.projectId}/clusters/${ids.css}/logs/policy/update`, 'css', 'CSS.0006'],
        ['PUT', `/v2/${s.projectId}/clusters/${ids.dws}/snapshot-policies`, 'dws', 'DWS.0006'],
      ];
      for (const [method, path, owner, code] of cases) {
        const a = await signed({ method, path, headers: { 'content-type': 'application/json' } });
        assert.equal(assertErrorAnswer(a, owner, path).error_code, code, path);
      }
      const a = await admin({ method: 'POST', path: '/admin/v1/projects' });
      assert.equal(assertErrorAnswer(a, 'logsnap', 'admin').error_code, 'LOGSNAP.0400');
      // an optional body may be absent
      const cred = await admin({ method: 'POST', path: `/admin/v1/projects/${s.projectId}/credentials` });
      assert.equal(cred.status, 201);
    });

    test('operations without a body ignore one: the SDK\'s {} and any stray bytes are neither parsed nor refused', async () => {
      const path = `/v2/${s.projectId}/instances/${ids.dcs}/redislog/no-such-file/links`;
      for (const [ct, body] of [['application/json', '{}'], ['application/json', '{"not":'], ['text/plain', 'hello']] as const) {
        const a = await signed({ method: 'POST', path, headers: { 'content-type': ct }, body: Buffer.from(body) });
        assert.equal(a.status, 404, `${ct} ${body}: the operation ran (unknown log id), the body was ignored`);
        assert.equal(assertErrorAnswer(a, 'dcs', body).error_code, 'DCS.4961');
      }
    });

    test('query values: canonical decimal text only, within bounds; no coercion, no clamping', async () => {
      const c = s.client();
      const list = (q: Record<string, unknown>) => opError(c, { method: 'GET', url: '/v2/{project_id}/instances/{instance_id}/redislog', pathParams: { instance_id: ids.dcs }, queryParams: { log_type: 'run', ...q } });
      for (const v of ['1e3', '1E1', '0x10', 'Infinity', '-Infinity', 'NaN', '1.5', '10.0', '+5', '05', ' 5', '', 'abc', '1001', '0', '99999999999999999999']) {
        const e = await list({ limit: v });
        assert.equal(e.httpStatusCode, 400, `limit=${v}`);
        assert.equal(e.errorCode, 'DCS.4800', `limit=${v}`);
      }
      for (const v of ['-1', '1000001', '1e6']) assert.equal((await list({ offset: v })).httpStatusCode, 400, `offset=${v}`);
      for (const v of ['7.0', '1e0', '2', 'seven']) {
        const e = await opError(c, { method: 'POST', url: '/v2/{project_id}/instances/{instance_id}/redislog', pathParams: { instance_id: ids.dcs }, queryParams: { log_type: 'run', query_time: v } });
        assert.equal(e.httpStatusCode, 400, `query_time=${v}`);
      }
      const e = await list({ limit: ['1', '2'] });
      assert.equal(e.httpStatusCode, 400, 'a repeated scalar');
      assert.match((await list({ log_type: 'RUN' })).errorMsg!, /must be one of: "run"/);
      const ok = await op(c, { method: 'GET', url: '/v2/{project_id}/instances/{instance_id}/redislog', pathParams: { instance_id: ids.dcs }, queryParams: { log_type: 'run', limit: 1000, offset: 1000000 } });
      assert.equal(ok.httpStatusCode, 204, 'the bounds themselves are fine');
      const bool = await opError(c, { method: 'GET', url: '/v3/projects', queryParams: { enabled: 'yes' } });
      assert.equal(bool.httpStatusCode, 400);
      assert.equal(bool.errorCode, 'APIGW.0201');
      const jobs = await admin({ method: 'GET', path: '/admin/v1/jobs', query: 'limit=1e2' });
      assert.equal(assertErrorAnswer(jobs, 'logsnap', 'limit=1e2').error_code, 'LOGSNAP.0400');
    });

    test('body values: the contract\'s constraints, nested objects included; clean text; numbers in range', async () => {
      const c = s.client();
      const before = await fingerprint(s);
      const restore = (r: Record<string, unknown>) => opError(c, { method: 'POST', url: '/v1.0/{project_id}/snapshots/{snapshot_id}/actions', pathParams: { snapshot_id: 'nope' }, data: { restore: { name: 'restored-1', ...r } } });
      const create = (sn: Record<string, unknown>) => opError(c, { method: 'POST', url: '/v1.0/{project_id}/snapshots', data: { snapshot: { name: 'snap-1', cluster_id: ids.dws, ...sn } } });
      const policy = (b: Record<string, unknown>) => opError(c, { method: 'PUT', url: '/v2/{project_id}/clusters/{cluster_id}/snapshot-policies', pathParams: { cluster_id: ids.dws }, data: b });
      const cases: [string, Promise<{ httpStatusCode: number; errorCode?: string; errorMsg?: string }>, string][] = [
        ['restore.port 0', restore({ port: 0 }), 'DWS.0001'],
        ['restore.port 65536', restore({ port: 65536 }), 'DWS.0001'],
        ['restore.port 8000.5', restore({ port: 8000.5 }), 'DWS.0001'],
        ['restore.public_ip.public_bind_type', restore({ public_ip: { public_bind_type: 'sometimes' } }), 'DWS.0001'],
        ['restore.public_ip.band_width -1', restore({ public_ip: { band_width: -1 } }), 'DWS.0001'],
        ['restore.number_of_cn 0', restore({ number_of_cn: 0 }), 'DWS.0001'],
        ['restore.name pattern', restore({ name: '1-starts-with-a-digit' }), 'DWS.5057'],
        ['restore.name lone surrogate', restore({ name: 'name\ud800x' }), 'DWS.5057'],
        ['restore.vpc_id 65 chars', restore({ vpc_id: 'v'.repeat(65) }), 'DWS.0001'],
        ['snapshot.name NUL', create({ name: 'snap\u0000x' }), 'DWS.0001'],
        ['snapshot.name newline', create({ name: 'snap\nx' }), 'DWS.0001'],
        ['snapshot.description forbidden char', create({ description: 'a = b' }), 'DWS.0001'],
        ['snapshot.description lone surrogate', create({ description: 'x\udc00' }), 'DWS.0001'],
        ['snapshot.cluster_id number', create({ cluster_id: 7 }), 'DWS.0001'],
        ['keep_day 0', policy({ keep_day: 0 }), 'DWS.0001'],
        ['keep_day 32', policy({ keep_day: 32 }), 'DWS.0001'],
        ['backup_strategies[0].time_zone_offset 1441', policy({ backup_strategies: [{ backup_strategy: '0 0 2 * * ?', time_zone_offset: 1441 }] }), 'DWS.0001'],
        ['backup_strategies[0] missing backup_strategy', policy({ backup_strategies: [{ policy_name: 'p' }] }), 'DWS.0001'],
        ['server_port 99999x', policy({ server_port: '9x' }), 'DWS.0001'],
        ['server_ips 33 items', policy({ server_ips: Array(33).fill('10.0.0.1') }), 'DWS.0001'],
      ];
      for (const [what, p, code] of cases) {
        const e = await p;
        assert.equal(e.httpStatusCode, 400, `${what}: ${e.errorMsg}`);
        assert.equal(e.errorCode, code, what);
      }
      const css = (d: Record<string, unknown>) => opError(c, { method: 'POST', url: '/v1.0/{project_id}/clusters/{cluster_id}/logs/open', pathParams: { cluster_id: ids.css }, data: { agency: 'css_obs_agency', log_bucket: 'css-logs', log_base_path: 'css/log', ...d } });
      assert.equal((await css({ agency: 'a\tb' })).errorCode, 'CSS.5130', 'the agency field names its own code');
      assert.equal((await css({ log_bucket: 'b'.repeat(64) })).errorCode, 'CSS.0001');
      assert.equal((await css({ log_base_path: 'p'.repeat(513) })).errorCode, 'CSS.0001');
      assert.equal((await css({ keep_days: 3651 })).errorCode, 'CSS.0001');
      assert.equal((await css({ unknown_field: 'x\ud800' })).errorCode, 'CSS.0001', 'extra fields are ignored, but must be clean text too');
      // a number past what JSON can hold, raw: Infinity after parsing → 400, never clamped
      const raw = Buffer.from('{"keep_day":1e400}');
      const a = await signed({ method: 'PUT', path: `/v2/${s.projectId}/clusters/${ids.dws}/snapshot-policies`, headers: { 'content-type': 'application/json' }, body: raw });
      assert.equal(assertErrorAnswer(a, 'dws', '1e400').error_code, 'DWS.0001');
      const deep = Buffer.from(`{"keep_day":1,"x":${'['.repeat(40)}${']'.repeat(40)}}`);
      const d = await signed({ method: 'PUT', path: `/v2/${s.projectId}/clusters/${ids.dws}/snapshot-policies`, headers: { 'content-type': 'application/json' }, body: deep });
      assert.match(assertErrorAnswer(d, 'dws', 'deep').error_msg, /nest deeper than 32/);
      assert.deepEqual(stateDiff(before, await fingerprint(s)), [], 'no rejected call changed anything');
    });

    test('a download range past the end: 416 LOGSNAP.0416 with Content-Range, in the gateway body', async () => {
      await s.rt.store.put('edges-test', 'a/file.txt', Readable.from([Buffer.from('0123456789')]));
      const url = await s.rt.store.presignGet('edges-test', 'a/file.txt', s.rt.deps.clock.now() + 60_000);
      const u = new URL(url);
      const a = await send(s.url, { method: 'GET', path: u.pathname, query: u.search.slice(1), headers: { range: 'bytes=50-60' } });
      assert.equal(a.status, 416);
      assert.equal(a.headers['content-range'], 'bytes */10');
      assert.equal(a.headers['content-disposition'], undefined);
      assert.equal(assertErrorAnswer(a, 'logsnap', '416').error_code, 'LOGSNAP.0416');
    });
  });
}
