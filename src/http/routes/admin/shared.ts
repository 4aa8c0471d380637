import { Type } from '@sinclair/typebox';
import { appError } from '../../errors/catalogue.js';
import type { Projects } from '../../../projects/projects.js';

export const ProjectId = Type.String({ pattern: '^[a-f0-9]{32}$' });

export async function mustProject(projects: Projects, id: string): Promise<void> {
  if (!(await projects.get(id))) throw appError('LOGSNAP.0404', `Project ${id} does not exist.`);
}
