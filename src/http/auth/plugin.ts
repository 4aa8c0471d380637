import type { FastifyRequest } from 'fastify';
import { appError } from '../errors/catalogue.js';
import { verifyRequest, type VerifyFailure } from './signature.js';
import type { Projects } from '../../projects/projects.js';
import type { Clock } from '../../jobs/queue.js';
import { sha256hex, safeEqual } from '../../security/secrets.js';
import { currentRequest } from '../requestContext.js';

const MESSAGES: Record<VerifyFailure, string> = {
  'missing-authorization': 'Incorrect IAM authentication information: Authorization or X-Auth-Token header is missing',
  'malformed-authorization': 'Incorrect IAM authentication information: Authorization header is not SDK-HMAC-SHA256 Access=..., SignedHeaders=..., Signature=...',
  'unknown-access-key': 'Incorrect IAM authentication information: ak not exist',
  'missing-date': 'Incorrect IAM authentication information: X-Sdk-Date header is missing',
  'bad-date': 'Incorrect IAM authentication information: X-Sdk-Date must be YYYYMMDDTHHMMSSZ (UTC)',
  'clock-skew': 'Incorrect IAM authentication information: X-Sdk-Date is more than 15 minutes away from the server time',
  'missing-signed-header': 'Incorrect IAM authentication information: SignedHeaders must include host and x-sdk-date, and every signed header must be sent',
  'signature-mismatch': 'Incorrect IAM authentication information: verify aksk signature fail',
};

export interface AuthDeps {
  projects: Projects;
  /** token expiry (the test clock in test mode) */
  clock: Clock;
  /**
   * The AK/SK signature's X-Sdk-Date window is checked against the process's real clock, never the
   * test clock: SDK clients sign with their own real clock, so a moved test clock must not make
   * every signature stale.
   */
  wallClock: Clock;
  maxSkewMs: number;
  adminTokenHash: () => string;
}

/** Authenticate a project caller (AK/SK signature, or an X-Auth-Token issued by logsnap). */
export async function authenticateProject(req: FastifyRequest, deps: AuthDeps): Promise<void> {
  const token = req.headers['x-auth-token'];
  if (typeof token === 'string' && !req.headers.authorization) {
    const found = await deps.projects.projectForToken(token);
    if (found === 'expired') throw appError('APIGW.0301', 'Incorrect IAM authentication information: the token has expired');
    if (!found) throw appError('APIGW.0301', 'Incorrect IAM authentication information: the token is not valid');
    req.caller = { projectId: found.projectId, via: 'token', tokenId: sha256hex(token).slice(0, 12) };
  } else {
    const result = await verifyRequest(
      { method: req.method, url: req.raw.url ?? req.url, headers: req.headers, body: req.rawBody ?? Buffer.alloc(0) },
      {
        now: deps.wallClock.now(),
        maxSkewMs: deps.maxSkewMs,
        lookup: async (ak) => {
          const s = await deps.projects.secretFor(ak);
          return s ? { secretKey: s.secretKey, key: s.projectId } : null;
        },
      },
    );
    if (!result.ok) {
      const msg = result.reason === 'unknown-access-key' ? `Incorrect IAM authentication information: ak ${result.accessKey} not exist` : MESSAGES[result.reason];
      req.log.info({ auth_failure: result.reason, ak: result.accessKey }, 'authentication failed');
      throw appError('APIGW.0301', msg);
    }
    req.caller = { projectId: result.key, via: 'aksk', accessKey: result.accessKey };
  }
  const ctx = currentRequest();
  if (ctx) {
    ctx.projectId = req.caller.projectId;
    ctx.caller = req.caller.via === 'aksk' ? `ak:${req.caller.accessKey}` : `token:${req.caller.tokenId}`;
  }
  const params = req.params as Record<string, string> | undefined;
  const pathProject = params?.project_id;
  const headerProject = req.headers['x-project-id'];
  if (typeof headerProject === 'string' && pathProject !== undefined && headerProject !== pathProject) {
    throw appError('APIGW.0302', 'The IAM user is not authorized to access the API: X-Project-Id does not match the project in the path');
  }
  if (pathProject !== undefined && pathProject !== req.caller.projectId) {
    throw appError('APIGW.0302', 'The IAM user is not authorized to access the API: the credential belongs to another project');
  }
}

export function authenticateAdmin(req: FastifyRequest, deps: AuthDeps): void {
  const auth = req.headers.authorization;
  const header = req.headers['x-admin-token'];
  const token = typeof header === 'string' ? header : auth?.startsWith('Bearer ') ? auth.slice(7).trim() : undefined;
  if (!token) throw appError('LOGSNAP.0401', 'Admin API: send the admin token as Authorization: Bearer <token>');
  if (!safeEqual(sha256hex(token), deps.adminTokenHash())) throw appError('LOGSNAP.0401', 'Admin API: the admin token is not valid');
  const ctx = currentRequest();
  if (ctx) ctx.caller = 'admin';
}

/**
 * Routes a project may use on itself and an admin on any project (webhook subscriptions, the
 * console's read API): the admin token when one is sent (Authorization: Bearer or X-Admin-Token)
 * marks the request `admin` (every project); anything else is a project credential (AK/SK
 * signature or X-Auth-Token) restricted to its own project (see http/auth/scope.ts).
 */
export async function authenticateProjectOrAdmin(req: FastifyRequest, deps: AuthDeps): Promise<void> {
  const auth = req.headers.authorization;
  if (typeof req.headers['x-admin-token'] === 'string' || auth?.startsWith('Bearer ')) {
    authenticateAdmin(req, deps);
    req.admin = true;
  } else await authenticateProject(req, deps);
}
