// `swarmlab sweep SCENARIO --vary field=a,b --seeds 1..10`: a grid of settings times seeds, run in
// parallel and resumably; each configuration's figures as means with 95% intervals. `--emit-commands`
// prints the runs for other machines instead, and `--merge` gathers results files however they were made.
// Declared here (flags, help); the action, in sweep-action.ts, is loaded only when the command runs.
import { availableParallelism } from 'node:os';
import { type Command, Option } from 'commander';
import { repeatable, wholeNumber } from '../options.ts';

export interface SweepFlags {
  set: string[];
  vary: string[];
  seeds: string;
  jobs: number;
  runs?: string;
  json?: string;
  report?: string;
  emitCommands?: boolean;
  merge?: string[];
  quiet?: boolean;
}

export function registerSweep(program: Command): void {
  program
    .command('sweep')
    .description(
      'run a scenario over a grid of settings times seeds, in parallel and resumably, and give each configuration its means with 95% confidence intervals',
    )
    .argument('[scenario]', 'scenario file, such as scenarios/flash-crowd.yaml (not with --merge)')
    .option('--set <path=value>', 'override a scenario field in every run (repeatable)', repeatable, [])
    .option(
      '--vary <path=v1,v2,...>',
      'run each of these values of a field; several --vary make a grid of every combination (repeatable)',
      repeatable,
      [],
    )
    .option('--seeds <A..B>', 'the seeds each configuration runs with: A..B, or a list like 1,2,5', '1..5')
    .addOption(
      new Option('-j, --jobs <n>', 'runs at once, each a simulate child process')
        .argParser(wholeNumber('--jobs', 1))
        .default(availableParallelism(), `every core, ${availableParallelism()} here`),
    )
    .option(
      '--runs <dir>',
      "where each run's results file goes (default: next to --json or --report, named <name>-runs); finished runs there are kept and not run again",
    )
    .option('--json <file>', 'write every configuration with its means and 95% intervals as JSON')
    .option('--report <file>', 'write a self-contained HTML report comparing the configurations')
    .option('--emit-commands', 'print one `swarmlab simulate` command per run instead of running them')
    .option('--merge <results...>', 'gather results files of runs made elsewhere (with --json, --report)')
    .option('-q, --quiet', 'no progress bar')
    .action(async (scenario: string | undefined, flags: SweepFlags) => {
      const { sweep } = await import('./sweep-action.ts');
      await sweep(scenario, flags);
    });
}
