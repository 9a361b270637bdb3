// `swarmlab bound SCENARIO`: the Kumar-Ross lower bound on the completion time of the peers a run of
// the scenario draws (with --seed), and why; or that there is none.
import { getHeapStatistics } from 'node:v8';
import type { Command } from 'commander';
import { checkPlansFit } from '../../bittorrent/scenario/memory.ts';
import { readSwarmScenario } from '../../bittorrent/scenario/scenario-file.ts';
import { drawPeers } from '../../bittorrent/sim/plan.ts';
import { kumarRossBound } from '../../bittorrent/theory/bound.ts';
import { repeatable, seedNumber } from '../options.ts';
import { formatBound } from '../tables/swarm-table.ts';

export function registerBound(program: Command): void {
  program
    .command('bound')
    .description(
      'print the Kumar-Ross lower bound on the time for every peer that must finish (free riders aside) to finish',
    )
    .argument('<scenario>', 'scenario file, such as scenarios/flash-crowd.yaml')
    .option('-s, --seed <n>', 'seed: the bound is for the peers a run with this seed draws', seedNumber, 1)
    .option(
      '--set <path=value>',
      'override a scenario field, e.g. peers.count=20000 (repeatable)',
      repeatable,
      [],
    )
    .action(async (path: string, flags: { set: string[]; seed: number }) => {
      const scenario = await readSwarmScenario(path, flags.set);
      // Drawing the peers takes memory too: refuse what cannot fit before drawing them.
      checkPlansFit(scenario, getHeapStatistics().heap_size_limit, path);
      const bound = kumarRossBound(drawPeers(scenario, flags.seed), scenario.file.sizeBytes);
      process.stdout.write(`${formatBound(scenario.name, bound)}\n`);
    });
}
