// Bundles what `tsc -p tsconfig.build.json` compiled file by file (dist/, which tests and benchmarks
// import) into the files that start: the CLI, and the threads runtime's worker. A process of the CLI
// (a benchmark starts ten at once) or a rank thread then loads a few files instead of resolving, reading
// and compiling dozens, which was most of its start-up CPU.
import { copyFile } from 'node:fs/promises';
import { build } from 'esbuild';

const common = { bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning' };

// One file: each of the many rank threads loads a single module.
const WORKER = 'dist/classic/threads/worker.bundle.js';
await build({ ...common, entryPoints: ['src/classic/threads/worker.ts'], outfile: WORKER });

// The CLI, split: a command's action (x-action.ts, imported when the command runs) stays a chunk of its
// own, so `--help` and `--version` load little, and `get` does not load the simulator. Every file is in
// one folder two levels under the package, as dist/cli/*.js are, so the paths that code finds from its
// own file (../../package.json, ./worker.bundle.js) hold.
await build({
  ...common,
  entryPoints: ['src/cli/bin.ts', 'src/cli/heap.ts'],
  outdir: 'dist/bundle',
  splitting: true,
  chunkNames: '[name]-[hash]',
  // commander is CommonJS: its require() of Node's modules needs a require in an ES module.
  // worker-entry.ts imports esbuild only when run from the TypeScript sources, never from here.
  external: ['esbuild'],
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
});
await copyFile(WORKER, 'dist/bundle/worker.bundle.js');
