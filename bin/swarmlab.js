#!/usr/bin/env node
// Runs the compiled CLI: the bundle in dist/bundle (scripts/bundle.mjs). `npm ci` builds it (the
// `prepare` script); `npm run build` rebuilds it.
// `simulate` runs in a child process with a heap sized to the machine (src/cli/heap.ts); every other
// command runs here at once, without loading what that choice needs (a benchmark starts many `get`s).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dist = new URL('../dist/bundle/', import.meta.url);
const entry = new URL('bin.js', dist);
const heap = new URL('heap.js', dist);
if (!existsSync(entry) || !existsSync(heap)) {
  process.stderr.write(
    'swarmlab: the CLI is not built, or was built by an older version; run `npm run build` in the swarmlab checkout\n',
  );
  process.exit(1);
}
const { largerHeapFor, RELAUNCHED_ENV, runsSimulate, usableMemory } = await import(heap.href);
const heapMiB = runsSimulate(process.argv.slice(2)) ? await heapForSimulate() : undefined;
if (heapMiB === undefined) await import(entry.href);
else await relaunch(heapMiB);

async function heapForSimulate() {
  const [{ totalmem }, { getHeapStatistics }] = await Promise.all([import('node:os'), import('node:v8')]);
  return largerHeapFor({
    argv: process.argv.slice(2),
    execArgv: process.execArgv,
    nodeOptions: process.env.NODE_OPTIONS,
    relaunched: process.env[RELAUNCHED_ENV] === '1',
    totalMemoryBytes: usableMemory(totalmem(), process.constrainedMemory?.()),
    heapLimitBytes: getHeapStatistics().heap_size_limit,
  });
}

/** Runs this CLI again in a child with a larger heap, passing signals on, and exits as it does. */
async function relaunch(mib) {
  const { spawn } = await import('node:child_process');
  const args = [...process.execArgv, `--max-old-space-size=${mib}`, fileURLToPath(import.meta.url)];
  const child = spawn(process.execPath, [...args, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, [RELAUNCHED_ENV]: '1' },
  });
  // A terminal's Ctrl-C reaches both processes; a signal sent to this one alone must reach the child.
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of signals) process.on(signal, () => child.kill(signal));
  const stopPassing = () => {
    for (const signal of signals) process.removeAllListeners(signal);
  };
  child.on('error', async () => {
    // The child could not start: run here, with the heap there is.
    stopPassing();
    await import(entry.href);
  });
  child.on('exit', (code, signal) => {
    stopPassing();
    if (signal === 'SIGKILL') {
      process.stderr.write('swarmlab: the simulation was killed (SIGKILL), most likely for want of memory\n');
      process.exit(137);
    }
    if (signal !== null) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
}
