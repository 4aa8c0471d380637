import type { AppError } from './catalogue.js';

/** Error body style of each service (shared/api/errors.md §2). */
export type ErrorStyle = 'css' | 'dcs' | 'cce' | 'dws' | 'gateway';

const REASONS: Record<number, string> = {
  400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 405: 'MethodNotAllowed',
  409: 'Conflict', 413: 'RequestEntityTooLarge', 415: 'UnsupportedMediaType', 422: 'Invalid', 429: 'TooManyRequests', 500: 'InternalError',
};

/**
 * Render an error in the service's style. Every body carries `error_code` and `error_msg`:
 * that is all the Huawei SDKs read; the live services' own keys are kept beside them.
 */
export function renderError(style: ErrorStyle, err: AppError, requestId: string): Record<string, unknown> {
  const msg = err.detail ? `${err.message} ${err.detail}` : err.message;
  switch (style) {
    case 'css':
      return { errCode: err.code, externalMessage: `${err.code} : ${msg}`, error_code: err.code, error_msg: msg };
    case 'dws':
      return { errCode: err.code, externalMessage: msg, error_code: err.code, error_msg: msg };
    case 'dcs':
      return { error_code: err.code, error_msg: msg, error_ext_msg: null };
    case 'cce':
      return {
        kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: err.status,
        errorCode: err.code, errorMessage: err.message, error_code: err.code, error_msg: msg,
        message: msg, reason: REASONS[err.status] ?? 'Unknown',
      };
    case 'gateway':
      return { error_code: err.code, error_msg: msg, request_id: requestId };
  }
}

/** The code a malformed request maps to, per service. */
export const INVALID_REQUEST: Record<ErrorStyle, 'CSS.0001' | 'DCS.4800' | 'CCE.01400001' | 'DWS.0001' | 'APIGW.0201'> = {
  css: 'CSS.0001',
  dcs: 'DCS.4800',
  cce: 'CCE.01400001',
  dws: 'DWS.0001',
  gateway: 'APIGW.0201',
};
