import type { ServiceModule } from '../types.js';
import { dwsEngineSpec } from './engine.js';

export const dwsService: ServiceModule = {
  name: 'dws',
  title: 'DWS (Data Warehouse Service) snapshots',
  migrations: {},
  engine: dwsEngineSpec,
  create: () => ({ routes: [], jobKinds: [], schedules: [] }),
};
