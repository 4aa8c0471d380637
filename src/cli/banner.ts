import type { Config } from '../config/load.js';
import type { FirstStart } from '../runtime.js';
import { redactUrlPassword } from '../security/redact.js';

/** What `logsnap serve` prints once it listens. `testNow`: the test clock, when test mode is on. */
export function startBanner(config: Config, url: string, s: FirstStart | null, testNow?: number): string {
  const lines = ['', `logsnap ${config.core.role === 'all' ? '' : `(${config.core.role}) `}listening on ${url}`];
  // the web console first: open the URL, paste the admin token
  if (config.console.enabled && config.core.role !== 'worker') {
    const how = s?.adminToken
      ? 'sign in with the admin token below'
      : config.security.adminToken
        ? 'sign in with the admin token (LOGSNAP_ADMIN_TOKEN)'
        : `sign in with the admin token in ${config.core.dataDir}/admin-token`;
    lines.push(`  console:  ${url}/console/   (${how})`);
  }
  if (s?.adminToken) lines.push(`  admin token: ${s.adminToken}   (kept in ${config.core.dataDir}/admin-token)`);
  lines.push(
    `  API docs: ${url}/docs  (OpenAPI: ${url}/openapi.json)`,
    `  database: ${redactUrlPassword(config.database.url)}`,
    `  objects:  ${config.storage.driver === 'fs' ? config.storage.root : `s3 bucket ${config.storage.s3?.bucket}`}`,
  );
  if (config.core.testMode) {
    lines.push(
      '',
      '  TEST MODE is ON: /admin/v1/test/… can move the clock, inject faults, reset and replace the state',
      `  (test clock now ${new Date(testNow ?? Date.now()).toISOString()}). Never use it for real backups.`,
      '',
    );
  }
  if (s) {
    lines.push(`  project id: ${s.projectId}`, `  access key: ${s.ak}`);
    lines.push(s.sk ? `  secret key: ${s.sk}   (shown at first start only; kept in ${config.core.dataDir}/client.json, mode 0600)` : `  secret key: in ${config.core.dataDir}/client.json`);
    lines.push(...s.demo.map((d) => `  ${d}`));
    lines.push('', 'Try it (signed with the AK/SK above):', '  npx logsnap call css ListClustersDetails', '');
  }
  return lines.join('\n') + '\n';
}
