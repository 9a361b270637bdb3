import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    // Threads-runtime and CLI tests start many worker threads; keep the default bound generous
    // but finite so that a hang fails instead of stalling CI.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
