import { InvalidObjectNameError, validateBucket, validateKey } from '../../storage/objectStore.js';
import { isPeriod, parsePeriod } from './period.js';

/** The body of StartLogs / UpdateLogSetting, with every spelling the SDKs and Terraform send. */
export interface LogSettingBody {
  agency?: string;
  log_base_path?: string;
  logBasePath?: string;
  log_bucket?: string;
  logBucket?: string;
  log_Bucket?: string;
  auto_enable?: boolean;
  period?: string;
  index_prefix?: string;
  keep_days?: number;
  target_cluster_id?: string;
}

export interface LogSettingValues {
  agency: string;
  bucket: string;
  basePath: string;
  autoEnable: boolean;
  period: string | null;
}

/** A rejected field, with the error code CSS uses for it. */
export class SettingInputError extends Error {
  constructor(readonly code: 'CSS.0001' | 'CSS.5130', message: string) {
    super(message);
  }
}

/** The bucket / base path / agency a body names, whichever spelling it uses (snake_case wins). */
export function pickAliases(body: LogSettingBody): { agency?: string; bucket?: string; basePath?: string } {
  return {
    agency: body.agency,
    bucket: body.log_bucket ?? body.logBucket ?? body.log_Bucket,
    basePath: body.log_base_path ?? body.logBasePath,
  };
}

const AGENCY_RE = /^[A-Za-z0-9_-]{1,64}$/;
const BASE_PATH_FORBIDDEN = /[\\:*?"<>|'{}]/;

export function checkAgency(agency: string): void {
  if (!AGENCY_RE.test(agency)) {
    throw new SettingInputError('CSS.5130', `agency ${JSON.stringify(agency)}: use 1–64 letters, digits, "-" or "_"`);
  }
}

export function checkBucket(bucket: string): void {
  try {
    validateBucket(bucket);
  } catch (e) {
    if (e instanceof InvalidObjectNameError) throw new SettingInputError('CSS.0001', `log_bucket: ${e.message}`);
    throw e;
  }
}

/**
 * OBS base path rules from the CSS API reference, plus what an object key needs: no
 * `\ : * ? " < > | ' { }`, no leading `/`, no leading/trailing `.`, no run of more than two
 * `/` or `.`, at most 512 characters; and (stricter, so keys stay valid) no `.`/`..` segment.
 * A trailing `/` and `//` inside are tolerated and normalised away when keys are built.
 */
export function checkBasePath(path: string): void {
  const fail = (why: string) => {
    throw new SettingInputError('CSS.0001', `log_base_path ${JSON.stringify(path)}: ${why}`);
  };
  if (path.length === 0) fail('must not be empty');
  if (path.length > 512) fail('must be at most 512 characters');
  if (BASE_PATH_FORBIDDEN.test(path)) fail('must not contain \\ : * ? " < > | \' { }');
  if (path.startsWith('/')) fail('must not start with "/"');
  if (path.startsWith('.') || path.endsWith('.')) fail('must not start or end with "."');
  if (/\/{3,}/.test(path) || /\.{3,}/.test(path)) fail('must not contain more than two consecutive "/" or "."');
  const norm = normaliseBasePath(path);
  if (norm === '') fail('must name a folder');
  try {
    validateKey(norm);
  } catch {
    fail('must be a relative folder path without "." or ".." segments or control characters');
  }
}

/** `a//b/` → `a/b`: the prefix object keys are built from. */
export function normaliseBasePath(path: string): string {
  return path.split('/').filter((s) => s !== '').join('/');
}

export function checkPeriod(period: string): void {
  const p = parsePeriod(period);
  if (!isPeriod(p)) throw new SettingInputError('CSS.0001', p.error);
}

/**
 * Merge a StartLogs/UpdateLogSetting body over the current values (none for StartLogs) and
 * validate the result. Throws SettingInputError naming the first bad field.
 */
export function resolveSettings(body: LogSettingBody, current: LogSettingValues | null): LogSettingValues {
  const a = pickAliases(body);
  const agency = a.agency ?? current?.agency;
  const bucket = a.bucket ?? current?.bucket;
  const basePath = a.basePath ?? current?.basePath;
  const missing = [!agency && 'agency', !bucket && 'log_bucket', !basePath && 'log_base_path'].filter(Boolean);
  if (missing.length) throw new SettingInputError('CSS.0001', `${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} required to back logs up to OBS`);
  checkAgency(agency!);
  checkBucket(bucket!);
  checkBasePath(basePath!);
  const autoEnable = body.auto_enable ?? current?.autoEnable ?? false;
  let period = body.period ?? current?.period ?? null;
  if (autoEnable) {
    if (!period) throw new SettingInputError('CSS.0001', 'period is required when auto_enable is true (e.g. "00:00 GMT+08:00")');
    checkPeriod(period);
  } else {
    if (body.period !== undefined) checkPeriod(body.period);
    period = null;
  }
  return { agency: agency!, bucket: bucket!, basePath: basePath!, autoEnable, period };
}
