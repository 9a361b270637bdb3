// One size of the classic sim runtime's scaling case, on the compiled code, in a process of its own:
// `swarmlab gen`'s defaults (5 files of up to 100 segments) at the given number of clients. A small run
// first warms the JIT, so that the figure is the cost of a message, not of compiling. Prints one line of
// JSON: messages, CPU and wall time of the measured run, and (from a second, observed run when asked)
// how many swarm members the swarm messages listed, per message delivered. Called by bench/bench.ts.

import { generateClassic } from '../dist/classic/input/generate.js';
import { runSim } from '../dist/classic/sim/runtime.js';

const c = JSON.parse(process.argv[2]);
const scenarioOf = (clients) => generateClassic({ clients, files: 5, maxSegments: 100, seed: 1 });
runSim(scenarioOf(100), { seed: 1, strategy: c.strategy });
const scenario = scenarioOf(c.clients);
const cpuBefore = process.cpuUsage();
const started = performance.now();
const result = runSim(scenario, { seed: 1, strategy: c.strategy });
const wallMs = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
let listed = 0;
if (c.count) {
  runSim(scenario, {
    seed: 1,
    strategy: c.strategy,
    observe: ({ msg }) => {
      if (msg.kind === 'swarm') listed += msg.seeds.length + msg.peers.length;
    },
  });
}
process.stdout.write(
  `${JSON.stringify({
    messages: result.messages,
    cpuMs: (cpu.user + cpu.system) / 1000,
    wallMs,
    listedPerMessage: c.count ? listed / result.messages : null,
  })}\n`,
);
