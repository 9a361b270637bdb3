// `swarmlab run DIR`: read in1.txt..inN.txt, run the swarm, write client<R>_<file>, print the summary.
// Declared here (flags, help); the action, in run-action.ts, is loaded only when the command runs.
import type { Command } from 'commander';
import { PEER_STRATEGIES, type PeerStrategyName } from '../../classic/protocol/strategies/index.ts';
import { RUNTIMES, type RuntimeName } from '../../classic/runtime/types.ts';
import { MAX_TIMEOUT_S, oneOf, seedNumber, wholeNumber } from '../options.ts';

export interface RunFlags {
  runtime: RuntimeName;
  seed: number;
  strategy: PeerStrategyName;
  out?: string;
  json?: string;
  report?: string;
  csv?: string;
  quiet?: boolean;
  timeout: number;
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run the classic swarm on a folder of in<R>.txt files and write client<R>_<file> outputs')
    .argument('<dir>', 'folder holding in1.txt .. inN.txt (client ranks 1..N; the tracker is rank 0)')
    .option('-r, --runtime <name>', `runtime: ${RUNTIMES.join(' or ')}`, oneOf('--runtime', RUNTIMES), 'sim')
    .option('-s, --seed <n>', 'seed for peer choices (and message timing on sim)', seedNumber, 1)
    .option(
      '--strategy <name>',
      `peer selection: ${PEER_STRATEGIES.join(' or ')}`,
      oneOf('--strategy', PEER_STRATEGIES),
      'random',
    )
    .option('-o, --out <dir>', 'where to write client<R>_<file> (default: the input folder)')
    .option('--json <file>', "also write the run's results, machine-readable, to this file")
    .option('--report <file>', 'also write a self-contained HTML report of the run')
    .option('--csv <dir>', 'also write clients.csv, transfers.csv and summary.csv into this folder')
    .option(
      '--timeout <seconds>',
      'threads runtime: fail a run still going after this long',
      wholeNumber('--timeout', 1, MAX_TIMEOUT_S),
      600,
    )
    .option('-q, --quiet', 'no progress bar')
    .action(async (dir: string, flags: RunFlags) => {
      const { runClassicCommand } = await import('./run-action.ts');
      await runClassicCommand(dir, flags);
    });
}
