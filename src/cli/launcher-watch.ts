// `simulate` may run in a child of bin/swarmlab.js (src/cli/heap.ts). If the launcher is killed with a
// signal it cannot pass on (SIGKILL, SIGQUIT), the child is orphaned: it must stop, not run on for hours
// and write results nobody asked for any more. An orphan is adopted by another process, so its parent
// pid changes; the simulation is one synchronous loop, so it checks at every sample and before writing.
import { RELAUNCHED_ENV } from './heap.ts';

export class LauncherGoneError extends Error {
  override readonly name = 'LauncherGoneError';
}

const launcherPid = process.env[RELAUNCHED_ENV] === '1' ? process.ppid : undefined;

/** Throws once the launcher that started this process has gone. */
export function stopIfLauncherGone(): void {
  if (launcherPid !== undefined && process.ppid !== launcherPid) {
    throw new LauncherGoneError(
      'the swarmlab launcher has ended, so the simulation stops; nothing was written',
    );
  }
}
