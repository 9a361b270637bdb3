// The least memory a simulated run of a scenario needs, known before it starts: a run that cannot fit
// is refused up front with the figure, instead of ending hours later in V8's out-of-memory abort. It is
// a floor, not a forecast: a run that passes may still need far more as it goes (docs/simulator.md).
import { InputError } from '../../util/input-error.ts';
import type { SwarmScenario } from './scenario.ts';

/** Every peer's fixed state (its plan, record, object and tables) takes at least this many bytes. */
export const MIN_BYTES_PER_PEER = 1024;
/** Bytes per piece the run keeps once: availability counts and a first sample of piece copies. */
const BYTES_PER_PIECE = 16;

export function peersOf(scenario: SwarmScenario): number {
  return scenario.peers.reduce((sum, group) => sum + group.count, scenario.seeds.count);
}

export function piecesOf(scenario: SwarmScenario): number {
  return Math.ceil(scenario.file.sizeBytes / scenario.file.pieceBytes);
}

/** Bytes: each peer's fixed state and its bitfield of pieces held, and the run's per-piece tables. */
export function leastMemoryBytes(scenario: SwarmScenario): number {
  const pieces = piecesOf(scenario);
  return peersOf(scenario) * (MIN_BYTES_PER_PEER + Math.ceil(pieces / 8)) + pieces * BYTES_PER_PIECE;
}

/** Refuses (exit 2) a scenario whose least memory is more than `heapBytes`, saying both figures. */
export function checkFitsInMemory(scenario: SwarmScenario, heapBytes: number, path: string): void {
  const needed = leastMemoryBytes(scenario);
  if (needed <= heapBytes) return;
  throw new InputError(
    path,
    undefined,
    `${peersOf(scenario)} peers and ${piecesOf(scenario)} pieces need at least ${gib(needed)} of memory, ` +
      `more than the ${gib(heapBytes)} this process may use: use fewer peers, or larger pieces`,
  );
}

function gib(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
}
