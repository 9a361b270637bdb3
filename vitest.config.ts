import { defineConfig } from 'vitest/config';

/**
 * The suites that run a whole program: the CLI (in-process or as a child), reports in Chromium, and
 * live swarms with other BitTorrent programs (opentracker, aria2c, qBittorrent) on loopback.
 */
const END_TO_END = [
  'test/cli/**/*.test.ts',
  'test/report/browser.test.ts',
  'test/bittorrent/net/interop/**/*.test.ts',
];
/** The suites that run simulations: the classic runtimes, the swarm simulator, the theory checks. */
const SIMULATION = [
  'test/classic/sim/**/*.test.ts',
  'test/classic/runtime/**/*.test.ts',
  'test/bittorrent/sim/**/*.test.ts',
];

// Tests in three tiers, fastest first: `npx vitest run --project unit` (seconds) while working on a
// core, `--project simulation` and `--project end-to-end` before a commit; `npm test` runs all three.
export default defineConfig({
  test: {
    setupFiles: ['test/setup.ts'],
    // Threads-runtime and CLI tests start many worker threads; keep the default bound generous
    // but finite so that a hang fails instead of stalling CI.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [...END_TO_END, ...SIMULATION] },
      },
      { extends: true, test: { name: 'simulation', include: SIMULATION } },
      { extends: true, test: { name: 'end-to-end', include: END_TO_END } },
    ],
  },
});
