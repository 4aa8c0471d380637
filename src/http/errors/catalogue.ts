/**
 * The one catalogue of error codes logsnap answers with, with their HTTP status and the
 * message Huawei documents (shared/api/errors.md §3). Throw `appError(key, message?, detail?)`;
 * the renderer (./render.ts) picks the body shape from the service that owns the path.
 *
 * A key is the wire code, except where Huawei answers one code with several statuses (the API
 * gateway's `APIGW.0201` is 400, 413, 414, …): then the key is `<code>@<status>` and `code`
 * names the wire code. docs/errors.md lists every entry (a unit test keeps it complete).
 */
export const CATALOGUE = {
  // API gateway (any service): authentication, routing and HTTP-level limits
  'APIGW.0101': { status: 404, message: 'The API does not exist or has not been published in the environment.' },
  'APIGW.0101@405': { code: 'APIGW.0101', status: 405, message: 'The API does not exist.' },
  'APIGW.0201': { status: 400, message: 'API request error.' },
  'APIGW.0201@408': { code: 'APIGW.0201', status: 408, message: 'Request timeout.' },
  'APIGW.0201@413': { code: 'APIGW.0201', status: 413, message: 'Request entity too large.' },
  'APIGW.0201@414': { code: 'APIGW.0201', status: 414, message: 'Request URI too large.' },
  'APIGW.0201@417': { code: 'APIGW.0201', status: 417, message: 'Expectation failed.' },
  'APIGW.0201@431': { code: 'APIGW.0201', status: 431, message: 'Request headers too large.' },
  'APIGW.0301': { status: 401, message: 'Incorrect IAM authentication information.' },
  'APIGW.0302': { status: 403, message: 'The IAM user is not authorized to access the API.' },
  'APIGW.0500': { status: 500, message: 'Internal server error.' },
  // logsnap's own APIs (admin, jobs, downloads)
  'LOGSNAP.0400': { status: 400, message: 'Invalid request.' },
  'LOGSNAP.0401': { status: 401, message: 'Authentication required.' },
  'LOGSNAP.0403': { status: 403, message: 'Forbidden.' },
  'LOGSNAP.0404': { status: 404, message: 'Not found.' },
  'LOGSNAP.0405': { status: 405, message: 'Method not allowed.' },
  'LOGSNAP.0409': { status: 409, message: 'Conflict.' },
  'LOGSNAP.0416': { status: 416, message: 'Range not satisfiable.' },
  'LOGSNAP.0500': { status: 500, message: 'Internal error.' },
  // CSS
  'CSS.0001': { status: 400, message: 'Incorrect parameters.' },
  'CSS.0004': { status: 415, message: 'Invalid operation.' },
  'CSS.0005': { status: 500, message: 'Server error.' },
  'CSS.0006': { status: 400, message: 'Request is null; request parameters required.' },
  'CSS.0010': { status: 403, message: 'Instance ID or user ID is null, or the operation is not authorized.' },
  'CSS.0011': { status: 409, message: 'Another operation is in progress or the instance is faulty. Try again later.' },
  'CSS.0015': { status: 403, message: 'No resources are found or the access is denied.' },
  'CSS.0016': { status: 404, message: 'Resource not found.' },
  'CSS.0036': { status: 400, message: 'Internal error.' },
  'CSS.0040': { status: 422, message: 'Parameter cannot be processed.' },
  'CSS.0047': { status: 400, message: 'The cluster does not exist or has been deleted.' },
  'CSS.0048': { status: 400, message: 'The OBS bucket does not exist or cannot be accessed.' },
  'CSS.3004': { status: 409, message: 'Backup is in progress.' },
  'CSS.3027': { status: 404, message: 'The cluster does not exist!' },
  'CSS.5090': { status: 400, message: 'Operation not allowed in this status.' },
  'CSS.5130': { status: 400, message: 'Invalid agency name.' },
  'CSS.6013': { status: 400, message: 'Another operation is being performed on the cluster.' },
  'CSS.9999': { status: 500, message: 'Failed to process the request.' },
  // DCS
  'DCS.1001': { status: 401, message: 'Invalid token.' },
  'DCS.1002': { status: 401, message: 'Token expired.' },
  'DCS.1003': { status: 401, message: 'No token in the request.' },
  'DCS.1004': { status: 401, message: 'Project ID does not match the token.' },
  'DCS.3022': { status: 404, message: 'This DCS instance does not exist.' },
  'DCS.4001': { status: 404, message: 'The requested URL does not exist.' },
  'DCS.4002': { status: 400, message: 'Invalid project ID format.' },
  'DCS.4049': { status: 400, message: 'The instance status is not running.' },
  'DCS.4061': { status: 400, message: 'Invalid instance ID format.' },
  'DCS.4800': { status: 400, message: 'Invalid parameter in the request.' },
  'DCS.4961': { status: 404, message: 'The log file does not exist.' },
  'DCS.5000': { status: 500, message: 'Internal service error.' },
  'DCS.5001': { status: 405, message: 'Request method not allowed.' },
  // CCE
  'CCE.01400001': { status: 400, message: 'Invalid request.' },
  'CCE.01400006': { status: 400, message: 'Content type not supported.' },
  'CCE.01401001': { status: 401, message: 'Authorization failed.' },
  'CCE.01403001': { status: 403, message: 'Forbidden.' },
  'CCE.01404001': { status: 404, message: 'Resource not found.' },
  'CCE.01409001': { status: 409, message: 'The resource already exists.' },
  'CCE.01409002': { status: 409, message: 'Resource updated with out-of-date version.' },
  'CCE.01429002': { status: 429, message: 'Resource locked by other requests.' },
  'CCE.01500001': { status: 500, message: 'Internal error.' },
  // DWS
  'DWS.0001': { status: 400, message: 'Incorrect parameter.' },
  'DWS.0005': { status: 500, message: 'Server failure.' },
  'DWS.0006': { status: 400, message: 'Request is empty.' },
  'DWS.0011': { status: 409, message: 'Another operation is in progress on the instance, or the instance is faulty.' },
  'DWS.0015': { status: 403, message: 'Resource not found or permission denied.' },
  'DWS.5001': { status: 400, message: 'Invalid instance name.' },
  'DWS.5050': { status: 409, message: 'The cluster name already exists.' },
  'DWS.5057': { status: 400, message: 'Invalid cluster name.' },
  'DWS.5149': { status: 400, message: 'The snapshot ID is invalid.' },
  'DWS.7023': { status: 403, message: 'Cluster status is not allowed to operation.' },
} as const satisfies Record<string, { code?: string; status: number; message: string }>;

/** A catalogue key (see above: the wire code, or `<code>@<status>`). */
export type ErrorCode = keyof typeof CATALOGUE;

/** The code sent on the wire (`error_code`) for a catalogue key. */
export function wireCode(key: ErrorCode): string {
  const e: { code?: string; status: number } = CATALOGUE[key];
  return e.code ?? key;
}

export class AppError extends Error {
  readonly status: number;
  /** what the client sees as `error_code` */
  readonly wireCode: string;
  /** response headers the answer needs (e.g. `Allow` on a 405, `Content-Range` on a 416) */
  headers?: Record<string, string>;
  constructor(
    readonly code: ErrorCode,
    /** replaces the catalogue message when given (must not contain secrets) */
    message?: string,
    /** extra, user-actionable detail appended to the message */
    readonly detail?: string,
  ) {
    super(message ?? CATALOGUE[code].message);
    this.name = 'AppError';
    this.status = CATALOGUE[code].status;
    this.wireCode = wireCode(code);
  }
}

export function appError(code: ErrorCode, message?: string, detail?: string, headers?: Record<string, string>): AppError {
  const e = new AppError(code, message, detail);
  if (headers) e.headers = headers;
  return e;
}
