// The per-link state that every `have` touches, for one peer's links, in flat rows: a row per link id
// holding its flags, how many of its pieces we lack, and what it has. A swarm delivers millions of
// haves; with one object per link, each costs several cache misses (the object, its bitset, the
// bitset's words), with a row, about one. The rows live in an array the peer may share with its other
// hot state (peer.ts keeps its availability counts and its own pieces in front of them). One peer owns
// its table.

/** A link id's state: free, waiting for the other end's handshake, or open. */
export const FREE = 0;
export const HANDSHAKING = 1;
export const OPEN = 2;
export const STATE_MASK = 3;
/** We are interested and it does not choke us: a have may bring an ask. */
export const SERVED_FLAG = 4;
/** Something came on the link since the last tick (read by the idle time-out). */
export const HEARD_FLAG = 8;
/** Its first message after the handshake has come: a bitfield is no longer allowed. */
export const GOT_FIRST_FLAG = 16;

export class LinkTable {
  /** Words of 32 pieces per link. */
  readonly words: number;
  /** Words per row: flags, interesting, then the remote pieces. */
  readonly stride: number;
  /**
   * Row of link `id` from id * stride: [flags, pieces it has that we lack, its pieces as words]. Bit p of
   * the words is piece p, laid out as a Bitset's words, so that pickers scan them a word at a time.
   */
  readonly rows: Uint32Array;
  /** When the link was last heard from, as of the last tick that saw it heard. */
  readonly lastReceivedAt: Float64Array;
  readonly lastSentAt: Float64Array;

  /** Where row 0 starts in `rows`. */
  readonly base: number;

  /** Words a table of `capacity` links over `pieces` pieces takes. */
  static wordsFor(capacity: number, pieces: number): number {
    return capacity * (2 + ((pieces + 31) >>> 5));
  }

  constructor(
    readonly capacity: number,
    readonly pieces: number,
    /** Storage shared with the peer's other hot state, the table's part all zero; from `base` on. */
    rows?: { readonly array: Uint32Array; readonly base: number },
  ) {
    this.words = (pieces + 31) >>> 5;
    this.stride = 2 + this.words;
    this.rows = rows?.array ?? new Uint32Array(LinkTable.wordsFor(capacity, pieces));
    this.base = rows?.base ?? 0;
    this.lastReceivedAt = new Float64Array(capacity);
    this.lastSentAt = new Float64Array(capacity);
  }

  /** Readies a link id for a new connection: nothing known of the other end. */
  reset(id: number, now: number): void {
    const row = this.rowOf(id);
    this.rows.fill(0, row, row + this.stride);
    this.rows[row] = HANDSHAKING;
    this.lastReceivedAt[id] = now;
    this.lastSentAt[id] = now;
  }

  /** Where link `id`'s row starts in `rows`. */
  rowOf(id: number): number {
    return this.base + id * this.stride;
  }

  /** Where link `id`'s remote words start in `rows`. */
  remoteFrom(id: number): number {
    return this.rowOf(id) + 2;
  }

  stateOf(id: number): number {
    return ((this.rows[this.rowOf(id)] as number) & STATE_MASK) as number;
  }

  setState(id: number, state: number): void {
    const row = this.rowOf(id);
    this.rows[row] = ((this.rows[row] as number) & ~STATE_MASK) | state;
  }

  isOpen(id: number): boolean {
    return this.stateOf(id) === OPEN;
  }

  isServed(id: number): boolean {
    return ((this.rows[this.rowOf(id)] as number) & SERVED_FLAG) !== 0;
  }

  setServed(id: number, served: boolean): void {
    const row = this.rowOf(id);
    const flags = this.rows[row] as number;
    this.rows[row] = served ? flags | SERVED_FLAG : flags & ~SERVED_FLAG;
  }

  /** Marks the link heard from (every message does). */
  hear(id: number): void {
    const row = this.rowOf(id);
    this.rows[row] = (this.rows[row] as number) | HEARD_FLAG;
  }

  gotFirst(id: number): boolean {
    return ((this.rows[this.rowOf(id)] as number) & GOT_FIRST_FLAG) !== 0;
  }

  markGotFirst(id: number): void {
    const row = this.rowOf(id);
    this.rows[row] = (this.rows[row] as number) | GOT_FIRST_FLAG;
  }

  /** Whether the link was heard from since the last call, which clears the mark. */
  takeHeard(id: number): boolean {
    const row = this.rowOf(id);
    const flags = this.rows[row] as number;
    this.rows[row] = flags & ~HEARD_FLAG;
    return (flags & HEARD_FLAG) !== 0;
  }

  interestingOf(id: number): number {
    return this.rows[this.rowOf(id) + 1] as number;
  }

  setInteresting(id: number, count: number): void {
    this.rows[this.rowOf(id) + 1] = count;
  }

  has(id: number, piece: number): boolean {
    return ((this.rows[this.rowOf(id) + 2 + (piece >>> 5)] as number) & (1 << (piece & 31))) !== 0;
  }

  /** Adds a piece to what link `id` has; false if it was there already. */
  add(id: number, piece: number): boolean {
    const at = this.rowOf(id) + 2 + (piece >>> 5);
    const bit = 1 << (piece & 31);
    const before = this.rows[at] as number;
    if ((before & bit) !== 0) return false;
    this.rows[at] = before | bit;
    return true;
  }

  /** Sets what link `id` has from whole words (a bitfield), or every piece. */
  setAll(id: number, words: Uint32Array | 'all'): void {
    const from = this.remoteFrom(id);
    for (let w = 0; w < this.words; w++) {
      this.rows[from + w] = words === 'all' ? fullWord(this.pieces, w) : (words[w] as number);
    }
  }

  /** Pieces link `id` has announced. */
  countOf(id: number): number {
    const from = this.remoteFrom(id);
    let count = 0;
    for (let w = 0; w < this.words; w++) count += popcount(this.rows[from + w] as number);
    return count;
  }

  isFull(id: number): boolean {
    return this.countOf(id) === this.pieces;
  }

  forEach(id: number, visit: (piece: number) => void): void {
    const from = this.remoteFrom(id);
    for (let w = 0; w < this.words; w++) {
      let bits = this.rows[from + w] as number;
      while (bits !== 0) {
        const low = bits & -bits;
        visit((w << 5) + 31 - Math.clz32(low));
        bits ^= low;
      }
    }
  }
}

/** Word `w` of a set holding every piece below `pieces`. */
function fullWord(pieces: number, w: number): number {
  const left = pieces - w * 32;
  return left >= 32 ? 0xffffffff : left <= 0 ? 0 : (1 << left) - 1;
}

function popcount(bits: number): number {
  let n = bits - ((bits >>> 1) & 0x55555555);
  n = (n & 0x33333333) + ((n >>> 2) & 0x33333333);
  return (((n + (n >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}
