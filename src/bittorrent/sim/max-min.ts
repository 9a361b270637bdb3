// Max-min fair rates for transfers that each cross two capacities (an uploader's upload and a
// downloader's download), kept up to date as transfers start and end: progressive filling, as SimGrid's
// flow model does, but re-solved only where a change can reach.
//
// The allocation is described by a level per capacity: a saturated capacity's level is the largest rate
// of its transfers, an unsaturated one's is Infinity, and a transfer's rate is the smaller level of its
// two ends. After a change, the capacities it touched are re-solved by progressive filling with every
// other capacity's level held fixed (a transfer with an end outside is capped at that end's level). If a
// transfer crossing the edge changed its rate and its outer end is saturated, or overflows, that end
// joins the region and the region is solved again; when nothing crosses, the levels satisfy every
// capacity's equation, which only the max-min fair allocation does. Each round adds a capacity, and
// after MAX_ROUNDS rounds the region becomes the whole connected component (as SimGrid's lmm solver
// re-solves), so the work is bounded by that component; in a swarm a change usually stops at the first
// unsaturated end, a few transfers away.

/** Rounds of growing the region before solving the whole connected component at once. */
const MAX_ROUNDS = 8;
/** Regions with at most this many transfers are filled by scanning them, without a heap. */
const SCAN_FLOWS = 24;
/** Relative change of a rate below which it is rounding, not a change. */
const TOLERANCE = 1e-9;

export class MaxMinRates {
  /** Per capacity: the transfers across it. */
  private readonly across: number[][];
  /** Per capacity: its level (Infinity when it is not saturated). */
  private readonly level: Float64Array;
  private ends = new Int32Array(512);
  private rates = new Float64Array(256);
  private readonly dirty: number[] = [];
  // Scratch for a solve, indexed by capacity or transfer; a mark equal to `epoch` means "in it".
  private epoch = 0;
  private readonly regionMark: Int32Array;
  private flowMark = new Int32Array(256);
  private next = new Float64Array(256);
  /** Per transfer of the region: the level of its end outside the region (Infinity: none binds). */
  private outerCap = new Float64Array(256);
  private readonly spare: Float64Array;
  private readonly unfrozen: Int32Array;
  private readonly solvedLevel: Float64Array;
  private readonly region: number[] = [];
  private readonly regionFlows: number[] = [];
  private readonly joining: number[] = [];
  private readonly heap = new LevelHeap();
  /** Rounds solved since the object was made (to measure how far changes reach). */
  rounds = 0;
  /** Changes that needed the whole connected component. */
  componentSolves = 0;

  constructor(private readonly capacity: Float64Array) {
    const n = capacity.length;
    this.across = Array.from({ length: n }, () => []);
    this.level = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
    this.regionMark = new Int32Array(n);
    this.spare = new Float64Array(n);
    this.unfrozen = new Int32Array(n);
    this.solvedLevel = new Float64Array(n);
  }

  rate(flow: number): number {
    return this.rates[flow] as number;
  }

  /** A transfer `flow` (a free slot) starts across capacities `a` and `b`; its rate is 0 until `settle`. */
  add(flow: number, a: number, b: number): void {
    while (flow >= this.rates.length) this.grow();
    this.ends[2 * flow] = a;
    this.ends[2 * flow + 1] = b;
    this.rates[flow] = 0;
    (this.across[a] as number[]).push(flow);
    (this.across[b] as number[]).push(flow);
    this.dirty.push(a, b);
  }

  /** A transfer ends; its slot may be reused after `settle`. */
  remove(flow: number): void {
    const a = this.ends[2 * flow] as number;
    const b = this.ends[2 * flow + 1] as number;
    removeItem(this.across[a] as number[], flow);
    removeItem(this.across[b] as number[], flow);
    this.rates[flow] = 0;
    this.dirty.push(a, b);
  }

  /**
   * Re-solves the rates after the changes since the last call; `changed(flow, oldRate)` is called for
   * every transfer whose rate moved (its new rate is `rate(flow)`).
   */
  settle(changed: (flow: number, oldRate: number) => void): void {
    if (this.dirty.length === 0) return;
    const epoch = this.newEpoch();
    for (const c of this.dirty) this.join(c, epoch);
    this.dirty.length = 0;
    for (let round = 1; ; round++) {
      this.rounds++;
      if (round > MAX_ROUNDS) {
        this.componentSolves++;
        this.growToComponent(epoch);
        this.solve(epoch);
        break;
      }
      this.solve(epoch);
      if (!this.growAcrossEdge(epoch)) break;
    }
    this.commit(changed);
  }

  private newEpoch(): number {
    this.epoch++;
    this.region.length = 0;
    this.regionFlows.length = 0;
    return this.epoch;
  }

  private join(c: number, epoch: number): void {
    if (this.regionMark[c] === epoch) return;
    this.regionMark[c] = epoch;
    this.region.push(c);
    for (const flow of this.across[c] as number[]) {
      if (this.flowMark[flow] === epoch) continue;
      this.flowMark[flow] = epoch;
      this.regionFlows.push(flow);
    }
  }

  /** Progressive filling of the region, with capacities outside it held at their levels. */
  private solve(epoch: number): void {
    for (const c of this.region) {
      this.spare[c] = this.capacity[c] as number;
      this.unfrozen[c] = (this.across[c] as number[]).length;
      this.solvedLevel[c] = Number.POSITIVE_INFINITY;
    }
    for (const flow of this.regionFlows) {
      this.next[flow] = Number.NaN;
      this.outerCap[flow] = Math.min(this.outerLevel(flow, 0, epoch), this.outerLevel(flow, 1, epoch));
    }
    if (this.regionFlows.length <= SCAN_FLOWS) this.fillByScanning(epoch);
    else this.fillWithHeap(epoch);
  }

  /** Filling for a small region: find the next capacity to fill, or cap to reach, by looking at all. */
  private fillByScanning(epoch: number): void {
    for (let step = 0; step <= this.regionFlows.length; step++) {
      let at = Number.POSITIVE_INFINITY;
      let fills = -1;
      for (const c of this.region) {
        if (this.unfrozen[c] === 0) continue;
        const share = this.shareOf(c);
        if (share < at) {
          at = share;
          fills = c;
        }
      }
      let capped = -1;
      for (const flow of this.regionFlows) {
        const cap = this.outerCap[flow] as number;
        if (cap < at && Number.isNaN(this.next[flow] as number)) {
          at = cap;
          capped = flow;
        }
      }
      if (capped >= 0) this.freeze(capped, at, epoch, false);
      else if (fills >= 0) this.fill(fills, at, epoch, false);
      else return;
    }
  }

  private fillWithHeap(epoch: number): void {
    const heap = this.heap;
    heap.clear();
    for (const c of this.region) this.pushCapacity(c);
    for (const flow of this.regionFlows) {
      const cap = this.outerCap[flow] as number;
      if (cap < Number.POSITIVE_INFINITY) heap.push(cap, -flow - 1);
    }
    while (heap.size > 0) {
      const at = heap.topKey;
      const item = heap.pop();
      if (item < 0) {
        const flow = -item - 1;
        if (Number.isNaN(this.next[flow] as number)) this.freeze(flow, at, epoch, true);
        continue;
      }
      // A stale entry: this capacity's share has moved since it was pushed.
      if (this.unfrozen[item] === 0 || this.shareOf(item) !== at) continue;
      this.fill(item, at, epoch, true);
    }
  }

  /** Capacity `c` fills at level `at`: its transfers still rising stop there. */
  private fill(c: number, at: number, epoch: number, heaped: boolean): void {
    this.solvedLevel[c] = at;
    for (const flow of this.across[c] as number[]) {
      if (Number.isNaN(this.next[flow] as number)) this.freeze(flow, at, epoch, heaped);
    }
  }

  /** The level of a transfer's end `side` if that end is outside the region, else Infinity. */
  private outerLevel(flow: number, side: number, epoch: number): number {
    const c = this.ends[2 * flow + side] as number;
    return this.regionMark[c] === epoch ? Number.POSITIVE_INFINITY : (this.level[c] as number);
  }

  private shareOf(c: number): number {
    return Math.max(0, this.spare[c] as number) / (this.unfrozen[c] as number);
  }

  private pushCapacity(c: number): void {
    if ((this.unfrozen[c] as number) > 0) this.heap.push(this.shareOf(c), c);
  }

  private freeze(flow: number, rate: number, epoch: number, heaped: boolean): void {
    this.next[flow] = rate;
    for (let side = 0; side < 2; side++) {
      const c = this.ends[2 * flow + side] as number;
      if (this.regionMark[c] !== epoch) continue;
      this.spare[c] = (this.spare[c] as number) - rate;
      this.unfrozen[c] = (this.unfrozen[c] as number) - 1;
      if (heaped) this.pushCapacity(c);
    }
  }

  /**
   * Adds to the region every outer end whose equation the solve broke: a saturated end whose transfer
   * changed rate, or an unsaturated one now over its capacity. Returns whether any joined.
   */
  private growAcrossEdge(epoch: number): boolean {
    const joining = this.joining;
    joining.length = 0;
    for (const flow of this.regionFlows) {
      if (!this.moved(flow)) continue;
      for (let side = 0; side < 2; side++) {
        const c = this.ends[2 * flow + side] as number;
        if (this.regionMark[c] === epoch) continue;
        if ((this.level[c] as number) < Number.POSITIVE_INFINITY || this.overflows(c, epoch)) joining.push(c);
      }
    }
    for (const c of joining) this.join(c, epoch);
    return joining.length > 0;
  }

  private moved(flow: number): boolean {
    const old = this.rates[flow] as number;
    const next = this.next[flow] as number;
    return Math.abs(next - old) > TOLERANCE * Math.max(next, old);
  }

  /** Whether an end outside the region carries more than its capacity at the region's new rates. */
  private overflows(c: number, epoch: number): boolean {
    let load = 0;
    for (const flow of this.across[c] as number[]) {
      load += this.flowMark[flow] === epoch ? (this.next[flow] as number) : (this.rates[flow] as number);
    }
    const capacity = this.capacity[c] as number;
    return load > capacity + TOLERANCE * capacity;
  }

  private growToComponent(epoch: number): void {
    // `join` appends to the region as it goes: this walks the component breadth first.
    for (let i = 0; i < this.region.length; i++) {
      for (const flow of this.across[this.region[i] as number] as number[]) {
        this.join(this.ends[2 * flow] as number, epoch);
        this.join(this.ends[2 * flow + 1] as number, epoch);
      }
    }
  }

  private commit(changed: (flow: number, oldRate: number) => void): void {
    for (const c of this.region) this.level[c] = this.solvedLevel[c] as number;
    for (const flow of this.regionFlows) {
      if (!this.moved(flow)) continue;
      const old = this.rates[flow] as number;
      this.rates[flow] = this.next[flow] as number;
      changed(flow, old);
    }
  }

  private grow(): void {
    const n = this.rates.length * 2;
    this.ends = resized(this.ends, 2 * n);
    this.rates = resized(this.rates, n);
    this.flowMark = resized(this.flowMark, n);
    this.next = resized(this.next, n);
    this.outerCap = resized(this.outerCap, n);
  }
}

/** A binary min-heap of (level, item) pairs in typed arrays: no allocation once grown. */
class LevelHeap {
  private keys = new Float64Array(64);
  private items = new Int32Array(64);
  size = 0;

  get topKey(): number {
    return this.keys[0] as number;
  }

  clear(): void {
    this.size = 0;
  }

  push(key: number, item: number): void {
    if (this.size === this.keys.length) {
      this.keys = resized(this.keys, 2 * this.size);
      this.items = resized(this.items, 2 * this.size);
    }
    let at = this.size++;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if ((this.keys[parent] as number) <= key) break;
      this.keys[at] = this.keys[parent] as number;
      this.items[at] = this.items[parent] as number;
      at = parent;
    }
    this.keys[at] = key;
    this.items[at] = item;
  }

  /** Removes and returns the item of the smallest level (read `topKey` first). */
  pop(): number {
    const top = this.items[0] as number;
    const last = --this.size;
    const key = this.keys[last] as number;
    const item = this.items[last] as number;
    let at = 0;
    for (;;) {
      let child = 2 * at + 1;
      if (child >= last) break;
      if (child + 1 < last && (this.keys[child + 1] as number) < (this.keys[child] as number)) child++;
      if ((this.keys[child] as number) >= key) break;
      this.keys[at] = this.keys[child] as number;
      this.items[at] = this.items[child] as number;
      at = child;
    }
    this.keys[at] = key;
    this.items[at] = item;
    return top;
  }
}

function resized<T extends Int32Array | Float64Array>(old: T, length: number): T {
  const next = new (old.constructor as new (length: number) => T)(length);
  next.set(old as ArrayLike<number>);
  return next;
}

function removeItem(list: number[], item: number): void {
  const at = list.indexOf(item);
  if (at >= 0) {
    list[at] = list[list.length - 1] as number;
    list.pop();
  }
}
