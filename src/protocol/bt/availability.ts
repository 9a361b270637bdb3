// How many of a peer's neighbours hold each piece: one small counter per piece. Every `have` a peer hears
// bumps one counter, so this is the hottest write in a swarm; a counter is a byte when the connection
// limit allows it, to keep a large swarm's counters in cache. Pickers find the rarest pieces by scanning
// the candidates a neighbour offers (piece-picker.ts), which a picker needs to do anyway.

export class Availability {
  private readonly counts: Uint8Array | Uint16Array | Uint32Array;

  constructor(
    readonly pieces: number,
    /** The most neighbours a piece can have (the peer's connection limit). */
    maxAvailability: number,
    /** Storage of its own for the counters (a view into a larger array), all zero. */
    counts?: Uint8Array | Uint16Array | Uint32Array,
  ) {
    if (counts !== undefined) this.counts = counts;
    else if (maxAvailability <= 0xff) this.counts = new Uint8Array(pieces);
    else if (maxAvailability <= 0xffff) this.counts = new Uint16Array(pieces);
    else this.counts = new Uint32Array(pieces);
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
