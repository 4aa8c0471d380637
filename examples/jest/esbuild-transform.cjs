// A Jest transformer: TypeScript or JavaScript in ESM syntax → CommonJS with esbuild, which is fast
// enough that compiling logsnap's sources on the fly costs well under a second. `import.meta.url`
// (which CommonJS lacks) becomes the file's own URL, as in ESM.
const { createHash } = require('node:crypto');
const { readFileSync } = require('node:fs');
const { transformSync } = require('esbuild');

const SELF = readFileSync(__filename);

module.exports = {
  // Jest caches what a transformer returns: the key must change when this transformer does
  getCacheKey(source, filename) {
    return createHash('sha256').update(SELF).update('\0').update(filename).update('\0').update(source).digest('hex');
  },
  process(source, filename) {
    const out = transformSync(source, {
      loader: filename.endsWith('ts') ? 'ts' : 'js', format: 'cjs', target: 'node20', sourcefile: filename, sourcemap: 'inline',
      define: { 'import.meta.url': '__esm_import_meta_url' },
      banner: "const __esm_import_meta_url = require('node:url').pathToFileURL(__filename).href;",
    });
    return { code: out.code };
  },
};
