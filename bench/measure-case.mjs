// One benchmark case, run on the compiled code (as `swarmlab` runs it) in a process of its own, so that
// its peak memory is its own. Prints one line of JSON. Called by bench/bench.ts.

import { generateClassic } from '../dist/classic/input/generate.js';
import { runClassic } from '../dist/classic/runner/run.js';

const c = JSON.parse(process.argv[2]);
const scenario = generateClassic({
  clients: c.clients,
  files: c.files,
  minSegments: c.segments,
  maxSegments: c.segments,
  seed: 1,
});
const started = performance.now();
const result = await runClassic(scenario, { runtime: c.runtime, seed: 1, strategy: 'random' });
const wallMs = performance.now() - started;
process.stdout.write(
  `${JSON.stringify({
    wallMs,
    messages: result.messages,
    segments: result.clients.reduce((total, stats) => total + stats.downloaded, 0),
    // ru_maxrss is in KiB on Linux, and covers every thread of the process.
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  })}\n`,
);
