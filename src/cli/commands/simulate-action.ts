// What `swarmlab simulate` does (declared with its flags in simulate.ts, which loads this file when it runs).
import { join } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { checkFitsInMemory } from '../../bittorrent/scenario/memory.ts';
import { readSwarmScenario } from '../../bittorrent/scenario/scenario-file.ts';
import { simulateSwarm } from '../../bittorrent/sim/simulation.ts';
import { kumarRossEstimateS } from '../../bittorrent/theory/bound.ts';
import { jsonText } from '../../results/classic.ts';
import { type SwarmResults, swarmCsvFiles, toSwarmResults } from '../../results/swarm.ts';
import { runBound, summarizeSwarm } from '../../results/swarm-summary.ts';
import { checkDestinations, type Destination } from '../../util/destinations.ts';
import { type OutputSet, writeAll } from '../../util/output-set.ts';
import { stopIfLauncherGone } from '../launcher-watch.ts';
import { swarmProgressBar } from '../progress.ts';
import { formatSwarmSummary } from '../tables/swarm-table.ts';
import { VERSION } from '../version.ts';
import { reportHtml } from './report-action.ts';
import type { SimulateFlags } from './simulate.ts';
import { printWritten } from './written.ts';

export async function simulate(path: string, flags: SimulateFlags): Promise<void> {
  const scenario = await readSwarmScenario(path, flags.set);
  checkFitsInMemory(scenario, kumarRossEstimateS(scenario), getHeapStatistics().heap_size_limit, path);
  await checkDestinations(destinationsOf(flags), [path]);
  const progress = swarmProgressBar(!flags.quiet);
  let run: ReturnType<typeof simulateSwarm>;
  try {
    run = simulateSwarm(scenario, {
      seed: flags.seed,
      onProgress: (p) => {
        stopIfLauncherGone();
        progress.update(p);
      },
    });
  } finally {
    progress.stop();
  }
  const bound = runBound(run);
  const summary = summarizeSwarm(run, bound);
  const results = toSwarmResults(run, summary, bound, {
    source: path,
    overrides: flags.set,
    swarmlab: VERSION,
    createdAt: new Date(),
  });
  stopIfLauncherGone();
  const written = await writeAll((outputs) => stageResults(outputs, flags, results));
  process.stdout.write(`${formatSwarmSummary(run, summary, bound)}\n`);
  printWritten(written);
}

function destinationsOf(flags: SimulateFlags): Destination[] {
  const destinations: Destination[] = [];
  if (flags.json !== undefined) destinations.push({ kind: 'file', path: flags.json, flag: '--json' });
  if (flags.csv !== undefined) destinations.push({ kind: 'folder', path: flags.csv, flag: '--csv' });
  if (flags.report !== undefined) destinations.push({ kind: 'file', path: flags.report, flag: '--report' });
  return destinations;
}

/** Every file a simulation writes, staged together: all are written, or none. */
async function stageResults(outputs: OutputSet, flags: SimulateFlags, results: SwarmResults): Promise<void> {
  if (flags.json !== undefined) await outputs.write(flags.json, jsonText(results));
  if (flags.csv !== undefined) {
    for (const [name, text] of swarmCsvFiles(results)) await outputs.write(join(flags.csv, name), text);
  }
  if (flags.report !== undefined)
    await outputs.write(flags.report, reportHtml({ kind: 'swarm', runs: [results] }));
}
