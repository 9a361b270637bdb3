// Node's default V8 heap (about 4 GB on a machine of 24 GB) is less than a simulated swarm of 100,000
// peers needs, and running out of it kills the process with a V8 trace. So `simulate` runs in a child
// with a heap sized to the machine, unless the user chose one. A larger limit costs nothing until used.

/** The share of the machine's memory that a simulation may use as heap. */
export const HEAP_SHARE_OF_MEMORY = 0.75;
/** Set in the child's environment: it must not relaunch itself again. */
export const RELAUNCHED_ENV = 'SWARMLAB_RELAUNCHED';

export interface HeapFacts {
  /** The CLI's arguments, after `swarmlab`. */
  readonly argv: readonly string[];
  /** Node's own flags (process.execArgv) and NODE_OPTIONS, where a user sets a heap limit. */
  readonly execArgv: readonly string[];
  readonly nodeOptions: string | undefined;
  readonly relaunched: boolean;
  /** The memory this process may use: the machine's, or its container's limit when lower. */
  readonly totalMemoryBytes: number;
  /** The heap limit this process has (v8.getHeapStatistics().heap_size_limit). */
  readonly heapLimitBytes: number;
}

/** Whether the command is `simulate`, the only one relaunched (the launcher asks before the facts). */
export function runsSimulate(argv: readonly string[]): boolean {
  return argv.find((arg) => !arg.startsWith('-')) === 'simulate';
}

/** The heap, in MiB, to relaunch the CLI with; undefined to run in this process as it is. */
export function largerHeapFor(facts: HeapFacts): number | undefined {
  if (facts.relaunched || !runsSimulate(facts.argv)) return undefined;
  const flags = [...facts.execArgv, ...(facts.nodeOptions ?? '').split(/\s+/)];
  if (flags.some((flag) => /^--max[-_]old[-_]space[-_]size\b/.test(flag))) return undefined;
  // A process under a debugger stays one process: a child would fight the parent for the port.
  if (flags.some((flag) => flag.startsWith('--inspect'))) return undefined;
  const mib = Math.floor((facts.totalMemoryBytes * HEAP_SHARE_OF_MEMORY) / 2 ** 20);
  // Not worth a second process for a few percent more.
  return mib > (1.25 * facts.heapLimitBytes) / 2 ** 20 ? mib : undefined;
}

/** The memory a process may use: the machine's, or less under a container's limit (0 or huge: none). */
export function usableMemory(totalBytes: number, constrainedBytes: number | undefined): number {
  return constrainedBytes !== undefined && constrainedBytes > 0
    ? Math.min(totalBytes, constrainedBytes)
    : totalBytes;
}
