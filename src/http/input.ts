/**
 * Request text before schema validation: the URL's encoding and the JSON body's media type,
 * encoding and syntax (docs/errors.md, "Input rules"). Pure functions; app.ts raises the errors.
 */

const RAW_OUTSIDE_URL_CHARS = /[^\x21-\x7e]/;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Why a request target (path and query as on the request line) is not acceptable text, or null:
 * characters outside printable ASCII must be percent-encoded; every percent-encoding must be
 * valid and decode to UTF-8 (so no lone surrogates); decoded path segments, query names and
 * values must not contain control characters (NUL, newline, C1, …).
 */
export function urlProblem(url: string): string | null {
  if (RAW_OUTSIDE_URL_CHARS.test(url)) return 'The URL has characters that must be percent-encoded.';
  if (!url.includes('%')) return null;
  const q = url.indexOf('?');
  const pieces = (q < 0 ? url : url.slice(0, q)).split('/');
  if (q >= 0) for (const pair of url.slice(q + 1).split('&')) pieces.push(...pair.split('=').map((p) => p.replace(/\+/g, ' ')));
  for (const p of pieces) {
    if (!p.includes('%')) continue;
    let text: string;
    try {
      text = decodeURIComponent(p);
    } catch {
      return 'The URL is malformed: a percent-encoding is invalid or does not decode to UTF-8.';
    }
    if (CONTROL.test(text)) return 'The URL has a control character (NUL, newline, …) in a path segment or query parameter.';
  }
  return null;
}

/** `application/json`, any case, with any parameters (`; charset=utf-8`). */
export function isJsonMediaType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const semi = contentType.indexOf(';');
  return (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase() === 'application/json';
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A JSON body's value, or the reason it is not JSON text in UTF-8. */
export function parseJson(raw: Buffer): { value: unknown } | { problem: string } {
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    return { problem: 'The request body is not valid UTF-8.' };
  }
  try {
    return { value: JSON.parse(text) };
  } catch (e) {
    return { problem: `The request body is not valid JSON: ${(e as Error).message.replace(/[^\x20-\x7e]/g, '?').slice(0, 200)}` };
  }
}
