// One entry point for running a classic scenario on any runtime.
import type { ClassicScenario } from '../input/scenario.ts';
import type { RunOptions, RunResult, RuntimeName } from '../runtime/types.ts';
import { runSim } from '../sim/runtime.ts';
import { runThreads } from '../threads/runtime.ts';

export interface RunClassicOptions extends RunOptions {
  readonly runtime: RuntimeName;
  /** Threads runtime only: give up after this long. */
  readonly timeoutMs?: number;
}

export async function runClassic(scenario: ClassicScenario, options: RunClassicOptions): Promise<RunResult> {
  switch (options.runtime) {
    case 'sim':
      return runSim(scenario, options);
    case 'threads':
      return runThreads(scenario, options);
  }
}
