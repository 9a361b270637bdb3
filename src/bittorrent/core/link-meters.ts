// What a peer measures of each link, in one typed array: bytes each way this choker round and the last,
// bytes sent in all, rounds it kept us choked, when the link opened and when data last came. The choker
// round reads every link's meters (10 s ticks over up to 80 links, in every peer of a swarm); as one
// cache line per link id, side by side, a tick walks them in order instead of chasing a link object and
// its boxed numbers. One peer owns its meters.

const RECEIVED_THIS_ROUND = 0;
const SENT_THIS_ROUND = 1;
const RECEIVED_LAST_ROUND = 2;
const SENT_LAST_ROUND = 3;
const SENT_TOTAL = 4;
const CHOKED_ROUNDS = 5;
const OPENED_AT = 6;
const LAST_DATA_AT = 7;
/** Numbers per link id: one 64-byte cache line. */
const STRIDE = 8;

export class LinkMeters {
  private readonly numbers: Float64Array;

  constructor(capacity: number) {
    this.numbers = new Float64Array(capacity * STRIDE);
  }

  /** Readies a link id for a new connection opened at `now`. */
  reset(id: number, now: number): void {
    const at = id * STRIDE;
    this.numbers.fill(0, at, at + STRIDE);
    this.numbers[at + OPENED_AT] = now;
    this.numbers[at + LAST_DATA_AT] = now;
  }

  countReceived(id: number, bytes: number): void {
    const at = id * STRIDE + RECEIVED_THIS_ROUND;
    this.numbers[at] = (this.numbers[at] as number) + bytes;
  }

  countSent(id: number, bytes: number): void {
    const at = id * STRIDE;
    this.numbers[at + SENT_THIS_ROUND] = (this.numbers[at + SENT_THIS_ROUND] as number) + bytes;
    this.numbers[at + SENT_TOTAL] = (this.numbers[at + SENT_TOTAL] as number) + bytes;
  }

  /**
   * Closes the choker's round: this round's bytes become the last round's. `chokedWhileWanting`: we
   * wanted something from it and it kept us choked, one more round in a row (else the count restarts).
   */
  endRound(id: number, chokedWhileWanting: boolean): void {
    const n = this.numbers;
    const at = id * STRIDE;
    n[at + CHOKED_ROUNDS] = chokedWhileWanting ? (n[at + CHOKED_ROUNDS] as number) + 1 : 0;
    n[at + RECEIVED_LAST_ROUND] = n[at + RECEIVED_THIS_ROUND] as number;
    n[at + SENT_LAST_ROUND] = n[at + SENT_THIS_ROUND] as number;
    n[at + RECEIVED_THIS_ROUND] = 0;
    n[at + SENT_THIS_ROUND] = 0;
  }

  receivedLastRound(id: number): number {
    return this.numbers[id * STRIDE + RECEIVED_LAST_ROUND] as number;
  }

  sentLastRound(id: number): number {
    return this.numbers[id * STRIDE + SENT_LAST_ROUND] as number;
  }

  sentTotal(id: number): number {
    return this.numbers[id * STRIDE + SENT_TOTAL] as number;
  }

  chokedRounds(id: number): number {
    return this.numbers[id * STRIDE + CHOKED_ROUNDS] as number;
  }

  openedAt(id: number): number {
    return this.numbers[id * STRIDE + OPENED_AT] as number;
  }

  /** When data last came, or when asking began after a pause: the request time-out runs from here. */
  lastDataAt(id: number): number {
    return this.numbers[id * STRIDE + LAST_DATA_AT] as number;
  }

  setLastDataAt(id: number, at: number): void {
    this.numbers[id * STRIDE + LAST_DATA_AT] = at;
  }
}
