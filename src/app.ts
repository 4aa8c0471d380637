import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { Ajv } from 'ajv';
import { AppError, appError, type ErrorCode } from './http/errors/catalogue.js';
import { INVALID_REQUEST, renderError, type ErrorStyle } from './http/errors/render.js';
import { authenticateAdmin, authenticateProject, type AuthDeps } from './http/auth/plugin.js';
import type { RouteGroup } from './http/route.js';
import type { Metrics } from './observability/metrics.js';
import { hex32 } from './security/ids.js';
import { runInRequest } from './http/requestContext.js';
import type { ServiceDeps } from './services/types.js';

export interface AppDeps extends ServiceDeps {
  metrics: Metrics;
  groups: RouteGroup[];
  auth: AuthDeps;
}

const SERVICE_HOST_LABELS = new Set(['css', 'dcs', 'cce', 'dws']);
const INTERNAL: Record<ErrorStyle, ErrorCode> = { css: 'CSS.9999', dcs: 'DCS.5000', cce: 'CCE.01500001', dws: 'DWS.0005', gateway: 'APIGW.0500' };

function styleOf(req: FastifyRequest): ErrorStyle {
  const s = req.routeOptions?.config?.style;
  return !s || s === 'admin' ? 'gateway' : s;
}

/** URL for logs: signed-link signatures are bearer credentials, so they are masked. */
export function logUrl(url: string): string {
  return url.replace(/([?&](?:Signature|sig|X-Amz-Signature|X-Amz-Credential|token)=)[^&]*/gi, '$1***');
}

/** Build the HTTP app from injected dependencies. No listening, no global state. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log,
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'request_id' }),
    genReqId: () => hex32(),
    requestIdHeader: false,
    bodyLimit: deps.config.server.bodyLimit,
    routerOptions: { ignoreTrailingSlash: true },
  });

  // Query strings, path params and headers are text and are coerced to the schema's types;
  // JSON bodies are not: a number where a string belongs is a 400, not a silent conversion.
  const ajvOpts = { useDefaults: true, removeAdditional: true, allErrors: false, strict: false } as const;
  const coercing = new Ajv({ ...ajvOpts, coerceTypes: 'array' });
  const strict = new Ajv({ ...ajvOpts, coerceTypes: false });
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? strict : coercing).compile(schema));

  // Bodies are kept raw: the signature covers the exact bytes. JSON is parsed after authentication.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (req, body, done) => {
    req.rawBody = body as Buffer;
    done(null, undefined);
  });

  // One onRequest hook, callback style (no promise per request): the response's X-Request-Id, the
  // service-host check, then the request context (request id, source address, later the caller)
  // for code below the routes.
  app.addHook('onRequest', (req, reply, done) => {
    runInRequest({ requestId: req.id, sourceIp: req.ip }, () => {
      reply.header('X-Request-Id', req.id);
      const host = req.headers.host;
      if (host && host.includes('.')) {
        const label = host.slice(0, host.indexOf('.')).toLowerCase();
        const service = req.routeOptions.config?.service;
        if (SERVICE_HOST_LABELS.has(label) && service && service !== label) {
          done(appError('APIGW.0101', `The API does not exist: ${req.method} ${req.routeOptions.url} is not a ${label.toUpperCase()} API`));
          return;
        }
      }
      done();
    });
  });

  app.addHook('preValidation', async (req) => {
    const mode = req.routeOptions.config?.auth ?? 'none';
    if (mode === 'project') await authenticateProject(req, deps.auth);
    else if (mode === 'admin') authenticateAdmin(req, deps.auth);
    const raw = req.rawBody;
    if (raw && raw.length > 0) {
      try {
        req.body = JSON.parse(raw.toString('utf8'));
      } catch (e) {
        throw appError(INVALID_REQUEST[styleOf(req)], undefined, `The request body is not valid JSON: ${(e as Error).message}`);
      }
    }
  });

  app.addHook('onResponse', (req, reply, done) => {
    const route = req.routeOptions.url ?? 'unmatched';
    const ms = reply.elapsedTime;
    deps.metrics.httpDuration.observe({ method: req.method, route, status_code: String(reply.statusCode) }, ms / 1000);
    req.log.info({ method: req.method, url: logUrl(req.url), status: reply.statusCode, ms: Math.round(ms), op: req.routeOptions.config?.operationId }, 'request');
    done();
  });

  app.setErrorHandler((err: FastifyError | AppError, req, reply) => {
    const routeStyle = styleOf(req);
    let e: AppError;
    if (err instanceof AppError) e = err;
    else if ((err as FastifyError).validation) e = appError(INVALID_REQUEST[routeStyle], undefined, `Invalid ${err.message}.`);
    else if ((err as FastifyError).code === 'FST_ERR_CTP_BODY_TOO_LARGE') e = appError('APIGW.0413', undefined, `The limit is ${deps.config.server.bodyLimit} bytes.`);
    else if ((err as FastifyError).statusCode && (err as FastifyError).statusCode! < 500) e = appError(INVALID_REQUEST[routeStyle], undefined, err.message);
    else {
      req.log.error({ err }, 'unexpected error');
      e = appError(INTERNAL[routeStyle], undefined, `Request id ${req.id}.`);
    }
    const style: ErrorStyle = /^(APIGW|LOGSNAP)\./.test(e.code) ? 'gateway' : routeStyle;
    return reply.status(e.status).type('application/json').send(renderError(style, e, req.id));
  });

  app.setNotFoundHandler((req, reply) => {
    const e = appError('APIGW.0101', undefined, `${req.method} ${logUrl(req.url.split('?')[0])}`);
    return reply.status(404).type('application/json').send(renderError('gateway', e, req.id));
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
      const security = auth === 'project' ? [{ aksk: [] }, { token: [] }] : auth === 'admin' ? [{ admin: [] }] : [];
      const schema = { ...r.schema, operationId: r.operationId, summary: r.summary, description: r.description, tags: [group.tag], security };
      const config = { style: group.style, auth, operationId: r.operationId, service: group.mountPrefix?.slice(1) };
      const handler = async (req: FastifyRequest, reply: import('fastify').FastifyReply) => {
        const out = await r.handler(req as never, reply);
        if (reply.sent) return reply;
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
