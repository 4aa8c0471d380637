import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from './load.js';
import { ConfigError } from './section.js';

const problems = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  assert.fail('expected a ConfigError');
};

test('defaults: SQLite file and object folder under ./data, 127.0.0.1:8080', () => {
  const c = loadConfig({ env: {}, cwd: '/srv/app' });
  assert.equal(c.server.host, '127.0.0.1');
  assert.equal(c.server.port, 8080);
  assert.equal(c.database.url, 'sqlite:/srv/app/data/logsnap.db');
  assert.equal(c.storage.root, '/srv/app/data/objects');
  assert.equal(c.storage.driver, 'fs');
  assert.equal(c.jobs.concurrency, 2);
});

test('env vars are converted and validated', () => {
  const c = loadConfig({ env: { LOGSNAP_PORT: '9000', LOGSNAP_JOB_CONCURRENCY: '8', DATABASE_URL: 'postgres://u:p@db/x', LOGSNAP_ROLE: 'worker' } });
  assert.equal(c.server.port, 9000);
  assert.equal(c.jobs.concurrency, 8);
  assert.equal(c.database.url, 'postgres://u:p@db/x');
  assert.equal(c.core.role, 'worker');
});

test('bad values name the field, the env var and the fix', () => {
  const p = problems(() => loadConfig({ env: { LOGSNAP_PORT: 'eighty', LOGSNAP_STORAGE: 'ftp', DATABASE_URL: 'mysql://x' } }));
  assert.ok(p.some((x) => x.startsWith('server.port:') && x.includes('LOGSNAP_PORT')), p.join('\n'));
  assert.ok(p.some((x) => x.startsWith('storage.driver:') && x.includes('LOGSNAP_STORAGE')), p.join('\n'));
  assert.ok(p.some((x) => x.startsWith('database.url:') && x.includes('DATABASE_URL')), p.join('\n'));
});

test('secrets are not echoed in messages', () => {
  const p = problems(() => loadConfig({ env: { LOGSNAP_MASTER_KEY: 'not-a-valid-key-but-secret' } }));
  assert.ok(p.some((x) => x.startsWith('security.masterKey')));
  assert.equal(p.join('\n').includes('not-a-valid-key-but-secret'), false);
});

test('YAML file: sections, projects and clusters; unknown keys and bad entries are reported', () => {
  const dir = mkdtempSync(join(tmpdir(), 'logsnap-cfg-'));
  const good = join(dir, 'good.yaml');
  writeFileSync(good, `server:\n  port: 9100\nprojects:\n  - name: team-a\n    credentials:\n      - ak: AKAKAKAKAKAKAKAKAKAK\n        sk: secretsecretsecret\n    clusters:\n      - service: dws\n        name: wh\n        engine: { url: "postgres://localhost/db" }\n`);
  const c = loadConfig({ env: {}, file: good });
  assert.equal(c.server.port, 9100);
  assert.equal(c.projects[0].clusters![0].service, 'dws');
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, `serverr:\n  port: 1\nprojects:\n  - name: x\n    clusters:\n      - service: rds\n        name: y\n        engine: {}\n`);
  const p = problems(() => loadConfig({ env: {}, file: bad }));
  assert.ok(p.some((x) => x.startsWith('serverr: unknown top-level key')), p.join('\n'));
  assert.ok(p.some((x) => x.startsWith('projects.0.clusters.0.service')), p.join('\n'));
  assert.match(problems(() => loadConfig({ env: {}, file: join(dir, 'missing.yaml') }))[0], /cannot be read/);
  writeFileSync(join(dir, 'broken.yaml'), 'a: [1,');
  assert.match(problems(() => loadConfig({ env: {}, file: join(dir, 'broken.yaml') }))[0], /not valid YAML/);
});

test('env overrides the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'logsnap-cfg-'));
  const f = join(dir, 'c.yaml');
  writeFileSync(f, 'server:\n  port: 9100\n');
  assert.equal(loadConfig({ env: { LOGSNAP_PORT: '9200' }, file: f }).server.port, 9200);
});
