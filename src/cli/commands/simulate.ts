// `swarmlab simulate SCENARIO`: run a scenario file on the swarm simulator and print its summary.
// Declared here (flags, help); the action, in simulate-action.ts, is loaded only when the command runs.
import type { Command } from 'commander';
import { repeatable, seedNumber } from '../options.ts';

export interface SimulateFlags {
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
    .option('-s, --seed <n>', 'seed: the same seed replays the same run', seedNumber, 1)
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
      const { simulate } = await import('./simulate-action.ts');
      await simulate(path, flags);
    });
}
