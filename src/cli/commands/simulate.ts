// `swarmlab simulate SCENARIO`: run a scenario file on the swarm simulator and print its summary.
import type { Command } from 'commander';
import { readSwarmScenario } from '../../bittorrent/scenario/scenario-file.ts';
import { simulateSwarm } from '../../bittorrent/sim/simulation.ts';
import { kumarRossBound } from '../../bittorrent/theory/bound.ts';
import { writeJson } from '../../results/classic.ts';
import { toSwarmResults, writeSwarmCsv } from '../../results/swarm.ts';
import { summarizeSwarm } from '../../results/swarm-summary.ts';
import { expectFileOrNothing, expectFolderOrNothing, repeatable, wholeNumber } from '../options.ts';
import { swarmProgressBar } from '../progress.ts';
import { formatSwarmSummary } from '../tables/swarm-table.ts';
import { VERSION } from '../version.ts';
import { writeReport } from './report.ts';

interface SimulateFlags {
  seed: number;
  set: string[];
  json?: string;
  csv?: string;
  report?: string;
  quiet?: boolean;
}

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description('simulate a swarm scenario (YAML or JSON) on a virtual clock and print its summary')
    .argument('<scenario>', 'scenario file, such as scenarios/flash-crowd.yaml')
    .option('-s, --seed <n>', 'seed: the same seed replays the same run', wholeNumber('--seed'), 1)
    .option(
      '--set <path=value>',
      'override a scenario field, e.g. peers.count=20000 (repeatable)',
      repeatable,
      [],
    )
    .option('--json <file>', 'write the whole run (peers, time series, summary) as JSON')
    .option('--csv <dir>', 'write peers.csv, series.csv and summary.csv into this folder')
    .option('--report <file>', 'write a self-contained HTML report with charts')
    .option('-q, --quiet', 'no progress bar')
    .action(async (path: string, flags: SimulateFlags) => {
      const scenario = await readSwarmScenario(path, flags.set);
      if (flags.json !== undefined) await expectFileOrNothing(flags.json, '--json');
      if (flags.csv !== undefined) await expectFolderOrNothing(flags.csv, '--csv');
      if (flags.report !== undefined) await expectFileOrNothing(flags.report, '--report');
      const bound = kumarRossBound(scenario);
      const progress = swarmProgressBar(!flags.quiet);
      let run: ReturnType<typeof simulateSwarm>;
      try {
        run = simulateSwarm(scenario, { seed: flags.seed, onProgress: (p) => progress.update(p) });
      } finally {
        progress.stop();
      }
      const summary = summarizeSwarm(run, bound);
      const results = toSwarmResults(run, summary, bound, {
        source: path,
        overrides: flags.set,
        swarmlab: VERSION,
        createdAt: new Date(),
      });
      if (flags.json !== undefined) await writeJson(flags.json, results);
      if (flags.csv !== undefined) await writeSwarmCsv(flags.csv, results);
      if (flags.report !== undefined) await writeReport(flags.report, { kind: 'swarm', runs: [results] });
      process.stdout.write(`${formatSwarmSummary(run, summary, bound)}\n`);
    });
}
