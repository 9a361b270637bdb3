#!/usr/bin/env node
// Runs the compiled CLI. `npm ci` builds it (the `prepare` script); `npm run build` rebuilds it.
// `simulate` runs in a child process with a heap sized to the machine (src/cli/heap.ts).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { getHeapStatistics } from 'node:v8';

const dist = new URL('../dist/cli/', import.meta.url);
const entry = new URL('bin.js', dist);
if (!existsSync(entry)) {
  process.stderr.write('swarmlab: the CLI is not built yet; run `npm run build` in the swarmlab checkout\n');
  process.exit(1);
}
const { largerHeapFor, RELAUNCHED_ENV } = await import(new URL('heap.js', dist).href);
const heapMiB = largerHeapFor({
  argv: process.argv.slice(2),
  execArgv: process.execArgv,
  nodeOptions: process.env.NODE_OPTIONS,
  relaunched: process.env[RELAUNCHED_ENV] === '1',
  totalMemoryBytes: totalmem(),
  heapLimitBytes: getHeapStatistics().heap_size_limit,
});
if (heapMiB !== undefined) {
  const args = [...process.execArgv, `--max-old-space-size=${heapMiB}`, fileURLToPath(import.meta.url)];
  const child = spawnSync(process.execPath, [...args, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, [RELAUNCHED_ENV]: '1' },
  });
  if (child.error === undefined) {
    if (child.signal !== null) process.kill(process.pid, child.signal);
    process.exit(child.status ?? 1);
  }
  // The child could not start: run here, with the heap there is.
}
await import(entry.href);
