import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ownerOfPath } from './owner.js';

const P = '0524e839a54847039e9b2b46e8aa788a';

test('the owner of a path, even when no route matches (shared/api/README.md prefixes)', () => {
  const cases: [string, string | undefined, string][] = [
    [`/v1.0/${P}/clusters`, undefined, 'css'],
    [`/v1.0/${P}/clusters/c1/logs/nothing?x=1`, undefined, 'css'],
    [`/v2.0/${P}/clusters`, undefined, 'css'],
    [`/v2/${P}/instances/i/redislog`, undefined, 'dcs'],
    [`/v2/${P}/instances`, undefined, 'dcs'],
    [`/api/v3.1/projects/${P}/clusters/c/x`, undefined, 'cce'],
    [`/api/v3/projects/${P}`, undefined, 'cce'],
    [`/autopilot/v3.1/projects/${P}/clusters`, undefined, 'cce'],
    [`/v1.0/${P}/snapshots`, undefined, 'dws'],
    [`/v1.0/${P}/snapshots/s/actions`, undefined, 'dws'],
    [`/v1/${P}/snapshots/s/table-restore`, undefined, 'dws'],
    [`/v2/${P}/snapshots/s/flavors`, undefined, 'dws'],
    [`/v2/${P}/clusters/c/snapshot-policies`, undefined, 'dws'],
    [`/v1.0/${P}/clusters/c/snapshots`, undefined, 'dws'],
    [`/v1.0/${P}/clusters/c/snapshot-policies/p`, undefined, 'dws'],
    ['/css/anything', undefined, 'css'],
    ['/dcs', undefined, 'dcs'],
    ['/cce/v9', undefined, 'cce'],
    ['/dws/v1.0/p/clusters', undefined, 'dws'],
    ['/cssx/v1', undefined, 'gateway'],
    ['/admin/v1/projects', 'dcs.localhost', 'logsnap'],
    ['/admin', undefined, 'logsnap'],
    ['/logsnap/v1/p/jobs/j', undefined, 'logsnap'],
    ['/administrator', undefined, 'gateway'],
    ['/v9/nothing', 'dws.localhost:8080', 'dws'],
    ['/v9/nothing', 'CCE.example.com', 'cce'],
    ['/v9/nothing', 'css', 'gateway'],
    ['/v9/nothing', 'redis.localhost', 'gateway'],
    ['/v3/projects', undefined, 'gateway'],
    ['/healthz', undefined, 'gateway'],
    ['/', undefined, 'gateway'],
  ];
  for (const [url, host, owner] of cases) assert.equal(ownerOfPath(url, host), owner, `${url} (${host})`);
});
