/**
 * logsnap serves the built console itself: a CSP allowing only its own origin, no inline script or
 * style, hashed assets cached for a year, index.html for client routes, gzip, no path escapes; the
 * bundle stays under its size budget.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { engines, startServer, type TestServer } from '../helpers/server.js';
import { ensureConsoleBuilt } from '../helpers/console.js';
import { ROOT } from '../helpers/cli.js';
import { CONSOLE_CSP } from '../../src/http/routes/console/consoleAssets.js';

const BUDGET = 250 * 1024;

test('the console bundle (JS + CSS) is under 250 KB gzipped', async () => {
  const built = await ensureConsoleBuilt();
  assert.ok(built.total > 10_000, `a real bundle (${built.total} bytes)`);
  assert.ok(built.total <= BUDGET, `JS + CSS are ${(built.total / 1024).toFixed(1)} KB gzipped, over the 250 KB budget`);
});

for (const { engine, skip } of await engines()) {
  describe(`console files on ${engine}`, { skip }, () => {
    let s: TestServer;
    before(async () => {
      await ensureConsoleBuilt();
      s = await startServer({ engine });
    });
    after(async () => s?.close());

    test('index.html: CSP of its own origin only, no inline script or style, not cached', async () => {
      const res = await fetch(`${s.url}/console/`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
      assert.equal(res.headers.get('content-security-policy'), CONSOLE_CSP);
      assert.match(CONSOLE_CSP, /default-src 'self'/);
      assert.doesNotMatch(CONSOLE_CSP, /unsafe-inline|unsafe-eval|https?:|\*/);
      assert.equal(res.headers.get('cache-control'), 'no-cache');
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      const html = await res.text();
      const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
      assert.ok(scripts.length >= 1);
      for (const [, attrs, body] of scripts) {
        assert.match(attrs, /src="\/console\/assets\/[^"]+\.js"/);
        assert.equal(body.trim(), '', 'no inline script');
      }
      assert.doesNotMatch(html, /<style|style="/, 'no inline style');
      assert.doesNotMatch(html, /https?:\/\//, 'nothing from another origin (no CDN, no web font)');
    });

    test('hashed assets are cached for a year, sent gzipped when accepted, revalidated with ETag', async () => {
      const html = await (await fetch(`${s.url}/console/`)).text();
      const js = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)![1];
      const plain = await fetch(s.url + js, { headers: { 'accept-encoding': 'identity' } });
      assert.equal(plain.status, 200);
      assert.equal(plain.headers.get('cache-control'), 'public, max-age=31536000, immutable');
      assert.equal(plain.headers.get('content-type'), 'text/javascript; charset=utf-8');
      const body = Buffer.from(await plain.arrayBuffer());
      assert.deepEqual(body, readFileSync(join(ROOT, 'dist', js)));
      const raw = await new Promise<{ encoding: string | undefined; bytes: Buffer }>((resolve, reject) => {
        import('node:http').then(({ get }) => get(s.url + js, { headers: { 'accept-encoding': 'gzip' } }, (r) => {
          const chunks: Buffer[] = [];
          r.on('data', (c) => chunks.push(c));
          r.on('end', () => resolve({ encoding: r.headers['content-encoding'], bytes: Buffer.concat(chunks) }));
        }).on('error', reject));
      });
      assert.equal(raw.encoding, 'gzip');
      assert.deepEqual(gunzipSync(raw.bytes), body);
      const etag = plain.headers.get('etag')!;
      const again = await fetch(s.url + js, { headers: { 'if-none-match': etag } });
      assert.equal(again.status, 304);
      for (const f of readdirSync(join(ROOT, 'dist', 'console', 'assets')).filter((n) => n.endsWith('.css'))) {
        const css = readFileSync(join(ROOT, 'dist', 'console', 'assets', f), 'utf8');
        assert.doesNotMatch(css, /@import\s+url\(\s*['"]?https?:|url\(\s*['"]?https?:/, 'no remote fonts or images');
      }
    });

    test('client routes get index.html; a missing file is 404; nothing outside the console folder is reachable', async () => {
      for (const route of ['/console', '/console/clusters/abc', '/console/admin/projects/x/clusters/new', '/console/sign-in']) {
        const r = await fetch(s.url + route);
        assert.equal(r.status, 200, route);
        assert.match(await r.text(), /<div id="app">/, route);
      }
      const missing = await fetch(`${s.url}/console/assets/nope.js`);
      assert.equal(missing.status, 404);
      assert.equal(((await missing.json()) as { error_code: string }).error_code, 'LOGSNAP.0404');
      for (const evil of ['/console/..%2F..%2Fpackage.json', '/console/%2e%2e/%2e%2e/package.json', '/console/assets/..%2F..%2F..%2Fpackage.json']) {
        const r = await fetch(s.url + evil);
        assert.notEqual(r.status, 200, evil);
        assert.doesNotMatch(await r.text(), /"name": "logsnap"/, evil);
      }
      const root = await fetch(`${s.url}/`, { redirect: 'manual' });
      assert.equal(root.status, 302);
      assert.equal(root.headers.get('location'), '/console/');
    });

    test('without a build the console says how to build it; it can be switched off', async () => {
      const empty = mkdtempSync(join(tmpdir(), 'logsnap-noconsole-'));
      const a = await startServer({ engine, config: { console: { dir: empty } } });
      try {
        const r = await fetch(`${a.url}/console/`);
        assert.equal(r.status, 503);
        assert.match(await r.text(), /npm run build/);
      } finally {
        await a.close();
      }
      const b = await startServer({ engine, config: { console: { enabled: false } } });
      try {
        assert.equal((await fetch(`${b.url}/console/`)).status, 404);
        assert.equal((await fetch(`${b.url}/logsnap/v1/session`, { headers: { authorization: `Bearer ${b.adminToken}` } })).status, 200, 'the read API stays');
      } finally {
        await b.close();
      }
    });
  });
}
