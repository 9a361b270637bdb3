// The per-link state that every `have` touches, for one peer's links, in flat typed arrays indexed by
// link id: what the other end has, how many of its pieces we lack, whether it is open, and when we last
// heard from it. A swarm delivers millions of haves; reaching this state through one object per link
// costs a cache miss per object, through these arrays about one per array. One peer owns its table.

/** A link id's state: free, waiting for the other end's handshake, or open. */
export const FREE = 0;
export const HANDSHAKING = 1;
export const OPEN = 2;

export class LinkTable {
  /** Words of 32 pieces per link. */
  readonly words: number;
  /** Link `id` has piece p when bit p of remoteWords[id * words ..] is set. */
  readonly remoteWords: Uint32Array;
  /** Pieces each link has announced. */
  readonly remoteCount: Int32Array;
  /** Pieces each link has that we lack: we are interested while this is above zero. */
  readonly interesting: Int32Array;
  readonly state: Uint8Array;
  /** 1 while we are interested in the link and it does not choke us: a have may bring an ask. */
  readonly served: Uint8Array;
  readonly lastReceivedAt: Float64Array;
  readonly lastSentAt: Float64Array;

  constructor(
    readonly capacity: number,
    readonly pieces: number,
  ) {
    this.words = (pieces + 31) >>> 5;
    this.remoteWords = new Uint32Array(capacity * this.words);
    this.remoteCount = new Int32Array(capacity);
    this.interesting = new Int32Array(capacity);
    this.state = new Uint8Array(capacity);
    this.served = new Uint8Array(capacity);
    this.lastReceivedAt = new Float64Array(capacity);
    this.lastSentAt = new Float64Array(capacity);
  }

  /** Readies a link id for a new connection: nothing known of the other end. */
  reset(id: number, now: number): void {
    this.remoteWords.fill(0, id * this.words, (id + 1) * this.words);
    this.remoteCount[id] = 0;
    this.interesting[id] = 0;
    this.state[id] = HANDSHAKING;
    this.served[id] = 0;
    this.lastReceivedAt[id] = now;
    this.lastSentAt[id] = now;
  }

  has(id: number, piece: number): boolean {
    return ((this.remoteWords[id * this.words + (piece >>> 5)] as number) & (1 << (piece & 31))) !== 0;
  }

  /** Adds a piece to what link `id` has; false if it was there already. */
  add(id: number, piece: number): boolean {
    const at = id * this.words + (piece >>> 5);
    const bit = 1 << (piece & 31);
    const before = this.remoteWords[at] as number;
    if ((before & bit) !== 0) return false;
    this.remoteWords[at] = before | bit;
    this.remoteCount[id] = (this.remoteCount[id] as number) + 1;
    return true;
  }

  /** Sets what link `id` has from whole words (a bitfield), or every piece. */
  setAll(id: number, words: Uint32Array | 'all'): void {
    const from = id * this.words;
    let count = 0;
    for (let w = 0; w < this.words; w++) {
      const bits = words === 'all' ? fullWord(this.pieces, w) : (words[w] as number);
      this.remoteWords[from + w] = bits;
      count += popcount(bits);
    }
    this.remoteCount[id] = count;
  }

  isFull(id: number): boolean {
    return this.remoteCount[id] === this.pieces;
  }

  forEach(id: number, visit: (piece: number) => void): void {
    const from = id * this.words;
    for (let w = 0; w < this.words; w++) {
      let bits = this.remoteWords[from + w] as number;
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
