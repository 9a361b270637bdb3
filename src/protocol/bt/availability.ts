// How many of a peer's neighbours hold each piece, kept sorted (a counting sort maintained in place, as
// libtorrent's piece picker does) so that the rarest pieces are found without scanning every piece.
// Pieces the peer holds itself sit in a last bucket of their own and are never offered.

export class Availability {
  /** Pieces ordered by bucket: availability 0, 1, 2, ..., then held pieces. */
  readonly order: Int32Array;
  private readonly position: Int32Array;
  /** bucketStart[a] is where availability `a` begins in `order`; the held bucket is `heldBucket`. */
  private readonly bucketStart: Int32Array;
  private readonly level: Int32Array;
  private readonly heldBucket: number;

  constructor(
    readonly pieces: number,
    maxAvailability: number,
  ) {
    this.heldBucket = maxAvailability + 1;
    this.order = new Int32Array(pieces);
    this.position = new Int32Array(pieces);
    this.level = new Int32Array(pieces);
    this.bucketStart = new Int32Array(this.heldBucket + 2);
    for (let i = 0; i < pieces; i++) {
      this.order[i] = i;
      this.position[i] = i;
    }
    // Everything starts in bucket 0: buckets 1.. begin at the end.
    for (let a = 1; a < this.bucketStart.length; a++) this.bucketStart[a] = pieces;
  }

  of(piece: number): number {
    return this.level[piece] as number;
  }

  /** Pieces not held: order[0 .. missingEnd). */
  get missingEnd(): number {
    return this.bucketStart[this.heldBucket] as number;
  }

  /** Bucket bounds [start, end) for availability `a`. */
  bucketBounds(a: number): [number, number] {
    return [this.bucketStart[a] as number, this.bucketStart[a + 1] as number];
  }

  get buckets(): number {
    return this.heldBucket;
  }

  increment(piece: number): void {
    const a = this.level[piece] as number;
    if (a >= this.heldBucket - 1) return;
    this.moveUp(piece, a);
  }

  decrement(piece: number): void {
    const a = this.level[piece] as number;
    if (a === 0 || a === this.heldBucket) {
      if (a === 0) throw new RangeError(`availability of piece ${piece} below zero`);
      return;
    }
    // Move to the front of its bucket, then shift the bucket's start past it.
    const first = this.bucketStart[a] as number;
    this.swap(this.position[piece] as number, first);
    this.bucketStart[a] = first + 1;
    this.level[piece] = a - 1;
  }

  /** The peer now holds `piece`: it leaves the buckets that are offered. */
  hold(piece: number): void {
    let a = this.level[piece] as number;
    while (a < this.heldBucket) {
      this.moveUp(piece, a);
      a++;
    }
  }

  private moveUp(piece: number, a: number): void {
    // Move to the back of its bucket, then pull the next bucket's start over it.
    const last = (this.bucketStart[a + 1] as number) - 1;
    this.swap(this.position[piece] as number, last);
    this.bucketStart[a + 1] = last;
    this.level[piece] = a + 1;
  }

  private swap(i: number, j: number): void {
    if (i === j) return;
    const pi = this.order[i] as number;
    const pj = this.order[j] as number;
    this.order[i] = pj;
    this.order[j] = pi;
    this.position[pj] = i;
    this.position[pi] = j;
  }
}
