// `swarmlab bound SCENARIO`: the Kumar-Ross lower bound on the scenario's completion time, and why.
import type { Command } from 'commander';
import { readSwarmScenario } from '../../bittorrent/scenario/scenario-file.ts';
import { kumarRossBound } from '../../bittorrent/theory/bound.ts';
import { repeatable } from '../options.ts';
import { formatBound } from '../tables/swarm-table.ts';

export function registerBound(program: Command): void {
  program
    .command('bound')
    .description('print the Kumar-Ross lower bound on the time for every peer of the scenario to finish')
    .argument('<scenario>', 'scenario file, such as scenarios/flash-crowd.yaml')
    .option(
      '--set <path=value>',
      'override a scenario field, e.g. peers.count=20000 (repeatable)',
      repeatable,
      [],
    )
    .action(async (path: string, flags: { set: string[] }) => {
      const scenario = await readSwarmScenario(path, flags.set);
      process.stdout.write(`${formatBound(scenario.name, kumarRossBound(scenario))}\n`);
    });
}
