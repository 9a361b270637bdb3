// Which piece to ask a neighbour for next. Each strategy is one function over the asking peer's
// availability buckets, the neighbour's pieces and what is already requested; the scenario names them.
import type { Rng } from '../../util/rng.ts';
import type { Availability } from './availability.ts';
import type { Bitset } from './bitset.ts';

export interface PickContext {
  readonly availability: Availability;
  /** What the neighbour has announced. */
  remote: Bitset;
  /** How many neighbours each piece is requested from right now. */
  readonly requested: Uint16Array;
  /** The pieces the asking peer holds. */
  readonly have: Bitset;
  readonly rng: Rng;
}

/** Returns a piece the neighbour has, that we lack and have not requested, or -1. */
export type PiecePicker = (context: PickContext) => number;

const wanted = (c: PickContext, piece: number) => c.requested[piece] === 0 && c.remote.has(piece);

/** The seed's order: the lowest piece the neighbour can give. */
export const sequentialPicker: PiecePicker = (c) => {
  for (let piece = 0; piece < c.have.capacity; piece++) {
    if (!c.have.has(piece) && wanted(c, piece)) return piece;
  }
  return -1;
};

/** Uniformly among the pieces the neighbour can give. */
export const randomPicker: PiecePicker = (c) => {
  const { order, missingEnd } = c.availability;
  return uniformAmong(order, 0, missingEnd, (piece) => wanted(c, piece), c);
};

/** Draws before falling back to a full scan: enough when candidates are common, as they usually are. */
const DRAWS = 16;

/**
 * A uniformly random element of order[start, end) that passes `accept`, or -1. Draws at random first
 * (each accepted draw is uniform among the candidates), then, if none was accepted, scans the range
 * choosing among the candidates by reservoir sampling (also uniform): a random start with a scan
 * would favour candidates that follow runs of non-candidates.
 */
function uniformAmong(
  order: Int32Array,
  start: number,
  end: number,
  accept: (piece: number) => boolean,
  c: PickContext,
): number {
  const size = end - start;
  if (size <= 0) return -1;
  // A short range is scanned at once: draws there cost about as much as the scan.
  for (let draw = 0; size > 2 * DRAWS && draw < DRAWS; draw++) {
    const piece = order[start + c.rng.int(size)] as number;
    if (accept(piece)) return piece;
  }
  let chosen = -1;
  let seen = 0;
  for (let i = start; i < end; i++) {
    const piece = order[i] as number;
    if (accept(piece) && c.rng.int(++seen) === 0) chosen = piece;
  }
  return chosen;
}

/** The rarest piece among our neighbours that this one can give, ties broken uniformly at random. */
export const rarestFirstPicker: PiecePicker = (c) => {
  const { availability } = c;
  const accept = (piece: number) => wanted(c, piece);
  for (let a = 0; a < availability.buckets; a++) {
    const [start, end] = availability.bucketBounds(a);
    const piece = uniformAmong(availability.order, start, end, accept, c);
    if (piece >= 0) return piece;
  }
  return -1;
};

/** Rarest-first, but the first few pieces at random: a newcomer needs something to trade, fast. */
export function rarestFirstAfterRandom(randomFirst: number): PiecePicker {
  return (c) => (c.have.count < randomFirst ? randomPicker(c) : rarestFirstPicker(c));
}

/** End game asks for a piece twice at most: more copies in flight waste more than they save. */
export const ENDGAME_MAX_REQUESTS = 2;

/**
 * End game: every missing piece is requested somewhere; ask this neighbour too for one it has that we
 * are not already getting from it. Whoever delivers first wins; the others are cancelled.
 */
export function endgamePick(c: PickContext, alreadyFromThisPeer: (piece: number) => boolean): number {
  const { order, missingEnd } = c.availability;
  const accept = (piece: number) =>
    (c.requested[piece] as number) < ENDGAME_MAX_REQUESTS &&
    c.remote.has(piece) &&
    !alreadyFromThisPeer(piece);
  return uniformAmong(order, 0, missingEnd, accept, c);
}
