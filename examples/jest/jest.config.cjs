// Jest for TypeScript ESM sources, kept light: each .ts file is compiled to CommonJS by esbuild
// (./esbuild-transform.cjs), as are the few dependencies that ship ES modules only, and
// `import './x.js'` finds x.ts. In your project, with `logsnap` installed, `logsnap/testing` is
// compiled JavaScript: keep the transform for your own .ts tests and the transformIgnorePatterns line.
// In this repository the sources are used directly: the `logsnap-source` export condition.
const path = require('node:path');

module.exports = {
  rootDir: path.join(__dirname, '..', '..'),
  testMatch: ['<rootDir>/examples/jest/**/*.test.ts'],
  testEnvironment: 'node',
  testEnvironmentOptions: { customExportConditions: ['logsnap-source', 'node', 'node-addons'] },
  transform: { '\\.[cm]?[jt]s$': path.join(__dirname, 'esbuild-transform.cjs') },
  // dependencies that ship ES modules only (Jest's CommonJS runtime cannot require them): compiled too
  transformIgnorePatterns: ['/node_modules/(?!(content-disposition)/)'],
  moduleFileExtensions: ['ts', 'js', 'cjs', 'json', 'node'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testTimeout: 60000,
};
