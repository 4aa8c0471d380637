import type { FastifyRequest } from 'fastify';
import { appError } from '../errors/catalogue.js';

/**
 * What an `project-or-admin` route's caller may see. The admin token sees every project (`projectId` is then
 * an optional filter); a project credential sees its own project only (`projectId` is forced).
 */
export interface Scope {
  admin: boolean;
  projectId?: string;
}

export function scopeOf(req: FastifyRequest, requestedProject?: string): Scope {
  if (req.admin) return { admin: true, projectId: requestedProject || undefined };
  const own = req.caller!.projectId;
  if (requestedProject && requestedProject !== own) {
    throw appError('LOGSNAP.0403', 'A project credential sees only its own project; sign in with the admin token to see others.');
  }
  return { admin: false, projectId: own };
}

/** True when a row of `projectId` is visible in the scope. */
export function visible(scope: Scope, projectId: string | null | undefined): boolean {
  if (scope.admin) return !scope.projectId || scope.projectId === projectId;
  return !!projectId && projectId === scope.projectId;
}
