import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import FindMyWay from 'find-my-way';
import { appError, type AppError } from './http/errors/catalogue.js';
import { OWNER_CODES, type ErrorOwner } from './http/errors/render.js';
import { ownerOfPath } from './http/errors/owner.js';
import { answerOf, clientErrorHandler, MAX_PARAM_LENGTH, MAX_URL_LENGTH, rawError, toAppError } from './http/errors/framework.js';
import { hardenSchema, validatorCompiler } from './http/schema.js';
import { isJsonMediaType, parseJson, urlProblem } from './http/input.js';
import { authenticateAdmin, authenticateProject, authenticateProjectOrAdmin, type AuthDeps } from './http/auth/plugin.js';
import type { RouteGroup } from './http/route.js';
import type { Metrics } from './observability/metrics.js';
import { hex32 } from './security/ids.js';
import { runInRequest } from './http/requestContext.js';
import type { ServiceDeps } from './services/types.js';
import type { AuditTrail } from './audit/trail.js';
import { auditOnSend } from './audit/hook.js';

export interface AppDeps extends ServiceDeps {
  metrics: Metrics;
  groups: RouteGroup[];
  auth: AuthDeps;
  /** every state-changing call is recorded here (src/audit) */
  audit?: AuditTrail;
}

const SERVICE_HOST_LABELS = new Set(['css', 'dcs', 'cce', 'dws']);

/** Who owns the request's path: the matched route's group, else derived from the path and Host. */
function ownerOf(req: FastifyRequest): ErrorOwner {
  return req.routeOptions?.config?.owner ?? ownerOfPath(req.url, req.headers.host);
}

/** URL for logs: signed-link signatures are bearer credentials, so they are masked. */
export function logUrl(url: string): string {
  return url.replace(/([?&](?:Signature|sig|X-Amz-Signature|X-Amz-Credential|token)=)[^&]*/gi, '$1***');
}

/** Send an error through the one renderer, in the style of the path's owner. */
function sendError(req: FastifyRequest, reply: FastifyReply, owner: ErrorOwner, err: AppError): FastifyReply {
  const a = answerOf(err, owner, req.id);
  reply.header('X-Request-Id', req.id);
  for (const [k, v] of Object.entries(a.headers)) reply.header(k, v);
  return reply.status(a.status).type('application/json').send(a.body);
}

/** Build the HTTP app from injected dependencies. No listening, no global state. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const requestTimeoutMs = deps.config.server.requestTimeoutSeconds * 1000;
  const app = Fastify({
    loggerInstance: deps.log,
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'request_id' }),
    genReqId: () => hex32(),
    requestIdHeader: false,
    bodyLimit: deps.config.server.bodyLimit,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: MAX_PARAM_LENGTH },
    // Node answers some requests itself unless told otherwise: a missing Host (400, no body) is
    // left to us (onRequest below); timeouts and parser errors go to clientErrorHandler.
    http: { requireHostHeader: false, connectionsCheckingInterval: Math.min(30_000, Math.max(250, requestTimeoutMs / 4)) },
    requestTimeout: requestTimeoutMs,
    clientErrorHandler: clientErrorHandler(deps.log),
    // FST_ERR_BAD_URL, FST_ERR_MAX_PARAM_LENGTH, FST_ERR_ASYNC_CONSTRAINT: raised before routing
    frameworkErrors: (err, req, reply) => {
      const owner = ownerOfPath(req.url, req.headers.host);
      const e = req.url.length > MAX_URL_LENGTH ? uriTooLong() : toAppError(err, { owner, bodyLimit: deps.config.server.bodyLimit, bodyMissing: true });
      if (!e) req.log.error({ err }, 'unexpected error before routing');
      return sendError(req, reply, owner, e ?? appError(OWNER_CODES[owner].internal, undefined, `Request id ${req.id}.`));
    },
  });
  // Node: an `Expect` other than 100-continue is answered 417 without us unless we listen.
  app.server.on('checkExpectation', (_req, res) => {
    const r = rawError(appError('APIGW.0201@417', undefined, 'Only "Expect: 100-continue" is supported.'));
    res.writeHead(r.status, r.headers).end(r.body);
  });

  // The shared schema machinery: strict text values, bounded numbers and strings, clean text.
  app.setValidatorCompiler(validatorCompiler());

  // Bodies are kept raw: the signature covers the exact bytes. JSON is parsed after authentication.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (req, body, done) => {
    req.rawBody = body as Buffer;
    done(null, undefined);
  });

  // Every method of every path (plugins' routes too), to tell 405 from 404.
  const methods = FindMyWay({ ignoreTrailingSlash: true, maxParamLength: MAX_PARAM_LENGTH });
  const seen = new Set<string>();
  app.addHook('onRoute', (r) => {
    for (const m of [r.method].flat()) {
      const key = `${m} ${r.url}`;
      if (seen.has(key)) continue;
      seen.add(key);
      methods.on(m as 'GET', r.url, () => undefined);
    }
  });

  // One onRequest hook, callback style (no promise per request): the response's X-Request-Id, the
  // request-line checks and the service-host check, then the request context (request id, source
  // address, later the caller) for code below the routes.
  app.addHook('onRequest', (req, reply, done) => {
    runInRequest({ requestId: req.id, sourceIp: req.ip }, () => {
      reply.header('X-Request-Id', req.id);
      if (req.url.length > MAX_URL_LENGTH) return done(uriTooLong());
      const host = req.headers.host;
      if (host === undefined && req.raw.httpVersion === '1.1') return done(appError('APIGW.0201', undefined, 'HTTP/1.1 requests need a Host header.'));
      if (host && host.includes('.')) {
        const label = host.slice(0, host.indexOf('.')).toLowerCase();
        const service = req.routeOptions.config?.service;
        if (SERVICE_HOST_LABELS.has(label) && service && service !== label) {
          return done(appError('APIGW.0101', `The API does not exist: ${req.method} ${req.routeOptions.url} is not a ${label.toUpperCase()} API`));
        }
      }
      done();
    });
  });

  app.addHook('preValidation', async (req) => {
    const config = req.routeOptions.config;
    const mode = config?.auth ?? 'none';
    if (mode === 'project') await authenticateProject(req, deps.auth);
    else if (mode === 'admin') authenticateAdmin(req, deps.auth);
    else if (mode === 'project-or-admin') await authenticateProjectOrAdmin(req, deps.auth);
    const owner = ownerOf(req);
    const bad = urlProblem(req.url);
    if (bad) throw appError(OWNER_CODES[owner].invalid, undefined, bad);
    // Only operations that take a body read one; elsewhere a body is ignored (docs/errors.md).
    const raw = req.rawBody;
    if (config?.takesBody && raw && raw.length > 0) {
      if (!isJsonMediaType(req.headers['content-type'])) {
        throw appError(OWNER_CODES[owner].contentType, undefined, `The request body must be sent as Content-Type: application/json (got ${JSON.stringify((req.headers['content-type'] ?? 'none').slice(0, 100))}).`);
      }
      const parsed = parseJson(raw);
      if ('problem' in parsed) throw appError(OWNER_CODES[owner].invalid, undefined, parsed.problem);
      req.body = parsed.value;
    }
  });

  if (deps.audit) app.addHook('onSend', auditOnSend(deps.audit));

  app.addHook('onResponse', (req, reply, done) => {
    const route = req.routeOptions.url ?? 'unmatched';
    const ms = reply.elapsedTime;
    deps.metrics.httpDuration.observe({ method: req.method, route, status_code: String(reply.statusCode) }, ms / 1000);
    req.log.info({ method: req.method, url: logUrl(req.url), status: reply.statusCode, ms: Math.round(ms), op: req.routeOptions.config?.operationId }, 'request');
    done();
  });

  app.setErrorHandler((err, req, reply) => {
    const owner = ownerOf(req);
    try {
      let e = toAppError(err, { owner, bodyLimit: deps.config.server.bodyLimit, bodyMissing: req.body === undefined || req.body === null });
      if (!e) {
        req.log.error({ err }, 'unexpected error');
        e = appError(OWNER_CODES[owner].internal, undefined, `Request id ${req.id}.`);
      }
      return sendError(req, reply, owner, e);
    } catch (failure) {
      // never let Fastify's default error body out: answer by hand
      req.log.error({ err: failure }, 'error handler failed');
      return reply.status(500).header('X-Request-Id', req.id).type('application/json')
        .send({ error_code: 'APIGW.0500', error_msg: `Internal server error. Request id ${req.id}.`, request_id: req.id });
    }
  });

  app.setNotFoundHandler((req, reply) => {
    const owner = ownerOf(req);
    const path = logUrl(req.url.split('?')[0]).slice(0, 300);
    const allowed = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'].filter((m) => m !== req.method && methods.find(m as 'GET', req.url));
    if (allowed.length) {
      return sendError(req, reply, owner, appError(OWNER_CODES[owner].methodNotAllowed, undefined, `${req.method} is not allowed on ${path}; allowed: ${allowed.join(', ')}.`, { Allow: allowed.join(', ') }));
    }
    return sendError(req, reply, owner, appError(OWNER_CODES[owner].notFound, undefined, `${req.method} ${path}`));
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'logsnap',
        version: '0.1.0',
        description:
          'Huawei Cloud CSS log backup, DCS run logs, CCE master snapshots and DWS snapshots, re-implemented. ' +
          'Authenticate with SDK-HMAC-SHA256 (any Huawei Cloud SDK with BasicCredentials) or X-Auth-Token.',
      },
      components: {
        securitySchemes: {
          aksk: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'SDK-HMAC-SHA256 Access=AK, SignedHeaders=..., Signature=... (with X-Sdk-Date)' },
          token: { type: 'apiKey', in: 'header', name: 'X-Auth-Token' },
          admin: { type: 'http', scheme: 'bearer' },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  for (const group of deps.groups) {
    for (const r of group.routes) {
      const auth = r.auth ?? 'project';
      const security = auth === 'project' ? [{ aksk: [] }, { token: [] }] : auth === 'admin' ? [{ admin: [] }] : auth === 'project-or-admin' ? [{ admin: [] }, { aksk: [] }, { token: [] }] : [];
      const s = r.schema;
      const hardened = {
        ...s,
        params: hardenSchema(s.params, 'params'),
        querystring: hardenSchema(s.querystring, 'querystring'),
        headers: hardenSchema(s.headers, 'headers'),
        body: hardenSchema(s.body, 'body'),
      };
      for (const k of ['params', 'querystring', 'headers', 'body'] as const) if (hardened[k] === undefined) delete hardened[k];
      const schema = { ...hardened, operationId: r.operationId, summary: r.summary, description: r.description, tags: [group.tag], security };
      const owner: ErrorOwner = group.style === 'admin' ? 'logsnap' : group.style === 'gateway' ? ownerOfPath(r.url) : group.style;
      const config = { style: group.style, auth, operationId: r.operationId, service: group.mountPrefix?.slice(1), owner, takesBody: s.body !== undefined };
      const handler = async (req: FastifyRequest, reply: FastifyReply) => {
        const out = await r.handler(req as never, reply);
        // Sent — or the client went away while the answer was on its way. A handler returns `reply`
        // after reply.send(); the awaited reply settles when the response ends *or its socket closes*.
        // After a close the onSend hooks of the first send (the audit row) may still be running, and
        // reply.sent is still false: a second send would run them again and write the head twice.
        if (reply.sent || reply.raw.destroyed) return reply;
        return out === undefined ? reply.send() : out;
      };
      app.route({ method: r.method, url: r.url, schema, config, handler });
      if (group.mountPrefix) {
        app.route({ method: r.method, url: group.mountPrefix + r.url, schema: { ...schema, hide: true }, config, handler });
      }
    }
  }
  return app;
}

function uriTooLong(): AppError {
  return appError('APIGW.0201@414', undefined, `The request target is longer than ${MAX_URL_LENGTH} characters; send long values in the body.`);
}
