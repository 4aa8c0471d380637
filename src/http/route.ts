import type { Static, TSchema } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorOwner, ErrorStyle } from './errors/render.js';

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
   * the caller's project. `admin`: the admin token. `none`: public (health, docs, signed links).
   * `project-or-admin`: the admin token (every project), or a project credential limited to its
   * own project (see http/auth/scope.ts).
   */
  auth?: 'project' | 'admin' | 'none' | 'project-or-admin';
  handler(req: RouteRequest<R>, reply: FastifyReply): Promise<unknown>;
}

export function defineRoute<R extends RouteSchema>(def: RouteDef<R>): RouteDef<R> {
  return def;
}

/** A group of routes sharing a service (error style, tag, mount prefix). */
export interface RouteGroup {
  /** error style and OpenAPI tag; `admin` = logsnap's own API (`LOGSNAP.*` codes) */
  style: ErrorStyle | 'admin';
  tag: string;
  /** also mount under this prefix (SDK endpoint http://host:port/css) */
  mountPrefix?: string;
  routes: RouteDef<any>[];
}

declare module 'fastify' {
  interface FastifyContextConfig {
    style?: ErrorStyle | 'admin';
    auth?: 'project' | 'admin' | 'none' | 'project-or-admin';
    operationId?: string;
    service?: string;
    /** who owns the path: picks the error codes and body style (app.ts) */
    owner?: ErrorOwner;
    /** the operation declares a request body (only then is one read, as application/json) */
    takesBody?: boolean;
  }
  interface FastifyRequest {
    rawBody?: Buffer;
    caller?: { projectId: string; via: 'aksk' | 'token'; accessKey?: string; tokenId?: string };
    /** set by `either` routes when the admin token authenticated the request */
    admin?: boolean;
  }
}
