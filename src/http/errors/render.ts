import type { AppError, ErrorCode } from './catalogue.js';

/** Error body style of each service (shared/api/errors.md §2). */
export type ErrorStyle = 'css' | 'dcs' | 'cce' | 'dws' | 'gateway';

/**
 * Who owns a path, and so which codes its errors carry: a Huawei service, logsnap's own APIs
 * (admin, jobs, downloads: `LOGSNAP.*` codes in the gateway body) or the gateway itself
 * (IAM project lookup, health, unknown paths: `APIGW.*`).
 */
export type ErrorOwner = 'css' | 'dcs' | 'cce' | 'dws' | 'logsnap' | 'gateway';

const REASONS: Record<number, string> = {
  400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 405: 'MethodNotAllowed', 408: 'Timeout',
  409: 'Conflict', 413: 'RequestEntityTooLarge', 414: 'RequestURITooLong', 415: 'UnsupportedMediaType', 416: 'RequestedRangeNotSatisfiable',
  417: 'ExpectationFailed', 422: 'Invalid', 429: 'TooManyRequests', 431: 'RequestHeaderFieldsTooLarge', 500: 'InternalError',
};

/**
 * The body shape of an error: the owner's, except that API-gateway (`APIGW.*`) and logsnap
 * (`LOGSNAP.*`) codes always use the gateway body — the Huawei gateway answers those before
 * any service sees the request.
 */
export function styleFor(owner: ErrorOwner, wireCode: string): ErrorStyle {
  if (owner === 'logsnap' || owner === 'gateway' || wireCode.startsWith('APIGW.') || wireCode.startsWith('LOGSNAP.')) return 'gateway';
  return owner;
}

/**
 * Render an error in the service's style. Every body carries `error_code` and `error_msg`:
 * that is all the Huawei SDKs read; the live services' own keys are kept beside them.
 */
export function renderError(style: ErrorStyle, err: AppError, requestId: string): Record<string, unknown> {
  const msg = err.detail ? `${err.message} ${err.detail}` : err.message;
  const code = err.wireCode;
  switch (style) {
    case 'css':
      return { errCode: code, externalMessage: `${code} : ${msg}`, error_code: code, error_msg: msg };
    case 'dws':
      return { errCode: code, externalMessage: msg, error_code: code, error_msg: msg };
    case 'dcs':
      return { error_code: code, error_msg: msg, error_ext_msg: null };
    case 'cce':
      return {
        kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: err.status,
        errorCode: code, errorMessage: err.message, error_code: code, error_msg: msg,
        message: msg, reason: REASONS[err.status] ?? 'Unknown',
      };
    case 'gateway':
      return { error_code: code, error_msg: msg, request_id: requestId };
  }
}

/** The codes each owner answers the HTTP-level failures with (docs/errors.md, "Framework answers"). */
export interface OwnerCodes {
  /** malformed parameters, URL, JSON, or a value the schema refuses */
  invalid: ErrorCode;
  /** an operation that takes a JSON body got another Content-Type */
  contentType: ErrorCode;
  /** an operation that requires a body got none */
  missingBody: ErrorCode;
  /** no operation at this path */
  notFound: ErrorCode;
  /** the path exists with other methods */
  methodNotAllowed: ErrorCode;
  /** an unexpected failure (logged with the request id) */
  internal: ErrorCode;
}

export const OWNER_CODES: Record<ErrorOwner, OwnerCodes> = {
  css: { invalid: 'CSS.0001', contentType: 'CSS.0001', missingBody: 'CSS.0006', notFound: 'APIGW.0101', methodNotAllowed: 'APIGW.0101@405', internal: 'CSS.9999' },
  dcs: { invalid: 'DCS.4800', contentType: 'DCS.4800', missingBody: 'DCS.4800', notFound: 'DCS.4001', methodNotAllowed: 'DCS.5001', internal: 'DCS.5000' },
  cce: { invalid: 'CCE.01400001', contentType: 'CCE.01400006', missingBody: 'CCE.01400001', notFound: 'APIGW.0101', methodNotAllowed: 'APIGW.0101@405', internal: 'CCE.01500001' },
  dws: { invalid: 'DWS.0001', contentType: 'DWS.0001', missingBody: 'DWS.0006', notFound: 'APIGW.0101', methodNotAllowed: 'APIGW.0101@405', internal: 'DWS.0005' },
  logsnap: { invalid: 'LOGSNAP.0400', contentType: 'LOGSNAP.0400', missingBody: 'LOGSNAP.0400', notFound: 'LOGSNAP.0404', methodNotAllowed: 'LOGSNAP.0405', internal: 'LOGSNAP.0500' },
  gateway: { invalid: 'APIGW.0201', contentType: 'APIGW.0201', missingBody: 'APIGW.0201', notFound: 'APIGW.0101', methodNotAllowed: 'APIGW.0101@405', internal: 'APIGW.0500' },
};

/** The code a malformed request maps to, per owner (kept for callers of the earlier API). */
export const INVALID_REQUEST: Record<ErrorOwner, ErrorCode> = Object.fromEntries(
  Object.entries(OWNER_CODES).map(([o, c]) => [o, c.invalid]),
) as Record<ErrorOwner, ErrorCode>;
