/**
 * What every non-2xx answer must look like (shared/api/errors.md §1–§2, docs/errors.md),
 * written down independently of the server code so tests can hold it to it.
 */
import assert from 'node:assert/strict';
import { request, Agent } from 'node:http';
import { connect } from 'node:net';

export type Owner = 'css' | 'dcs' | 'cce' | 'dws' | 'logsnap' | 'gateway';

/** The codes each owner answers framework-level rejections with (docs/errors.md, "Framework answers"). */
export const OWNER_EXPECT: Record<Owner, { prefix: string; invalid: string; contentType: string; missingBody: string }> = {
  css: { prefix: 'CSS.', invalid: 'CSS.0001', contentType: 'CSS.0001', missingBody: 'CSS.0006' },
  dcs: { prefix: 'DCS.', invalid: 'DCS.4800', contentType: 'DCS.4800', missingBody: 'DCS.4800' },
  cce: { prefix: 'CCE.', invalid: 'CCE.01400001', contentType: 'CCE.01400006', missingBody: 'CCE.01400001' },
  dws: { prefix: 'DWS.', invalid: 'DWS.0001', contentType: 'DWS.0001', missingBody: 'DWS.0006' },
  logsnap: { prefix: 'LOGSNAP.', invalid: 'LOGSNAP.0400', contentType: 'LOGSNAP.0400', missingBody: 'LOGSNAP.0400' },
  gateway: { prefix: 'APIGW.', invalid: 'APIGW.0201', contentType: 'APIGW.0201', missingBody: 'APIGW.0201' },
};

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** A Fastify (or any framework) default error body, which must never reach a client. */
export function isFrameworkBody(text: string): boolean {
  if (/FST_ERR|"statusCode"\s*:/.test(text)) return true;
  try {
    const b = JSON.parse(text) as Record<string, unknown>;
    return !!b && typeof b === 'object' && 'error' in b && 'message' in b && !('error_code' in b);
  } catch {
    return false;
  }
}

/**
 * Assert a non-2xx answer is logsnap's: 4xx unless `allow5xx`, an X-Request-Id of 32 hex, a JSON body with
 * error_code and error_msg, in the owner's style (gateway body for APIGW.* and LOGSNAP.* codes, and the
 * code's prefix is the owner's otherwise). Returns the body.
 */
export function assertErrorAnswer(a: Answer, owner: Owner, what: string): Record<string, any> {
  assert.ok(a.status >= 400 && a.status < 500, `${what}: expected a 4xx, got ${a.status}: ${a.text.slice(0, 300)}`);
  const id = a.headers['x-request-id'];
  assert.match(String(id ?? ''), /^[0-9a-f]{32}$/, `${what}: X-Request-Id`);
  assert.equal(isFrameworkBody(a.text), false, `${what}: a framework default body reached the client: ${a.text.slice(0, 300)}`);
  let b: Record<string, any>;
  try {
    b = JSON.parse(a.text);
  } catch {
    throw new assert.AssertionError({ message: `${what}: the error body is not JSON: ${a.text.slice(0, 200)}` });
  }
  assert.equal(typeof b.error_code, 'string', `${what}: error_code`);
  assert.equal(typeof b.error_msg, 'string', `${what}: error_msg`);
  assert.ok(b.error_msg.length > 0, `${what}: error_msg is empty`);
  const gatewayCode = /^(APIGW|LOGSNAP)\./.test(b.error_code);
  const style = gatewayCode || owner === 'gateway' || owner === 'logsnap' ? 'gateway' : owner;
  if (!gatewayCode) assert.ok(b.error_code.startsWith(OWNER_EXPECT[owner].prefix), `${what}: code ${b.error_code} is not a ${owner.toUpperCase()} code`);
  if (owner === 'logsnap' && !b.error_code.startsWith('APIGW.')) assert.ok(b.error_code.startsWith('LOGSNAP.'), `${what}: logsnap APIs answer LOGSNAP.* codes`);
  const keys = Object.keys(b).sort();
  switch (style) {
    case 'gateway':
      assert.deepEqual(keys, ['error_code', 'error_msg', 'request_id'], `${what}: gateway body`);
      assert.equal(b.request_id, id, `${what}: request_id = X-Request-Id`);
      break;
    case 'dcs':
      assert.deepEqual(keys, ['error_code', 'error_ext_msg', 'error_msg'], `${what}: DCS body`);
      assert.equal(b.error_ext_msg, null);
      break;
    case 'css':
      assert.deepEqual(keys, ['errCode', 'error_code', 'error_msg', 'externalMessage'], `${what}: CSS body`);
      assert.equal(b.externalMessage, `${b.error_code} : ${b.error_msg}`);
      break;
    case 'dws':
      assert.deepEqual(keys, ['errCode', 'error_code', 'error_msg', 'externalMessage'], `${what}: DWS body`);
      assert.equal(b.errCode, b.error_code);
      break;
    case 'cce':
      assert.equal(b.kind, 'Status', `${what}: CCE Status body`);
      assert.equal(b.code, a.status);
      assert.equal(b.errorCode, b.error_code);
      break;
  }
  return b;
}

const agent = new Agent({ keepAlive: true, maxSockets: 4 });

/** Send exactly these bytes of path, query, headers and body (node:http; no re-encoding). */
export function send(base: string, r: { method: string; path: string; query?: string; headers?: Record<string, string>; body?: Buffer }): Promise<Answer> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: u.hostname, port: u.port, method: r.method, path: r.path + (r.query ? `?${r.query}` : ''), headers: r.headers, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(r.body);
  });
}

/**
 * Write raw bytes to a fresh connection and read until the server closes it (or, when `until`
 * matches what was read, stop): for requests Node's HTTP parser rejects before Fastify.
 */
export function sendBytes(base: string, chunks: (string | Buffer)[], opts: { keepOpen?: boolean } = {}): Promise<Answer> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const sock = connect(Number(u.port), u.hostname);
    const got: Buffer[] = [];
    sock.on('data', (d) => got.push(d));
    sock.on('error', (e) => ((e as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(e)));
    sock.on('close', () => {
      const raw = Buffer.concat(got).toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3}) [^\r]*\r\n([\s\S]*?)\r\n\r\n([\s\S]*)$/.exec(raw);
      if (!m) return reject(new Error(`no HTTP answer: ${JSON.stringify(raw.slice(0, 200))}`));
      const headers: Record<string, string> = {};
      for (const line of m[2].split('\r\n')) {
        const i = line.indexOf(':');
        headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      resolve({ status: Number(m[1]), headers, text: Buffer.from(m[3], 'latin1').toString('utf8') });
    });
    sock.on('connect', () => {
      for (const c of chunks) sock.write(c);
      if (!opts.keepOpen) sock.end();
    });
  });
}
