import type { ServiceModule } from '../types.js';
import { cssEngineSpec } from './engine.js';

export const cssService: ServiceModule = {
  name: 'css',
  title: 'CSS (Cloud Search Service) log backup',
  migrations: {},
  engine: cssEngineSpec,
  create: () => ({ routes: [], jobKinds: [], schedules: [] }),
};
