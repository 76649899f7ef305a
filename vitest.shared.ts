import { defineConfig } from 'vitest/config';

// Tests run against each package's TypeScript source: the "@coffer/source" export condition maps
// every workspace import to src/, so no build is needed to test a change.
export default defineConfig({
  resolve: { conditions: ['@coffer/source'] },
  ssr: { resolve: { conditions: ['@coffer/source'] } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
