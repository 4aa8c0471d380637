import type { ServiceModule } from '../types.js';
import { cceEngineSpec } from './engine.js';

export const cceService: ServiceModule = {
  name: 'cce',
  title: 'CCE (Cloud Container Engine) master snapshots',
  migrations: {},
  engine: cceEngineSpec,
  create: () => ({ routes: [], jobKinds: [], schedules: [] }),
};
