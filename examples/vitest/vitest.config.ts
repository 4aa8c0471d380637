import { defineConfig } from 'vitest/config';

// In your project: `import { startLogsnap } from 'logsnap/testing'` just works (the package ships
// compiled code). In this repository the sources are used directly: the `logsnap-source` export condition.
export default defineConfig({
  resolve: { conditions: ['logsnap-source'] },
  ssr: { resolve: { conditions: ['logsnap-source'], externalConditions: ['logsnap-source'] } },
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['examples/vitest/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
