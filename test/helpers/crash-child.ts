/**
 * A logsnap worker process for the crash test: same runtime as `logsnap serve`, with the test
 * job kinds. The parent SIGKILLs it mid-job. Config comes from LOGSNAP_* env vars.
 */
import { loadConfig } from '../../src/config/load.js';
import { createRuntime } from '../../src/runtime.js';
import { testService } from './testService.js';

const config = loadConfig({});
const rt = await createRuntime({ config, services: [testService()] });
await rt.listen();
process.stdout.write('READY\n');
