// `swarmlab sweep SCENARIO --vary field=a,b --seeds 1..10`: a grid of settings times seeds, run in
// parallel and resumably; each configuration's figures as means with 95% intervals. `--emit-commands`
// prints the runs for other machines instead, and `--merge` gathers results files however they were made.
import { availableParallelism } from 'node:os';
import { type Command, Option } from 'commander';
import { readSwarmScenario } from '../../bittorrent/scenario/scenario-file.ts';
import { writeJson } from '../../results/classic.ts';
import { readResults } from '../../results/read.ts';
import { SWARM_RESULTS_FORMAT, type SwarmResults } from '../../results/swarm.ts';
import { toSweepResults } from '../../results/sweep.ts';
import { InputError } from '../../util/input-error.ts';
import { shellLine } from '../../util/shell.ts';
import { UsageError } from '../errors.ts';
import { expectFileOrNothing, expectFolderOrNothing, repeatable, wholeNumber } from '../options.ts';
import { sweepProgressBar } from '../progress.ts';
import { formatSweepTable } from '../tables/sweep-table.ts';
import { VERSION } from '../version.ts';
import { writeReport } from './report.ts';
import { type PlannedRun, parseSeeds, parseVary, planRuns, simulateArgs } from './sweep-grid.ts';
import { finishedRun, SweepPool } from './sweep-pool.ts';

interface SweepFlags {
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
      if (flags.merge !== undefined) {
        if (scenario !== undefined) throw new UsageError('sweep --merge takes results files, not a scenario');
        await finish(await readRuns(flags.merge), flags);
        return;
      }
      if (scenario === undefined) throw new UsageError('sweep needs a scenario file (or --merge RESULTS...)');
      const runsDir = flags.runs ?? defaultRunsDir(flags);
      const runs = planRuns(flags.set, flags.vary.map(parseVary), parseSeeds(flags.seeds), runsDir);
      await checkConfigurations(scenario, runs);
      if (flags.emitCommands) {
        for (const run of runs)
          process.stdout.write(`${shellLine(['swarmlab', ...simulateArgs(scenario, run)])}\n`);
        return;
      }
      await expectFolderOrNothing(runsDir, '--runs');
      if (flags.json !== undefined) await expectFileOrNothing(flags.json, '--json');
      if (flags.report !== undefined) await expectFileOrNothing(flags.report, '--report');
      await runGrid(scenario, runs, runsDir, flags);
      await finish(await readRuns(runs.map((run) => run.json)), flags);
    });
}

function defaultRunsDir(flags: SweepFlags): string {
  const output = flags.json ?? flags.report;
  return output === undefined ? 'sweep-runs' : `${output.replace(/\.(json|html?)$/i, '')}-runs`;
}

/** Reads every configuration's scenario before running anything: a bad --set or --vary fails at once. */
async function checkConfigurations(scenario: string, runs: readonly PlannedRun[]): Promise<void> {
  const seen = new Set<string>();
  for (const run of runs) {
    const key = JSON.stringify(run.overrides);
    if (seen.has(key)) continue;
    seen.add(key);
    await readSwarmScenario(scenario, run.overrides);
  }
}

async function runGrid(
  scenario: string,
  runs: readonly PlannedRun[],
  runsDir: string,
  flags: SweepFlags,
): Promise<void> {
  const finished = await Promise.all(runs.map(finishedRun));
  const todo = runs.filter((_, i) => finished[i] === null);
  const kept = runs.length - todo.length;
  if (kept > 0) {
    process.stderr.write(`${kept} of ${runs.length} runs already done in ${runsDir}: kept, not run again\n`);
  }
  const jobs = Math.min(flags.jobs, Math.max(todo.length, 1));
  const pool = new SweepPool(scenario, jobs);
  const progress = sweepProgressBar(todo.length, jobs, !flags.quiet);
  const interrupt = () => {
    pool.stop();
    progress.stop();
    process.stderr.write(
      `swarmlab: sweep interrupted; finished runs are kept in ${runsDir}: run the same command to go on\n`,
    );
    process.exit(130);
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  try {
    const failures = await pool.run(todo, { onRunEnded: (done) => progress.update(done) });
    progress.stop();
    if (failures.length > 0) {
      const lines = failures
        .slice(0, 5)
        .map((f) => `  ${f.command}\n    ${f.message.split('\n').join('\n    ')}`);
      throw new Error(
        `${failures.length} of ${todo.length} runs failed (the others are kept in ${runsDir}; the same command runs only the failed ones again):\n${lines.join('\n')}`,
      );
    }
  } finally {
    progress.stop();
    process.removeListener('SIGINT', interrupt);
    process.removeListener('SIGTERM', interrupt);
  }
}

async function readRuns(paths: readonly string[]): Promise<SwarmResults[]> {
  const runs = await Promise.all(paths.map(readResults));
  runs.forEach((run, i) => {
    if (run.format !== SWARM_RESULTS_FORMAT) {
      throw new InputError(
        paths[i] as string,
        undefined,
        'a sweep gathers simulate results, not classic runs',
      );
    }
  });
  return runs as SwarmResults[];
}

async function finish(runs: readonly SwarmResults[], flags: SweepFlags): Promise<void> {
  const sweep = toSweepResults(runs, { swarmlab: VERSION, createdAt: new Date() });
  if (flags.json !== undefined) await writeJson(flags.json, sweep);
  if (flags.report !== undefined) await writeReport(flags.report, { kind: 'swarm', runs });
  process.stdout.write(`${formatSweepTable(sweep)}\n`);
}
