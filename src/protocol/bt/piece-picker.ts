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

/** Uniformly among the pieces the neighbour can give: a random start, then the first that fits. */
export const randomPicker: PiecePicker = (c) => {
  const { order, missingEnd } = c.availability;
  if (missingEnd === 0) return -1;
  const start = c.rng.int(missingEnd);
  for (let k = 0; k < missingEnd; k++) {
    const piece = order[(start + k) % missingEnd] as number;
    if (wanted(c, piece)) return piece;
  }
  return -1;
};

/** The rarest piece among our neighbours that this one can give, ties broken at random. */
export const rarestFirstPicker: PiecePicker = (c) => {
  const { availability } = c;
  for (let a = 0; a < availability.buckets; a++) {
    const [start, end] = availability.bucketBounds(a);
    const size = end - start;
    if (size === 0) continue;
    const offset = c.rng.int(size);
    for (let k = 0; k < size; k++) {
      const piece = availability.order[start + ((offset + k) % size)] as number;
      if (wanted(c, piece)) return piece;
    }
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
  if (missingEnd === 0) return -1;
  const start = c.rng.int(missingEnd);
  for (let k = 0; k < missingEnd; k++) {
    const piece = order[(start + k) % missingEnd] as number;
    const copies = c.requested[piece] as number;
    if (copies < ENDGAME_MAX_REQUESTS && c.remote.has(piece) && !alreadyFromThisPeer(piece)) return piece;
  }
  return -1;
}
