import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { defineRoute, type RouteDef } from '../route.js';
import { ping, type Db } from '../../db/index.js';
import type { Metrics } from '../../observability/metrics.js';

/** Liveness, readiness, metrics and the OpenAPI document (no authentication). */
export function platformRoutes(deps: { db: Db; metrics: Metrics; app: () => FastifyInstance; isDraining: () => boolean }): RouteDef<any>[] {
  const Status = Type.Object({ status: Type.String() }, { additionalProperties: true });
  return [
    defineRoute({
      operationId: 'Healthz', method: 'GET', url: '/healthz', auth: 'none', summary: 'Liveness: the process answers',
      schema: { response: { 200: Status } },
      handler: async () => ({ status: 'ok' }),
    }),
    defineRoute({
      operationId: 'Readyz', method: 'GET', url: '/readyz', auth: 'none', summary: 'Readiness: the database answers and the process is not draining',
      schema: { response: { 200: Status, 503: Status } },
      handler: async (_req, reply) => {
        if (deps.isDraining()) return reply.status(503).send({ status: 'draining' });
        try {
          await ping(deps.db);
          return { status: 'ready' };
        } catch {
          return reply.status(503).send({ status: 'database unreachable' });
        }
      },
    }),
    defineRoute({
      operationId: 'Metrics', method: 'GET', url: '/metrics', auth: 'none', summary: 'Prometheus metrics',
      schema: { response: { 200: Type.String() } },
      handler: async (_req, reply) => reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics()),
    }),
    defineRoute({
      operationId: 'OpenApi', method: 'GET', url: '/openapi.json', auth: 'none', summary: 'This OpenAPI 3 document (browse it at /docs)',
      schema: { hide: true, response: {} } as never,
      handler: async () => deps.app().swagger(),
    }),
  ];
}
