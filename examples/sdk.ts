/**
 * The official Huawei Cloud SDK core (@huaweicloud/huaweicloud-sdk-core), as the generated service
 * clients use it: BasicCredentials + ClientBuilder.withEndpoint → an HcClient whose sendRequest()
 * signs (SDK-HMAC-SHA256) and sends one operation. A generated client (CssClient, DcsClient, …)
 * builds exactly these request options in each of its methods; with the service package installed,
 * call its methods instead, built the same way: `CssClient.newBuilder().withCredential(c).withEndpoint(ls.endpoint)`.
 */
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials.js';
import { ClientBuilder } from '@huaweicloud/huaweicloud-sdk-core/ClientBuilder.js';
import type { HcClient } from '@huaweicloud/huaweicloud-sdk-core/HcClient.js';

export function huaweiClient(endpoint: string, c: { ak: string; sk: string; projectId: string }): HcClient {
  const credentials = new BasicCredentials().withAk(c.ak).withSk(c.sk).withProjectId(c.projectId);
  const client = new ClientBuilder((hc: HcClient) => hc).withCredential(credentials).withEndpoint(endpoint).build();
  // The SDK logs every non-2xx answer at ERROR level, with the whole HTTP exchange. Tests that
  // provoke errors on purpose usually quiet it (an internal of the SDK core: keep or drop this line).
  (client as unknown as { httpClient: { _logger: unknown } }).httpClient._logger = { debug() {}, info() {}, warn() {}, error() {} };
  return client;
}

export interface Operation {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** the path template of the operation; {project_id} is filled in by the SDK */
  url: string;
  pathParams?: Record<string, string>;
  queryParams?: Record<string, unknown>;
  data?: Record<string, unknown>;
}

/** One operation, sent the way a generated client sends it; resolves with the JSON answer. */
export async function call(client: HcClient, op: Operation): Promise<Record<string, any>> {
  const res = await client.sendRequest({
    method: op.method, url: op.url, contentType: 'application/json', headers: {},
    pathParams: op.pathParams ?? {}, queryParams: op.queryParams ?? {}, ...(op.data === undefined ? {} : { data: op.data }),
  });
  return res as Record<string, any>;
}

/** The SDK's exception for a non-2xx answer: httpStatusCode, errorCode, errorMsg, requestId. */
export async function callError(client: HcClient, op: Operation): Promise<{ httpStatusCode: number; errorCode?: string; errorMsg?: string }> {
  try {
    await call(client, op);
  } catch (e) {
    return e as { httpStatusCode: number; errorCode?: string; errorMsg?: string };
  }
  throw new Error(`${op.method} ${op.url} succeeded; an error was expected`);
}

/** Poll until fn returns something truthy (jobs run in the background). */
export async function until<T>(fn: () => Promise<T | undefined | null | false>, what: string, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
