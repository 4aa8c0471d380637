/**
 * A cluster's engine connection is encrypted at rest; it is decrypted only when something uses it.
 * Routes that only check the cluster exists (ListLogsJob, StartLogs …) decrypt nothing, and
 * ListClustersDetails decrypts the page it shows, not every cluster of the project.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { engines, FakeClock, startServer } from '../helpers/server.js';
import { op } from '../helpers/sdk.js';
import type { SecretBox } from '../../src/security/secrets.js';
import { cssOps, OPEN } from '../css/helpers.js';

for (const { engine, skip } of await engines()) {
  describe(`lazy engine decryption on ${engine}`, { skip }, () => {
    test('decrypted on first use only, once, and only for what is shown', async () => {
      const clock = new FakeClock();
      const s = await startServer({ engine, clock });
      try {
        const box = (s.rt.deps.clusters as unknown as { box: SecretBox }).box;
        const decrypt = box.decrypt.bind(box);
        let n = 0;
        box.decrypt = (x: string) => {
          n++;
          return decrypt(x);
        };
        const ids: string[] = [];
        for (let i = 0; i < 25; i++) {
          clock.advance(1000);
          const c = await s.rt.deps.clusters.register({ projectId: s.projectId, service: 'css', name: `es-${i}`, engine: { nodes: [{ name: `node-${i}`, ip: `10.0.0.${i}`, logDir: '/var/log/es' }] } });
          ids.push(c.id);
        }
        n = 0;
        const got = await s.rt.deps.clusters.get<{ nodes: { name: string }[] }>(s.projectId, 'css', ids[3]);
        assert.equal(n, 0, 'reading a cluster decrypts nothing');
        assert.equal(got!.engine.nodes[0].name, 'node-3');
        assert.equal(got!.engine.nodes[0].name, 'node-3');
        assert.equal(n, 1, 'decrypted once, on first use');
        assert.equal(JSON.parse(JSON.stringify(got)).engine.nodes[0].name, 'node-3', 'the engine is an ordinary enumerable field');

        const css = cssOps(s.client('/css'), ids[0]);
        await css.settings(); // the box also holds SKs: let the first signed request decrypt (and cache) ours
        n = 0;
        await css.open(OPEN);
        assert.equal((await css.records()).totalSize, 0);
        assert.equal(n, 0, 'StartLogs and ListLogsJob never decrypt the engine');

        const page = await op(s.client('/css'), { method: 'GET', url: '/v1.0/{project_id}/clusters', queryParams: { offset: 6, limit: 5 } });
        assert.equal(page.totalSize, 25);
        assert.deepEqual(page.clusters.map((c: { name: string }) => c.name), ['es-19', 'es-18', 'es-17', 'es-16', 'es-15'], 'newest first, 1-based offset');
        assert.equal(page.clusters[0].instances[0].name, 'node-19');
        assert.equal(n, 5, 'ListClustersDetails decrypts the 5 clusters of the page, not 25');

        n = 0;
        const one = await op(s.client('/css'), { method: 'GET', url: '/v1.0/{project_id}/clusters/{cluster_id}', pathParams: { cluster_id: ids[7] } });
        assert.equal(one.endpoint, '10.0.0.7:9200');
        assert.equal(n, 1);
      } finally {
        await s.close();
      }
    });
  });
}
