import type { Static, TSchema } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorStyle } from './errors/render.js';

export interface RouteSchema {
  params?: TSchema;
  querystring?: TSchema;
  body?: TSchema;
  headers?: TSchema;
  response: Record<number, TSchema>;
}

type S<T> = T extends TSchema ? Static<T> : unknown;

export type RouteRequest<R extends RouteSchema> = FastifyRequest<{
  Params: S<R['params']>;
  Querystring: S<R['querystring']>;
  Body: S<R['body']>;
}>;

/**
 * One API operation. Its schemas are declared once: Fastify validates requests with them,
 * serialises responses with them, and the OpenAPI document is generated from them.
 */
export interface RouteDef<R extends RouteSchema = RouteSchema> {
  /** The SDK operation name, e.g. `CreateLogBackup` (also the OpenAPI operationId). */
  operationId: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';
  /** Fastify path, e.g. `/v1.0/:project_id/clusters/:cluster_id/logs/collect` */
  url: string;
  summary: string;
  description?: string;
  schema: R;
  /**
   * `project` (default): AK/SK signature or X-Auth-Token; a `project_id` path parameter must be
   * the caller's project. `admin`: the admin token. `either`: the admin token (every project) or a
   * project credential (its own project only; see http/auth/scope.ts). `none`: public (health, docs, signed links).
   */
  auth?: 'project' | 'admin' | 'either' | 'none';
  handler(req: RouteRequest<R>, reply: FastifyReply): Promise<unknown>;
}

export function defineRoute<R extends RouteSchema>(def: RouteDef<R>): RouteDef<R> {
  return def;
}

/** A group of routes sharing a service (error style, tag, mount prefix). */
export interface RouteGroup {
  /** error style and OpenAPI tag */
  style: ErrorStyle | 'admin';
  tag: string;
  /** also mount under this prefix (SDK endpoint http://host:port/css) */
  mountPrefix?: string;
  routes: RouteDef<any>[];
}

declare module 'fastify' {
  interface FastifyContextConfig {
    style?: ErrorStyle | 'admin';
    auth?: 'project' | 'admin' | 'either' | 'none';
    operationId?: string;
    service?: string;
  }
  interface FastifyRequest {
    rawBody?: Buffer;
    caller?: { projectId: string; via: 'aksk' | 'token'; accessKey?: string; tokenId?: string };
    /** set by `either` routes when the admin token authenticated the request */
    admin?: boolean;
  }
}
