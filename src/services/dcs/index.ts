import type { ServiceModule } from '../types.js';
import { dcsEngineSpec } from './engine.js';

export const dcsService: ServiceModule = {
  name: 'dcs',
  title: 'DCS (Distributed Cache Service) run logs',
  migrations: {},
  engine: dcsEngineSpec,
  create: () => ({ routes: [], jobKinds: [], schedules: [] }),
};
