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
/** The unit roundoff of a double: a sum or difference is off by at most this much of its size. */
const ROUNDOFF = 2 ** -53;

// What a solve reads of a capacity or a transfer lies side by side in one record of 8 numbers (one cache
// line), not in one array per field: a change reaches a few capacities and transfers scattered over
// memory, and each costs one line, not one per field.
/** A capacity's record: its level (Infinity when it is not saturated), then the solve's scratch. */
const LEVEL = 0;
/** Capacity (bytes per second). */
const CAPACITY = 1;
/** In a solve: what is left of the capacity, the transfers still rising, and the level it filled at. */
const SPARE = 2;
const UNFROZEN = 3;
const SOLVED_LEVEL = 4;
/** Equal to the epoch of the solve when the capacity is in its region. */
const IN_REGION = 5;
/** At least the sum of the rates across the capacity (a bound kept as rates change, rounding included). */
const LOAD_BOUND = 6;
/** A transfer's record: its rate, then its two ends (capacities). */
const RATE = 0;
const END = 1;
/** In a solve: the rate found for it (NaN while it still rises), and the level of its outer end. */
const NEXT = 3;
const OUTER_CAP = 4;
/** Equal to the epoch of the solve when the transfer is in its region. */
const FLOW_IN_REGION = 5;
const RECORD = 8;

export class MaxMinRates {
  /** Per capacity: the transfers across it. */
  private readonly transfers: number[][];
  private readonly caps: Float64Array;
  private flows = new Float64Array(256 * RECORD);
  private flowSlots = 256;
  private readonly dirty = new IntList();
  private epoch = 0;
  private readonly region = new IntList();
  private readonly regionFlows = new IntList();
  private readonly joining = new IntList();
  /** Scratch of `fillByScanning`: the region's capped transfers. */
  private readonly byCap = new IntList();
  private readonly heap = new LevelHeap();
  /** Rounds solved since the object was made (to measure how far changes reach). */
  rounds = 0;
  /** Changes that needed the whole connected component. */
  componentSolves = 0;

  constructor(capacity: Float64Array) {
    const n = capacity.length;
    this.transfers = Array.from({ length: n }, () => []);
    this.caps = new Float64Array(n * RECORD);
    for (let c = 0; c < n; c++) {
      this.caps[c * RECORD + LEVEL] = Number.POSITIVE_INFINITY;
      this.caps[c * RECORD + CAPACITY] = capacity[c] as number;
    }
  }

  rate(flow: number): number {
    return this.flows[flow * RECORD + RATE] as number;
  }

  /** The transfers across capacity `c`, in the order they were added (an end moves the last one into its place). */
  across(c: number): readonly number[] {
    return this.transfers[c] as number[];
  }

  /** A transfer `flow` (a free slot) starts across capacities `a` and `b`; its rate is 0 until `settle`. */
  add(flow: number, a: number, b: number): void {
    while (flow >= this.flowSlots) this.grow();
    const f = this.flows;
    const at = flow * RECORD;
    f[at + END] = a;
    f[at + END + 1] = b;
    f[at + RATE] = 0;
    (this.transfers[a] as number[]).push(flow);
    (this.transfers[b] as number[]).push(flow);
    this.dirty.push(a);
    this.dirty.push(b);
  }

  /** A transfer ends; its slot may be reused after `settle`. */
  remove(flow: number): void {
    const f = this.flows;
    const at = flow * RECORD;
    const a = f[at + END] as number;
    const b = f[at + END + 1] as number;
    removeItem(this.transfers[a] as number[], flow);
    removeItem(this.transfers[b] as number[], flow);
    this.boundLoad(a, f[at + RATE] as number, 0);
    this.boundLoad(b, f[at + RATE] as number, 0);
    // With no transfer left, the load is exactly 0: the slack gathered so far goes.
    if ((this.transfers[a] as number[]).length === 0) this.caps[a * RECORD + LOAD_BOUND] = 0;
    if ((this.transfers[b] as number[]).length === 0) this.caps[b * RECORD + LOAD_BOUND] = 0;
    f[at + RATE] = 0;
    this.dirty.push(a);
    this.dirty.push(b);
  }

  /**
   * Re-solves the rates after the changes since the last call; `changed(flow, oldRate)` is called for
   * every transfer whose rate moved (its new rate is `rate(flow)`).
   */
  settle(changed: (flow: number, oldRate: number) => void): void {
    const dirty = this.dirty;
    if (dirty.size === 0) return;
    const epoch = this.newEpoch();
    for (let i = 0; i < dirty.size; i++) this.join(dirty.items[i] as number, epoch);
    dirty.size = 0;
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
    this.region.size = 0;
    this.regionFlows.size = 0;
    return this.epoch;
  }

  private join(c: number, epoch: number): void {
    const caps = this.caps;
    if (caps[c * RECORD + IN_REGION] === epoch) return;
    caps[c * RECORD + IN_REGION] = epoch;
    this.region.push(c);
    const f = this.flows;
    for (const flow of this.transfers[c] as number[]) {
      if (f[flow * RECORD + FLOW_IN_REGION] === epoch) continue;
      f[flow * RECORD + FLOW_IN_REGION] = epoch;
      this.regionFlows.push(flow);
    }
  }

  /** Progressive filling of the region, with capacities outside it held at their levels. */
  private solve(epoch: number): void {
    const caps = this.caps;
    const f = this.flows;
    const region = this.region.items;
    for (let i = 0; i < this.region.size; i++) {
      const c = region[i] as number;
      const at = c * RECORD;
      caps[at + SPARE] = caps[at + CAPACITY] as number;
      caps[at + UNFROZEN] = (this.transfers[c] as number[]).length;
      caps[at + SOLVED_LEVEL] = Number.POSITIVE_INFINITY;
    }
    const flows = this.regionFlows.items;
    for (let i = 0; i < this.regionFlows.size; i++) {
      const at = (flows[i] as number) * RECORD;
      f[at + NEXT] = Number.NaN;
      f[at + OUTER_CAP] = Math.min(
        this.outerLevel(f[at + END] as number, epoch),
        this.outerLevel(f[at + END + 1] as number, epoch),
      );
    }
    if (this.regionFlows.size <= SCAN_FLOWS) this.fillByScanning(epoch);
    else this.fillWithHeap(epoch);
  }

  /**
   * Filling for a small region: find the next capacity to fill by looking at all, and the next cap to
   * reach in the capped transfers sorted once by cap (ties in region order, as a scan finds them).
   */
  private fillByScanning(epoch: number): void {
    const caps = this.caps;
    const f = this.flows;
    const region = this.region.items;
    const regionSize = this.region.size;
    const byCap = this.sortCapped();
    const sorted = byCap.items;
    let first = 0;
    for (;;) {
      let at = Number.POSITIVE_INFINITY;
      let fills = -1;
      for (let i = 0; i < regionSize; i++) {
        const c = region[i] as number;
        if (caps[c * RECORD + UNFROZEN] === 0) continue;
        const share = this.shareOf(c);
        if (share < at) {
          at = share;
          fills = c;
        }
      }
      // Transfers frozen by a fill stay frozen: skip them for good.
      while (first < byCap.size && !Number.isNaN(f[(sorted[first] as number) * RECORD + NEXT] as number))
        first++;
      const capped = first < byCap.size ? (sorted[first] as number) : -1;
      if (capped >= 0 && (f[capped * RECORD + OUTER_CAP] as number) < at) {
        this.freeze(capped, f[capped * RECORD + OUTER_CAP] as number, epoch, false);
      } else if (fills >= 0) this.fill(fills, at, epoch, false);
      else return;
    }
  }

  /** The region's transfers with a finite cap at their outer end, by cap, ties in region order. */
  private sortCapped(): IntList {
    const f = this.flows;
    const byCap = this.byCap;
    byCap.size = 0;
    for (let i = 0; i < this.regionFlows.size; i++) {
      const flow = this.regionFlows.items[i] as number;
      const cap = f[flow * RECORD + OUTER_CAP] as number;
      if (!(cap < Number.POSITIVE_INFINITY)) continue;
      byCap.push(flow);
      const sorted = byCap.items;
      let j = byCap.size - 1;
      for (; j > 0 && (f[(sorted[j - 1] as number) * RECORD + OUTER_CAP] as number) > cap; j--) {
        sorted[j] = sorted[j - 1] as number;
      }
      sorted[j] = flow;
    }
    return byCap;
  }

  private fillWithHeap(epoch: number): void {
    const heap = this.heap;
    const caps = this.caps;
    const f = this.flows;
    heap.clear();
    for (let i = 0; i < this.region.size; i++) this.pushCapacity(this.region.items[i] as number);
    for (let i = 0; i < this.regionFlows.size; i++) {
      const flow = this.regionFlows.items[i] as number;
      const cap = f[flow * RECORD + OUTER_CAP] as number;
      if (cap < Number.POSITIVE_INFINITY) heap.push(cap, -flow - 1);
    }
    while (heap.size > 0) {
      const at = heap.topKey;
      const item = heap.pop();
      if (item < 0) {
        const flow = -item - 1;
        if (Number.isNaN(f[flow * RECORD + NEXT] as number)) this.freeze(flow, at, epoch, true);
        continue;
      }
      // A stale entry: this capacity's share has moved since it was pushed.
      if (caps[item * RECORD + UNFROZEN] === 0 || this.shareOf(item) !== at) continue;
      this.fill(item, at, epoch, true);
    }
  }

  /** Capacity `c` fills at level `at`: its transfers still rising stop there. */
  private fill(c: number, at: number, epoch: number, heaped: boolean): void {
    this.caps[c * RECORD + SOLVED_LEVEL] = at;
    const f = this.flows;
    for (const flow of this.transfers[c] as number[]) {
      if (Number.isNaN(f[flow * RECORD + NEXT] as number)) this.freeze(flow, at, epoch, heaped);
    }
  }

  /** The level of capacity `c` if it is outside the region, else Infinity. */
  private outerLevel(c: number, epoch: number): number {
    const at = c * RECORD;
    return this.caps[at + IN_REGION] === epoch ? Number.POSITIVE_INFINITY : (this.caps[at + LEVEL] as number);
  }

  private shareOf(c: number): number {
    const at = c * RECORD;
    return Math.max(0, this.caps[at + SPARE] as number) / (this.caps[at + UNFROZEN] as number);
  }

  private pushCapacity(c: number): void {
    if ((this.caps[c * RECORD + UNFROZEN] as number) > 0) this.heap.push(this.shareOf(c), c);
  }

  private freeze(flow: number, rate: number, epoch: number, heaped: boolean): void {
    const f = this.flows;
    const caps = this.caps;
    f[flow * RECORD + NEXT] = rate;
    for (let side = 0; side < 2; side++) {
      const c = f[flow * RECORD + END + side] as number;
      const at = c * RECORD;
      if (caps[at + IN_REGION] !== epoch) continue;
      caps[at + SPARE] = (caps[at + SPARE] as number) - rate;
      caps[at + UNFROZEN] = (caps[at + UNFROZEN] as number) - 1;
      if (heaped) this.pushCapacity(c);
    }
  }

  /**
   * Adds to the region every outer end whose equation the solve broke: a saturated end whose transfer
   * changed rate, or an unsaturated one now over its capacity. Returns whether any joined.
   */
  private growAcrossEdge(epoch: number): boolean {
    const caps = this.caps;
    const f = this.flows;
    const flows = this.regionFlows;
    let rise = 0;
    for (let i = 0; i < flows.size; i++) {
      const at = (flows.items[i] as number) * RECORD;
      const next = f[at + NEXT] as number;
      if (next > (f[at + RATE] as number)) rise += next - (f[at + RATE] as number);
    }
    // `overflows` sums at most flowSlots rates, of which the region's rose by `rise` at most together:
    // both sums' rounding stays below this share of them (a few e-12, far below TOLERANCE).
    const margin = (2 * (this.flowSlots + flows.size) + 8) * ROUNDOFF;
    const joining = this.joining;
    joining.size = 0;
    for (let i = 0; i < flows.size; i++) {
      const flow = flows.items[i] as number;
      if (!this.moved(flow)) continue;
      for (let side = 0; side < 2; side++) {
        const c = f[flow * RECORD + END + side] as number;
        const at = c * RECORD;
        if (caps[at + IN_REGION] === epoch) continue;
        // An unsaturated end is summed only when its load bound cannot clear it: the same answer.
        if (
          (caps[at + LEVEL] as number) < Number.POSITIVE_INFINITY ||
          (!this.clears(c, rise, margin) && this.overflows(c, epoch))
        ) {
          joining.push(c);
        }
      }
    }
    for (let i = 0; i < joining.size; i++) this.join(joining.items[i] as number, epoch);
    return joining.size > 0;
  }

  /**
   * Whether capacity `c`'s load bound plus `rise` is surely within what `overflows` allows: the bound is
   * at least the exact sum of c's rates, the region's transfers across c rose by at most `rise`, and
   * `overflows` sums them with a rounding error below `margin` of the sum.
   */
  private clears(c: number, rise: number, margin: number): boolean {
    const at = c * RECORD;
    const capacity = this.caps[at + CAPACITY] as number;
    return ((this.caps[at + LOAD_BOUND] as number) + rise) * (1 + margin) <= capacity + TOLERANCE * capacity;
  }

  /** A rate across capacity `c` moved from `old` to `next`: keeps c's load bound an upper bound. */
  private boundLoad(c: number, old: number, next: number): void {
    const at = c * RECORD;
    const bound = this.caps[at + LOAD_BOUND] as number;
    // Three roundings (the difference, the sum, this slack's), each at most ROUNDOFF of these terms.
    const slack = 4 * ROUNDOFF * (bound + old + next);
    this.caps[at + LOAD_BOUND] = bound + (next - old) + slack;
  }

  private moved(flow: number): boolean {
    const old = this.flows[flow * RECORD + RATE] as number;
    const next = this.flows[flow * RECORD + NEXT] as number;
    return Math.abs(next - old) > TOLERANCE * Math.max(next, old);
  }

  /**
   * Whether an end outside the region carries more than its capacity at the region's new rates. Its
   * load bound is renewed from the sum of its rates on the way (a float sum of n rates is at most
   * 2 (n - 1) ROUNDOFF below the exact one), so that the slack it gathers does not grow for ever.
   */
  private overflows(c: number, epoch: number): boolean {
    const f = this.flows;
    const across = this.transfers[c] as number[];
    let load = 0;
    let held = 0;
    for (const flow of across) {
      const at = flow * RECORD;
      const rate = f[at + RATE] as number;
      held += rate;
      load += f[at + FLOW_IN_REGION] === epoch ? (f[at + NEXT] as number) : rate;
    }
    this.caps[c * RECORD + LOAD_BOUND] = held * (1 + (2 * across.length + 4) * ROUNDOFF);
    const capacity = this.caps[c * RECORD + CAPACITY] as number;
    return load > capacity + TOLERANCE * capacity;
  }

  private growToComponent(epoch: number): void {
    // `join` appends to the region as it goes: this walks the component breadth first.
    const f = this.flows;
    for (let i = 0; i < this.region.size; i++) {
      for (const flow of this.transfers[this.region.items[i] as number] as number[]) {
        this.join(f[flow * RECORD + END] as number, epoch);
        this.join(f[flow * RECORD + END + 1] as number, epoch);
      }
    }
  }

  private commit(changed: (flow: number, oldRate: number) => void): void {
    const caps = this.caps;
    const f = this.flows;
    for (let i = 0; i < this.region.size; i++) {
      const at = (this.region.items[i] as number) * RECORD;
      caps[at + LEVEL] = caps[at + SOLVED_LEVEL] as number;
    }
    for (let i = 0; i < this.regionFlows.size; i++) {
      const flow = this.regionFlows.items[i] as number;
      if (!this.moved(flow)) continue;
      const at = flow * RECORD;
      const old = f[at + RATE] as number;
      const next = f[at + NEXT] as number;
      this.boundLoad(f[at + END] as number, old, next);
      this.boundLoad(f[at + END + 1] as number, old, next);
      f[at + RATE] = next;
      changed(flow, old);
    }
  }

  private grow(): void {
    this.flowSlots *= 2;
    this.flows = resized(this.flows, this.flowSlots * RECORD);
  }
}

/** A list of integers in a typed array that grows: emptied by setting `size`, no allocation once grown. */
class IntList {
  items = new Int32Array(64);
  size = 0;

  push(item: number): void {
    if (this.size === this.items.length) this.items = resized(this.items, 2 * this.size);
    this.items[this.size++] = item;
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
