// One run of a scenario file on one build of the simulator, in a process of its own: prints its events,
// end, a digest of every peer's story (so that two builds' results can be told equal or not) and the
// CPU seconds the simulation took. Called by bench/bench.ts (`npm run bench -- compare`).
import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';

const { readerModule, simulatorModule, scenarioPath, overrides, seed } = JSON.parse(process.argv[2]);
const { readSwarmScenario } = await import(pathToFileURL(readerModule).href);
const { simulateSwarm } = await import(pathToFileURL(simulatorModule).href);
const scenario = await readSwarmScenario(scenarioPath, overrides);
const before = process.cpuUsage();
const run = simulateSwarm(scenario, { seed });
const cpu = process.cpuUsage(before);
const stories = run.peers.map((p) => [p.id, p.completedS, p.leftS, p.bytesUp, p.bytesDown]);
const last = Math.max(...run.peers.map((p) => p.completedS ?? 0));
process.stdout.write(
  `${JSON.stringify({
    events: run.events,
    endedAtS: run.endedAtS,
    lastCompletionS: last,
    stopReason: run.stopReason,
    digest: createHash('sha256').update(JSON.stringify(stories)).digest('hex').slice(0, 16),
    cpuS: (cpu.user + cpu.system) / 1e6,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  })}\n`,
);
