// How many of a peer's neighbours hold each piece: one small counter per piece. Every `have` a peer hears
// bumps one counter, so this is the hottest write in a swarm; a counter is a byte when the connection
// limit allows it, to keep a large swarm's counters in cache. Pickers find the rarest pieces by scanning
// the candidates a neighbour offers (piece-picker.ts), which a picker needs to do anyway.

/** Counters of one width for all: the narrowest that holds `maxCount`. */
export type Counts = Uint8Array | Uint16Array | Uint32Array;

export function newCounts(length: number, maxCount: number): Counts {
  if (maxCount <= 0xff) return new Uint8Array(length);
  if (maxCount <= 0xffff) return new Uint16Array(length);
  return new Uint32Array(length);
}

export class Availability {
  private readonly counts: Counts;

  constructor(
    readonly pieces: number,
    /** The most neighbours a piece can have (the peer's connection limit). */
    maxAvailability: number,
    /** Storage of its own for the counters (a view into a larger array), all zero. */
    counts?: Counts,
  ) {
    this.counts = counts ?? newCounts(pieces, maxAvailability);
  }

  of(piece: number): number {
    return this.counts[piece] as number;
  }

  increment(piece: number): void {
    this.counts[piece] = (this.counts[piece] as number) + 1;
  }

  decrement(piece: number): void {
    const count = this.counts[piece] as number;
    if (count === 0) throw new RangeError(`availability of piece ${piece} below zero`);
    this.counts[piece] = count - 1;
  }
}
