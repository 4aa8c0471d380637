import { Type } from '@sinclair/typebox';
import { defineRoute, type RouteDef } from '../route.js';
import type { Projects } from '../../projects/projects.js';

/**
 * IAM KeystoneListProjects, for the caller's own project only: the Huawei SDKs call it to
 * discover the project id when a client sets a region but no project id.
 */
export function iamRoutes(deps: { projects: Projects }): RouteDef<any>[] {
  const ProjectItem = Type.Object({
    id: Type.String(), name: Type.String(), domain_id: Type.String(), enabled: Type.Boolean(), is_domain: Type.Boolean(),
    parent_id: Type.String(), description: Type.String(), links: Type.Object({ self: Type.String() }),
  });
  return [
    defineRoute({
      operationId: 'KeystoneListProjects', method: 'GET', url: '/v3/projects',
      summary: "The caller's project (IAM project lookup used by the SDKs)",
      schema: {
        querystring: Type.Object({ name: Type.Optional(Type.String()), domain_id: Type.Optional(Type.String()), enabled: Type.Optional(Type.Boolean()) }),
        response: { 200: Type.Object({ projects: Type.Array(ProjectItem), links: Type.Object({ self: Type.String() }) }) },
      },
      handler: async (req) => {
        const p = await deps.projects.get(req.caller!.projectId);
        const self = `/v3/projects`;
        const item = p && {
          id: p.id, name: p.name, domain_id: p.id, enabled: true, is_domain: false, parent_id: p.id, description: '',
          links: { self: `${self}/${p.id}` },
        };
        // The SDK asks with name=<region id>; logsnap has one project per credential, so it answers it whatever the name.
        return { projects: item ? [item] : [], links: { self } };
      },
    }),
  ];
}
