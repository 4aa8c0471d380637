import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { engines, startServer } from '../helpers/server.js';
import { op, sdkClient } from '../helpers/sdk.js';

const seed = {
  projects: [
    {
      name: 'team-a',
      id: '0524e839a54847039e9b2b46e8aa788a',
      credentials: [{ ak: 'HPUAEXAMPLEAK0000001', sk: 'ExampleSecretKeyForSigningVectors00000001' }],
      clusters: [
        { service: 'dws', name: 'warehouse', engine: { url: 'postgres://u:p@127.0.0.1:5432/x' } },
        { id: '5c77b71c-5b35-4f50-8984-76387e42451a', service: 'css', name: 'es', engine: { nodes: [{ name: 'es-1', logDir: '/tmp' }] } },
      ],
    },
  ],
};

for (const { engine, skip } of await engines()) {
  describe(`config-file projects on ${engine}`, { skip }, () => {
    test('three processes starting at once with one config file seed it once; restarts are idempotent', async () => {
      const a = await startServer({ engine, config: { ...seed, core: { bootstrap: false } } });
      try {
        const others = await Promise.all([1, 2].map(() => startServer({ engine, config: { ...seed, core: { bootstrap: false } }, dataDir: a.dataDir, databaseUrl: a.databaseUrl })));
        const clusters = await a.rt.deps.clusters.list('0524e839a54847039e9b2b46e8aa788a');
        assert.equal(clusters.length, 2);
        assert.ok(clusters.some((c) => c.id === '5c77b71c-5b35-4f50-8984-76387e42451a'));
        const c = sdkClient(a.url, { ak: 'HPUAEXAMPLEAK0000001', sk: 'ExampleSecretKeyForSigningVectors00000001', projectId: '0524e839a54847039e9b2b46e8aa788a' });
        assert.equal((await op(c, { method: 'GET', url: '/v3/projects' })).projects[0].name, 'team-a');
        await Promise.all(others.map((o) => o.close({ keep: true })));
      } finally {
        await a.close();
      }
    });
  });
}
