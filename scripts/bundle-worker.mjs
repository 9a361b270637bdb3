// Bundles the threads runtime's worker into one file, so that each of the many rank threads loads a
// single module instead of resolving and reading a dozen (thread start-up dominates small runs).
import { build } from 'esbuild';

await build({
  entryPoints: ['src/classic/threads/worker.ts'],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile: 'dist/classic/threads/worker.bundle.js',
  logLevel: 'warning',
});
