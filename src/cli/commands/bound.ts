// `swarmlab bound SCENARIO`: the Kumar-Ross lower bound on the completion time of the peers a run of
// the scenario draws (with --seed), and why; or that there is none.
// Declared here (flags, help); the action, in bound-action.ts, is loaded only when the command runs.
import type { Command } from 'commander';
import { repeatable, seedNumber } from '../options.ts';

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
      const { bound } = await import('./bound-action.ts');
      await bound(path, flags);
    });
}
