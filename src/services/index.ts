import type { ServiceModule } from './types.js';
import { cssService } from './css/index.js';
import { dcsService } from './dcs/index.js';
import { cceService } from './cce/index.js';
import { dwsService } from './dws/index.js';

/** Every service logsnap serves. */
export const SERVICES: ServiceModule[] = [cssService, dcsService, cceService, dwsService];
