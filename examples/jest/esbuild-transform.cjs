// A Jest transformer: TypeScript or JavaScript in ESM syntax → CommonJS with esbuild, which is fast
// enough that compiling logsnap's sources on the fly costs well under a second.
const { transformSync } = require('esbuild');

module.exports = {
  process(source, filename) {
    const out = transformSync(source, { loader: filename.endsWith('ts') ? 'ts' : 'js', format: 'cjs', target: 'node20', sourcefile: filename, sourcemap: 'inline' });
    return { code: out.code };
  },
};
