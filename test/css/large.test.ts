import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createReadStream, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startServer } from '../helpers/server.js';
import { writeLogFile } from '../../src/services/css/sampleLogs.js';
import { cssOps, objectContentSha, OPEN, readManifest, registerCluster, tmp, waitRecord } from './helpers.js';

async function fileSha(p: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(p, { highWaterMark: 1 << 20 })) h.update(c as Buffer);
  return h.digest('hex');
}

// One 1 GiB log file, SQLite only (the engine does not matter for the copy; it keeps the suite quick).
test('a 1 GiB log file is backed up as one gzip object whose content matches the manifest', async () => {
  const root = tmp('css-large-');
  const s = await startServer({ engine: 'sqlite' });
  try {
    const dir = join(root, 'es-1');
    const GiB = 1024 ** 3;
    await writeLogFile(join(dir, 'es.log'), GiB, { node: 'es-1' });
    const id = await registerCluster(s, [{ name: 'es-1', logDir: dir }]);
    const css = cssOps(s.client('/css'), id);
    await css.open(OPEN);
    await css.collect();
    const rec = await waitRecord(css, (await css.records()).clusterLogRecord[0].jobId, 600_000);
    assert.equal(rec.status, 'SUCCESS', rec.failedMsg);
    const m = await readManifest(s, 'css-logs', id, rec.jobId);
    assert.equal(m.files.length, 1);
    const e = m.files[0];
    assert.equal(e.size, GiB);
    assert.equal(e.encoding, 'gzip');
    assert.ok(e.objectSize < GiB / 4, `compressed to ${e.objectSize} bytes`);
    assert.equal(e.sha256, await fileSha(join(dir, 'es.log')));
    const got = await objectContentSha(s, e);
    assert.equal(got.size, GiB);
    assert.equal(got.sha256, e.sha256);
  } finally {
    await s.close();
    rmSync(root, { recursive: true, force: true });
  }
});
