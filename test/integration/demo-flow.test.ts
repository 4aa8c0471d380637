/**
 * README's walkthrough, automated: the first start registers the CSS demo cluster; the CLI enables
 * log backup, backs up with --wait, lists the record; the admin API signs a link to the manifest,
 * and the manifest lists the demo files with their sha256.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli } from '../helpers/cli.js';
import { startServer, type TestServer } from '../helpers/server.js';

describe("README's demo walkthrough", () => {
  let s: TestServer;
  let env: Record<string, string>;
  let cluster: string;
  before(async () => {
    s = await startServer({ config: { core: { demo: true } } });
    const banner = s.rt.start!.demo.join('\n');
    cluster = /CSS demo cluster ([0-9a-f-]{36})/.exec(banner)![1];
    const profile = join(s.dataDir, 'profile.json');
    writeFileSync(profile, JSON.stringify({ endpoint: s.url, project_id: s.projectId, ak: s.ak, sk: s.sk }));
    env = { LOGSNAP_CLIENT: profile };
  });
  after(async () => s?.close());

  test('StartLogs, CreateLogBackup --wait, ListLogsJob, then a signed link to the manifest', async () => {
    const open = await cli(['call', 'css', 'StartLogs', '--cluster_id', cluster, '--agency', 'css_obs_agency', '--log_bucket', 'demo-logs', '--log_base_path', 'css/log'], env);
    assert.equal(open.code, 0, open.stderr);
    const backup = await cli(['call', 'css', 'CreateLogBackup', '--cluster_id', cluster, '--wait'], env);
    assert.equal(backup.code, 0, backup.stderr);
    assert.match(backup.stderr, /SUCCEEDED 100%/);
    const job = JSON.parse(backup.stdout.slice(backup.stdout.indexOf('{', backup.stdout.indexOf('}') + 1)));
    assert.equal(job.state, 'SUCCEEDED');
    const manifestPath: string = job.result.manifest;
    assert.match(manifestPath, /^demo-logs\/css\/log\/.+\/manifest\.json$/);
    const records = await cli(['call', 'css', 'ListLogsJob', '--cluster_id', cluster], env);
    assert.equal(records.code, 0, records.stderr);
    const rec = JSON.parse(records.stdout).clusterLogRecord[0];
    assert.deepEqual([rec.status, rec.jobTypes, rec.logPath, rec.jobId], ['SUCCESS', 'Manual', 'demo-logs/css/log', job.id]);
    const res = await fetch(`${s.url}/admin/v1/objects/link`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ path: manifestPath }),
    });
    assert.equal(res.status, 200);
    const { link } = (await res.json()) as { link: string };
    const manifest = (await (await fetch(link)).json()) as any;
    const files = manifest.files ?? manifest.entries ?? [];
    assert.ok(files.length >= 10, `the manifest lists the demo files (${files.length})`);
    assert.ok(files.every((f: { sha256: string }) => /^[0-9a-f]{64}$/.test(f.sha256)));
  });
});
