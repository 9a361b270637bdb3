// Bundles, after `tsc -p tsconfig.build.json` has compiled dist/ file by file (which tests and benchmarks
// import), the code that processes start with: the CLI, and the threads runtime's worker. A CLI process
// (a live benchmark starts ten at once) or a rank thread then loads a few files instead of resolving,
// reading and compiling dozens, which was most of its start-up CPU.
import { copyFile, rm } from 'node:fs/promises';
import { build } from 'esbuild';

const common = { bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning' };

// One file: each of the many rank threads loads a single module.
const WORKER = 'dist/classic/threads/worker.bundle.js';
await build({ ...common, entryPoints: ['src/classic/threads/worker.ts'], outfile: WORKER });

// The CLI that bin/swarmlab.js runs, split: a command's action (x-action.ts, imported when the command
// runs) stays a chunk of its own, named after it, so that `--help` and `--version` load little and `get`
// does not load the simulator. All files are in one folder two levels under the package, as dist/cli's
// are, so that the paths code finds from its own file hold (../../package.json, ./worker.bundle.js: a
// copy of the worker beside the chunks).
// The chunks' names change with their content: last build's would stay beside this one's.
await rm('dist/bundle', { recursive: true, force: true });
await build({
  ...common,
  entryPoints: ['src/cli/bin.ts', 'src/cli/heap.ts'],
  outdir: 'dist/bundle',
  splitting: true,
  chunkNames: '[name]-[hash]',
  // worker-entry.ts imports esbuild only when it runs from the TypeScript sources, never from here.
  external: ['esbuild'],
  // The CommonJS dependencies (commander) require Node's modules: an ES module has no require of its own.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
});
await copyFile(WORKER, 'dist/bundle/worker.bundle.js');
