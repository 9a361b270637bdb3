// The per-link state that every `have` touches, for one peer's links, in flat rows: a row per link id
// holding its flags and, unless a runtime keeps the neighbours' pieces for the peer (announced-view.ts),
// what the link has. A swarm delivers millions of haves; with one object per link, each costs several
// cache misses (the object, its bitset, the bitset's words), with a row, about one. The rows live in an
// array the peer may share with its other hot state (peer.ts keeps its own pieces in front of them). One
// peer owns its table.

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
/** We are interested in it (it has a piece we lack). */
export const INTERESTED_FLAG = 32;
/** Blocks are asked of it (the tick's request time-out reads this, not the link's list of asks). */
export const ASKING_FLAG = 64;

export class LinkTable {
  /** Words of 32 pieces per link. */
  readonly words: number;
  /** Words per row: the flags, then (unless a view holds them) the remote pieces. */
  readonly stride: number;
  /** Row of link `id` from base + id * stride: [flags, its pieces as a Bitset's words unless viewed]. */
  readonly rows: Uint32Array;
  /** Where the links' pieces are: the rows, or the view's words; `remoteFrom` says where in it. */
  readonly remote: Uint32Array;
  /** With a view: where each link's pieces start in the view's words. */
  private readonly viewFrom: Int32Array | undefined;
  private readonly emptyFrom: number;
  /** When the link was last heard from, as of the last tick that saw it heard. */
  readonly lastReceivedAt: Float64Array;
  readonly lastSentAt: Float64Array;

  /** Where row 0 starts in `rows`. */
  readonly base: number;

  /** Words a table of `capacity` links over `pieces` pieces takes (with a view: flags only). */
  static wordsFor(capacity: number, pieces: number, viewed: boolean): number {
    return capacity * (viewed ? 1 : 1 + ((pieces + 31) >>> 5));
  }

  constructor(
    readonly capacity: number,
    readonly pieces: number,
    /** Storage shared with the peer's other hot state, the table's part all zero; from `base` on. */
    rows: { readonly array: Uint32Array; readonly base: number } | undefined,
    /** The neighbours' pieces kept by the runtime (announced-view.ts), if it keeps them. */
    view?: { readonly words: Uint32Array; readonly emptyFrom: number },
  ) {
    this.words = (pieces + 31) >>> 5;
    this.stride = view === undefined ? 1 + this.words : 1;
    this.rows = rows?.array ?? new Uint32Array(LinkTable.wordsFor(capacity, pieces, view !== undefined));
    this.base = rows?.base ?? 0;
    this.remote = view?.words ?? this.rows;
    this.viewFrom = view === undefined ? undefined : new Int32Array(capacity).fill(view.emptyFrom);
    this.emptyFrom = view?.emptyFrom ?? 0;
    this.lastReceivedAt = new Float64Array(capacity);
    this.lastSentAt = new Float64Array(capacity);
  }

  /** Readies a link id for a new connection: nothing known of the other end. */
  reset(id: number, now: number): void {
    const row = this.rowOf(id);
    this.rows.fill(0, row, row + this.stride);
    this.rows[row] = HANDSHAKING;
    if (this.viewFrom !== undefined) this.viewFrom[id] = this.emptyFrom;
    this.lastReceivedAt[id] = now;
    this.lastSentAt[id] = now;
  }

  /** Where link `id`'s row starts in `rows`. */
  rowOf(id: number): number {
    return this.base + id * this.stride;
  }

  /** Where link `id`'s pieces start in `remote`. */
  remoteFrom(id: number): number {
    return this.viewFrom === undefined ? this.rowOf(id) + 1 : (this.viewFrom[id] as number);
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

  isInterested(id: number): boolean {
    return ((this.rows[this.rowOf(id)] as number) & INTERESTED_FLAG) !== 0;
  }

  /** Sets the interested and served flags at once (served: interested and not choked). */
  setInterest(id: number, interested: boolean, served: boolean): void {
    const row = this.rowOf(id);
    const flags = (this.rows[row] as number) & ~(INTERESTED_FLAG | SERVED_FLAG);
    this.rows[row] = flags | (interested ? INTERESTED_FLAG : 0) | (served ? SERVED_FLAG : 0);
  }

  isAsking(id: number): boolean {
    return ((this.rows[this.rowOf(id)] as number) & ASKING_FLAG) !== 0;
  }

  setAsking(id: number, asking: boolean): void {
    const row = this.rowOf(id);
    const flags = this.rows[row] as number;
    this.rows[row] = asking ? flags | ASKING_FLAG : flags & ~ASKING_FLAG;
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

  has(id: number, piece: number): boolean {
    return ((this.remote[this.remoteFrom(id) + (piece >>> 5)] as number) & (1 << (piece & 31))) !== 0;
  }

  /** Sets what link `id` has from whole words (a bitfield), or every piece. Without a view only. */
  setAll(id: number, words: Uint32Array | 'all'): void {
    const from = this.rowOf(id) + 1;
    for (let w = 0; w < this.words; w++) {
      this.rows[from + w] = words === 'all' ? fullWord(this.pieces, w) : (words[w] as number);
    }
  }

  /** With a view: link `id`'s pieces are now the view's, from `from` (its first message has come). */
  showRemote(id: number, from: number): void {
    (this.viewFrom as Int32Array)[id] = from;
  }

  /** Pieces link `id` has announced. */
  countOf(id: number): number {
    const from = this.remoteFrom(id);
    let count = 0;
    for (let w = 0; w < this.words; w++) count += popcount(this.remote[from + w] as number);
    return count;
  }

  isFull(id: number): boolean {
    return this.countOf(id) === this.pieces;
  }

  /** Whether link `id` has a piece missing from `have` (the words of our own pieces). */
  offersAny(id: number, have: Uint32Array): boolean {
    const from = this.remoteFrom(id);
    const remote = this.remote;
    for (let w = 0; w < this.words; w++) {
      if (((remote[from + w] as number) & ~(have[w] as number)) !== 0) return true;
    }
    return false;
  }

  forEach(id: number, visit: (piece: number) => void): void {
    const from = this.remoteFrom(id);
    for (let w = 0; w < this.words; w++) {
      let bits = this.remote[from + w] as number;
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
