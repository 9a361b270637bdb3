// What `swarmlab sweep` does (declared with its flags in sweep.ts, which loads this file when it runs).
import { readSwarmScenario } from '../../bittorrent/scenario/scenario-file.ts';
import { writeJson } from '../../results/classic.ts';
import { readResults } from '../../results/read.ts';
import { SWARM_RESULTS_FORMAT, type SwarmResults } from '../../results/swarm.ts';
import { toSweepResults } from '../../results/sweep.ts';
import { InputError } from '../../util/input-error.ts';
import { shellLine } from '../../util/shell.ts';
import { UsageError } from '../errors.ts';
import { expectFileOrNothing, expectFolderOrNothing } from '../options.ts';
import { sweepProgressBar } from '../progress.ts';
import { formatSweepTable } from '../tables/sweep-table.ts';
import { VERSION } from '../version.ts';
import { writeReport } from './report-action.ts';
import type { SweepFlags } from './sweep.ts';
import { type PlannedRun, parseSeeds, parseVary, planRuns, simulateArgs } from './sweep-grid.ts';
import { finishedRun, SweepPool } from './sweep-pool.ts';

export async function sweep(scenario: string | undefined, flags: SweepFlags): Promise<void> {
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
