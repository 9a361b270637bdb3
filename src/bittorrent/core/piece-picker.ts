// Which piece to ask a neighbour for next. Each strategy is one function over the asking peer's
// availability counts, the neighbour's pieces and which pieces still have open blocks (neither in nor
// asked for); the scenario names them.
import type { Rng } from '../../util/rng.ts';
import type { Availability } from './availability.ts';
import type { Bitset } from './bitset.ts';

export interface PickContext {
  readonly availability: Availability;
  /** What the neighbour has announced: words from `remoteFrom` on, laid out as `have.words`. */
  remoteWords: Uint32Array;
  remoteFrom: number;
  /** Per piece: blocks neither in nor asked of anyone (block-ledger.ts). */
  readonly open: Int32Array;
  /** The pieces the asking peer holds. */
  readonly have: Bitset;
  readonly rng: Rng;
}

/** Returns a piece the neighbour has, that we lack and that has an open block, or -1. */
export type PiecePicker = (context: PickContext) => number;

type Accept = (c: PickContext, piece: number) => boolean;
type Rank = (c: PickContext, piece: number) => number;

const hasOpenBlock: Accept = (c, piece) => (c.open[piece] as number) > 0;
const availabilityRank: Rank = (c, piece) => c.availability.of(piece);
const sameRank: Rank = () => 0;

/**
 * Among the pieces the neighbour offers (it has them, we lack them) that pass `accept`, one of lowest
 * `rank`, uniformly at random among the ties, or -1. Two passes over the offered pieces, a word of 32
 * at a time: the first finds the lowest rank and counts its ties, the second stops at the one drawn.
 */
function pickLowest(c: PickContext, accept: Accept, rank: Rank): number {
  const remote = c.remoteWords;
  const from = c.remoteFrom;
  const have = c.have.words;
  let lowest = Number.POSITIVE_INFINITY;
  let ties = 0;
  for (let word = 0; word < have.length; word++) {
    let bits = (remote[from + word] as number) & ~(have[word] as number);
    while (bits !== 0) {
      const low = bits & -bits;
      bits ^= low;
      const piece = (word << 5) + 31 - Math.clz32(low);
      if (!accept(c, piece)) continue;
      const r = rank(c, piece);
      if (r < lowest) {
        lowest = r;
        ties = 1;
      } else if (r === lowest) ties++;
    }
  }
  if (ties === 0) return -1;
  let skip = c.rng.int(ties);
  for (let word = 0; word < have.length; word++) {
    let bits = (remote[from + word] as number) & ~(have[word] as number);
    while (bits !== 0) {
      const low = bits & -bits;
      bits ^= low;
      const piece = (word << 5) + 31 - Math.clz32(low);
      if (accept(c, piece) && rank(c, piece) === lowest && skip-- === 0) return piece;
    }
  }
  throw new Error('unreachable: a tie counted in the first pass was not found in the second');
}

/** The seed's order: the lowest piece the neighbour can give. */
export const sequentialPicker: PiecePicker = (c) => {
  const remote = c.remoteWords;
  const have = c.have.words;
  for (let word = 0; word < have.length; word++) {
    let bits = (remote[c.remoteFrom + word] as number) & ~(have[word] as number);
    while (bits !== 0) {
      const low = bits & -bits;
      bits ^= low;
      const piece = (word << 5) + 31 - Math.clz32(low);
      if ((c.open[piece] as number) > 0) return piece;
    }
  }
  return -1;
};

/** Uniformly among the pieces the neighbour can give. */
export const randomPicker: PiecePicker = (c) => pickLowest(c, hasOpenBlock, sameRank);

/** The rarest piece among our neighbours that this one can give, ties broken uniformly at random. */
export const rarestFirstPicker: PiecePicker = (c) => pickLowest(c, hasOpenBlock, availabilityRank);

/** Rarest-first, but the first few pieces at random: a newcomer needs something to trade, fast. */
export function rarestFirstAfterRandom(randomFirst: number): PiecePicker {
  return (c) => (c.have.count < randomFirst ? randomPicker(c) : rarestFirstPicker(c));
}

/**
 * End game asks for a block of three neighbours at most: more copies in flight waste more than they
 * save, but with two a block asked of two slow neighbours can no longer be asked of a fast one (in the
 * simulator a block is a whole piece: two slow uploaders held a swarm's last pieces for minutes).
 */
export const ENDGAME_MAX_ASKS = 3;

/**
 * End game: every missing block is asked of someone; ask this neighbour too, for a piece it has with a
 * block we may still ask for (`askable`). Whoever delivers first wins; the other asks are cancelled.
 */
export function endgamePick(c: PickContext, askable: (piece: number) => boolean): number {
  return pickLowest(c, (_, piece) => askable(piece), sameRank);
}
