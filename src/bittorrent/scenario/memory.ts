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

/**
 * Each peer's hot state, allocated for every peer before the run starts (core/peer.ts, BtPeer.hotWords;
 * sim/announced-views.ts), 4 bytes a word. With a fixed latency the simulator keeps each peer's announced
 * pieces once for all its neighbours: per peer its own pieces twice (held, announced), its availability
 * counts (a byte each up to 255 connections) and per possible link a word of flags and a byte. With
 * drawn latencies each peer keeps them itself: availability counts, its own pieces, and per possible
 * link a row of flags and the neighbour's pieces.
 */
function hotBytesPerPeer(scenario: SwarmScenario, pieces: number): number {
  const words = Math.ceil(pieces / 32);
  const links = scenario.strategy.maxConnections;
  if (scenario.network.latencyS.kind !== 'fixed') return 4 * (pieces + words + links * (1 + words));
  const countBytes = links <= 0xff ? 1 : links <= 0xffff ? 2 : 4;
  return 4 * (3 * words + links) + pieces * countBytes + links + 4 + 8;
}

/** A sample keeps each piece's count of copies: a small integer in a JS array. */
const BYTES_PER_PIECE_SAMPLE = 4;

/**
 * Bytes: each peer's fixed state, its bitfield of pieces held and its hot state, the run's per-piece tables, and the
 * samples of piece copies taken until the run can end at the soonest (`soonestEndS`: about the
 * Kumar-Ross figure, and a stop time ends it sooner; without all-done, the stop time itself).
 */
export function leastMemoryBytes(scenario: SwarmScenario, soonestEndS: number): number {
  const pieces = piecesOf(scenario);
  // Without all-done a run goes on to its stop time (or stalls first): its samples are known up front.
  const stopS = scenario.stop.atS ?? Number.POSITIVE_INFINITY;
  const endS = scenario.stop.whenAllDone ? Math.min(soonestEndS, stopS) : stopS;
  const samples = Number.isFinite(endS) ? Math.floor(endS / scenario.sampleEveryS) + 1 : 1;
  return (
    peersOf(scenario) * (MIN_BYTES_PER_PEER + Math.ceil(pieces / 8) + hotBytesPerPeer(scenario, pieces)) +
    pieces * (BYTES_PER_PIECE + samples * BYTES_PER_PIECE_SAMPLE)
  );
}

/** Refuses (exit 2) a scenario whose least memory is more than `heapBytes`, saying both figures. */
export function checkFitsInMemory(
  scenario: SwarmScenario,
  soonestEndS: number,
  heapBytes: number,
  path: string,
): void {
  const needed = leastMemoryBytes(scenario, soonestEndS);
  if (needed <= heapBytes) return;
  throw new InputError(
    path,
    undefined,
    `${peersOf(scenario)} peers and ${piecesOf(scenario)} pieces need at least ${gib(needed)} of memory, ` +
      `more than the ${gib(heapBytes)} this process may use: use fewer peers, larger pieces, ` +
      'a longer sample-every or an earlier stop',
  );
}

/** A drawn peer's plan (an object of seven fields) and its share of the array: well under this. */
const BYTES_PER_PLAN = 512;

/** Refuses (exit 2) drawing more peers than `heapBytes` can hold (`swarmlab bound` draws, never runs). */
export function checkPlansFit(scenario: SwarmScenario, heapBytes: number, path: string): void {
  const needed = peersOf(scenario) * BYTES_PER_PLAN;
  if (needed <= heapBytes) return;
  throw new InputError(
    path,
    undefined,
    `drawing ${peersOf(scenario)} peers needs at least ${gib(needed)} of memory, ` +
      `more than the ${gib(heapBytes)} this process may use: use fewer peers`,
  );
}

function gib(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
}
