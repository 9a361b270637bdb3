// Runs a sweep's planned runs on N workers: each run is a `swarmlab simulate` child process of this very
// CLI (same Node, same entry), so a run in a sweep is exactly the run its command line replays. A run
// whose results file is already there, whole and for the same settings, is kept and not run again.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { SWARM_RESULTS_FORMAT, type SwarmResults } from '../../results/swarm.ts';
import { shellLine } from '../../util/shell.ts';
import { type PlannedRun, simulateArgs } from './sweep-grid.ts';

export interface RunFailure {
  readonly run: PlannedRun;
  readonly command: string;
  readonly message: string;
}

export interface PoolEvents {
  /** A run finished (or failed): `done` of `total` runs left to do at the start. */
  onRunEnded(done: number, total: number): void;
}

/** The results in `run.json` if a whole run of the same settings wrote it, else null. */
export async function finishedRun(run: PlannedRun): Promise<SwarmResults | null> {
  let value: SwarmResults;
  try {
    value = JSON.parse(await readFile(run.json, 'utf8')) as SwarmResults;
  } catch {
    return null; // absent, or cut short by an interrupted run: run it again
  }
  const same =
    value?.format === SWARM_RESULTS_FORMAT &&
    value.seed === run.seed &&
    JSON.stringify(value.overrides ?? []) === JSON.stringify(run.overrides);
  return same ? value : null;
}

/** A pool of child processes, at most `jobs` at once; `stop` kills the ones running. */
export class SweepPool {
  private readonly running = new Set<ReturnType<typeof spawn>>();
  private stopped = false;

  constructor(
    private readonly scenario: string,
    private readonly jobs: number,
  ) {}

  async run(runs: readonly PlannedRun[], events: PoolEvents): Promise<RunFailure[]> {
    const failures: RunFailure[] = [];
    let next = 0;
    let done = 0;
    const worker = async () => {
      while (!this.stopped && next < runs.length) {
        const run = runs[next++] as PlannedRun;
        const failure = await this.runOne(run);
        if (failure !== null) failures.push(failure);
        events.onRunEnded(++done, runs.length);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.jobs, runs.length) }, worker));
    return failures;
  }

  stop(): void {
    this.stopped = true;
    for (const child of this.running) child.kill('SIGTERM');
  }

  private runOne(run: PlannedRun): Promise<RunFailure | null> {
    const args = simulateArgs(this.scenario, run);
    const command = shellLine(['swarmlab', ...args]);
    // This CLI again, as it was started: `node [--import tsx] <entry>`, or bin/swarmlab.js (its launcher).
    const entry = [...process.execArgv, process.argv[1] as string];
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [...entry, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
      this.running.add(child);
      let stderr = '';
      child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
        stderr = (stderr + chunk).slice(-4000);
      });
      child.on('error', (error) => {
        this.running.delete(child);
        resolve({ run, command, message: error.message });
      });
      child.on('close', (code, signal) => {
        this.running.delete(child);
        if (code === 0) resolve(null);
        else {
          const how = signal === null ? `exit code ${code}` : `signal ${signal}`;
          resolve({ run, command, message: `${how}${stderr.trim() === '' ? '' : `: ${stderr.trim()}`}` });
        }
      });
    });
  }
}
