/**
 * Clients for the tests, built from the official Huawei Cloud SDK core
 * (@huaweicloud/huaweicloud-sdk-core): BasicCredentials + ClientBuilder.withEndpoint → HcClient.
 * The generated service clients (CssClient, DcsClient, …) are thin: each operation builds an
 * options object {method, url, contentType, queryParams, pathParams, headers, data} and calls
 * hcClient.sendRequest(options). The service packages are not on the npm registry reachable
 * here, so `op()` below builds exactly those options; signing and transport are the SDK's.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { BasicCredentials } = require('@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials');
const { ClientBuilder } = require('@huaweicloud/huaweicloud-sdk-core/ClientBuilder');

export interface SdkOptions {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  pathParams?: Record<string, string>;
  queryParams?: Record<string, unknown>;
  data?: unknown;
  contentType?: string;
}

export interface SdkError extends Error {
  httpStatusCode: number;
  errorCode?: string;
  errorMsg?: string;
  requestId?: string;
}

export interface HcClient {
  sendRequest(options: Record<string, unknown>): Promise<Record<string, unknown> & { httpStatusCode: number }>;
}

export function sdkClient(endpoint: string, cred: { ak: string; sk: string; projectId?: string; securityToken?: string }): HcClient {
  let c = new BasicCredentials().withAk(cred.ak).withSk(cred.sk);
  if (cred.projectId) c = c.withProjectId(cred.projectId);
  if (cred.securityToken) c = c.withSecurityToken(cred.securityToken);
  const hc = new ClientBuilder((h: HcClient) => h).withCredential(c).withEndpoint(endpoint).build();
  // The SDK logs every non-2xx at ERROR with the whole axios error; tests assert on errors on purpose.
  if (!process.env.LOGSNAP_TEST_SDK_LOG) {
    const quiet = { debug() {}, info() {}, warn() {}, error() {} };
    (hc as unknown as { httpClient: { _logger: unknown } }).httpClient._logger = quiet;
  }
  return hc;
}

/** Send one operation the way a generated SDK client does. Resolves with the SDK's response object. */
export function op(client: HcClient, o: SdkOptions): Promise<Record<string, any> & { httpStatusCode: number }> {
  const options: Record<string, unknown> = {
    method: o.method,
    url: o.url,
    contentType: o.contentType ?? 'application/json',
    queryParams: { ...(o.queryParams ?? {}) },
    pathParams: { ...(o.pathParams ?? {}) },
    headers: {},
  };
  if (o.data !== undefined) options.data = o.data;
  return client.sendRequest(options);
}

/** Run an operation expected to fail; returns the SDK exception (ClientRequestException etc.). */
export async function opError(client: HcClient, o: SdkOptions): Promise<SdkError> {
  try {
    const r = await op(client, o);
    throw Object.assign(new Error(`expected an error, got HTTP ${r.httpStatusCode}: ${JSON.stringify(r)}`), { unexpected: true });
  } catch (e) {
    if ((e as { unexpected?: boolean }).unexpected) throw e;
    return e as SdkError;
  }
}


const lastHeaders = new WeakMap<HcClient, Record<string, string>>();
/** Remember the response headers the SDK's axios saw (the SDK hands back only the body). */
function watchHeaders(c: HcClient): void {
  if (lastHeaders.has(c)) return;
  lastHeaders.set(c, {});
  const axios = (c as unknown as { httpClient: { _axiosInstance: { interceptors: { response: { use(ok: (r: any) => any): void } } } } }).httpClient._axiosInstance;
  axios.interceptors.response.use((r) => {
    lastHeaders.set(c, { ...r.headers });
    return r;
  });
}

/** `op()`, also returning the response headers (X-Request-Id, X-Logsnap-Job-Id …), lower-case keys. */
export async function opWithHeaders(client: HcClient, o: SdkOptions): Promise<{ body: Record<string, any> & { httpStatusCode: number }; headers: Record<string, string> }> {
  watchHeaders(client);
  const body = await op(client, o);
  return { body, headers: lastHeaders.get(client) ?? {} };
}

const { AKSKSigner } = require('@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner');

export interface RawRequest {
  method: string;
  /** path as sent, already percent-encoded (may be malformed on purpose) */
  path: string;
  /** query as sent, already encoded, without "?" (may be malformed on purpose) */
  query?: string;
  /** extra headers (lower-case names); `content-type` as sent, or absent */
  headers?: Record<string, string>;
  body?: Buffer;
}

/** How the SDK signer and logsnap read one raw query piece: decoded when it decodes, else as is. */
function decodeOrKeep(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, '%20'));
  } catch {
    return s;
  }
}

/**
 * Headers for a raw request signed by the official SDK signer (AKSKSigner.sign, the call
 * BasicCredentials.processAuthRequest makes): X-Project-Id, X-Sdk-Date, Authorization. As in
 * the SDK, a body that is not JSON is signed as UNSIGNED-PAYLOAD; bytes that are not the
 * compact JSON of a value (malformed on purpose) are signed with their sha256 in
 * X-Sdk-Content-Sha256, which the signer then uses as the payload hash.
 */
export function signRaw(endpoint: string, cred: { ak: string; sk: string; projectId: string }, r: RawRequest): Record<string, string> {
  const headers: Record<string, string> = { ...(r.headers ?? {}), 'X-Project-Id': cred.projectId };
  const queryParams: Record<string, string | string[]> = {};
  for (const part of (r.query ?? '').split('&')) {
    if (!part) continue;
    const i = part.indexOf('=');
    const k = decodeOrKeep(i < 0 ? part : part.slice(0, i));
    const v = i < 0 ? '' : decodeOrKeep(part.slice(i + 1));
    const prev = queryParams[k];
    queryParams[k] = prev === undefined ? v : [...[prev].flat(), v];
  }
  let data: unknown;
  const ct = r.headers?.['content-type'];
  if (r.body && r.body.length > 0) {
    if (!ct || !ct.toLowerCase().includes('application/json')) headers['X-Sdk-Content-Sha256'] = 'UNSIGNED-PAYLOAD';
    else {
      let parsed: unknown;
      try {
        parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(r.body));
      } catch {
        parsed = undefined;
      }
      if (parsed !== undefined && parsed !== null && typeof parsed === 'object' && Buffer.from(JSON.stringify(parsed)).equals(r.body)) data = parsed;
      else headers['X-Sdk-Content-Sha256'] = createHash('sha256').update(r.body).digest('hex');
    }
  }
  const credential = new BasicCredentials().withAk(cred.ak).withSk(cred.sk);
  const signed: Record<string, string> = AKSKSigner.sign({ endpoint: endpoint + r.path, method: r.method, headers, queryParams, data }, credential);
  return signed;
}
