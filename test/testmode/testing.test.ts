/** logsnap/testing's startLogsnap on either state engine: every handle, then close() removes what it made. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLogsnap } from 'logsnap/testing';
import { createPgDatabase, engines } from '../helpers/server.js';
import { op, opError, sdkClient } from '../helpers/sdk.js';

for (const { engine, skip } of await engines()) {
  describe(`startLogsnap (${engine})`, { skip }, () => {
    test('an SDK-ready server in test mode; clock, faults, reset, clusters and state handles; close() cleans up', async () => {
      const pg = engine === 'postgres' ? await createPgDatabase('levers_testing') : undefined;
      const ls = await startLogsnap({ databaseUrl: pg?.url });
      try {
        assert.match(ls.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
        assert.equal(ls.runtime.config.core.testMode, true);
        assert.equal(ls.runtime.config.database.url.startsWith(engine === 'postgres' ? 'postgres://' : 'sqlite:'), true);
        const css = sdkClient(`${ls.endpoint}/css`, ls);
        const cluster = await ls.registerCluster({ service: 'css', name: 'es', engine: { nodes: [{ name: 'es-1', logDir: mkdtempSync(join(tmpdir(), 'es-')) }] } });
        assert.equal((await op(css, { method: 'GET', url: '/v1.0/{project_id}/clusters' })).clusters[0].id, cluster.id);

        const before = await ls.clock.now();
        assert.ok((await ls.clock.advance('1d12h')).now >= before + 36 * 3_600_000);
        const rule = await ls.faults.add({ service: 'css', operation: 'ListClustersDetails', effect: { type: 'error', status: 500 } });
        assert.equal((await opError(css, { method: 'GET', url: '/v1.0/{project_id}/clusters' })).errorCode, 'CSS.9999');
        assert.deepEqual((await ls.faults.list()).map((f) => [f.id, f.fired]), [[rule.id, 1]]);
        await ls.faults.remove(rule.id);
        await ls.faults.add({ service: 'css', operation: 'ListClustersDetails', effect: { type: 'latency', ms: 1 } });
        const reset = (await ls.reset()).tables;
        assert.equal(reset.test_faults, 1);
        assert.equal(reset.clusters, undefined, 'clusters are kept');

        const fixture = join(ls.dataDir, 'fixture.tar.gz');
        await ls.state.export(fixture);
        const pg2 = engine === 'postgres' ? await createPgDatabase('levers_testing') : undefined;
        const copy = await startLogsnap({ databaseUrl: pg2?.url, state: fixture });
        try {
          assert.equal(copy.projectId, ls.projectId, 'the fixture\'s project, with a fresh AK/SK');
          assert.notEqual(copy.ak, ls.ak);
          assert.equal((await op(sdkClient(`${copy.endpoint}/css`, copy), { method: 'GET', url: '/v1.0/{project_id}/clusters' })).clusters[0].id, cluster.id);
          assert.ok((await copy.clock.now()) >= before + 36 * 3_600_000, 'the fixture\'s test time');
        } finally {
          await copy.close();
          await pg2?.drop();
        }
      } finally {
        await ls.close();
        await pg?.drop();
      }
      assert.equal(existsSync(ls.dataDir), false, 'the temporary data dir is gone');
    });
  });
}
