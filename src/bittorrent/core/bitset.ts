// A fixed-size set of piece indices packed 32 to a word: a peer's pieces, or what it knows a neighbour has.

export class Bitset {
  /** Bit `i % 32` of word `i >> 5` is index i; read by pickers a word at a time. */
  readonly words: Uint32Array;
  private size = 0;

  /** `words`, when given, is storage of its own for the set (a view into a larger array), all clear. */
  constructor(
    readonly capacity: number,
    words?: Uint32Array,
  ) {
    this.words = words ?? new Uint32Array((capacity + 31) >>> 5);
  }

  static full(capacity: number): Bitset {
    const bits = new Bitset(capacity);
    bits.addAll();
    return bits;
  }

  /** Adds every index below the capacity. */
  addAll(): void {
    for (let i = 0; i < this.capacity; i++) this.add(i);
  }

  get count(): number {
    return this.size;
  }

  get isFull(): boolean {
    return this.size === this.capacity;
  }

  has(index: number): boolean {
    return ((this.words[index >>> 5] as number) & (1 << (index & 31))) !== 0;
  }

  /** Adds `index`; returns false if it was already there. */
  add(index: number): boolean {
    const word = index >>> 5;
    const bit = 1 << (index & 31);
    const before = this.words[word] as number;
    if ((before & bit) !== 0) return false;
    this.words[word] = before | bit;
    this.size++;
    return true;
  }

  copyFrom(other: Bitset): void {
    this.words.set(other.words);
    this.size = other.size;
  }

  forEach(visit: (index: number) => void): void {
    for (let word = 0; word < this.words.length; word++) {
      let bits = this.words[word] as number;
      while (bits !== 0) {
        const low = bits & -bits;
        visit((word << 5) + 31 - Math.clz32(low));
        bits ^= low;
      }
    }
  }
}
