import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../helpers/server.js';
import { cssOps, OPEN, readManifest, waitRecord } from './helpers.js';

test('first start of the embedded default registers a CSS demo cluster over generated logs', async () => {
  const s = await startServer({ engine: 'sqlite', config: { core: { demo: true } } });
  try {
    const lines = s.rt.start!.demo.filter((l) => l.includes('logsnap call css') || l.startsWith('CSS demo'));
    const id = /CSS demo cluster ([0-9a-f-]{36})/.exec(lines.join('\n'))?.[1];
    assert.ok(id, lines.join('\n'));
    assert.ok(lines.some((l) => l.includes(`CreateLogBackup --cluster_id ${id} --wait`)));
    const css = cssOps(s.client('/css'), id!);
    await css.open(OPEN);
    await css.collect();
    const rec = await waitRecord(css, (await css.records()).clusterLogRecord[0].jobId);
    assert.equal(rec.status, 'SUCCESS', rec.failedMsg);
    const m = await readManifest(s, 'css-logs', id!, rec.jobId);
    assert.equal(m.files.length, 14);
    assert.ok(m.totals.bytes > 2_000_000 && m.totals.bytes < 10_000_000);
    assert.ok(m.files.some((f: { encoding: string }) => f.encoding === 'identity'));
  } finally {
    await s.close();
  }
});
