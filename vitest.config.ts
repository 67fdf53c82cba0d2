import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup/build.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Namespace/live tests share kernel state; files run in one worker pool but never leak namespaces.
    pool: 'forks',
  },
});
