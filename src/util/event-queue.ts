// The simulator's event queue, ordered by (time, insertion order); events are four integers kept in
// typed arrays, so the hot loop allocates nothing per event. Most events are messages sent now to arrive
// after one fixed latency: scheduled in time order, they go to a FIFO lane at O(1) a push and a pop.
// Everything else goes to a binary min-heap; a pop takes the earlier of the two heads.

/** Events in typed arrays: times, insertion numbers, and four integer fields each. */
class EventArrays {
  times: Float64Array;
  seqs: Float64Array;
  fields: Int32Array;

  constructor(capacity: number) {
    this.times = new Float64Array(capacity);
    this.seqs = new Float64Array(capacity);
    this.fields = new Int32Array(capacity * 4);
  }

  get capacity(): number {
    return this.times.length;
  }

  set(i: number, time: number, seq: number, kind: number, a: number, b: number, c: number): void {
    this.times[i] = time;
    this.seqs[i] = seq;
    const f = i * 4;
    this.fields[f] = kind;
    this.fields[f + 1] = a;
    this.fields[f + 2] = b;
    this.fields[f + 3] = c;
  }

  copy(from: number, to: number): void {
    this.times[to] = this.times[from] as number;
    this.seqs[to] = this.seqs[from] as number;
    const f = this.fields;
    const a = from * 4;
    const b = to * 4;
    f[b] = f[a] as number;
    f[b + 1] = f[a + 1] as number;
    f[b + 2] = f[a + 2] as number;
    f[b + 3] = f[a + 3] as number;
  }

  /** Doubles the capacity; `order(i)` gives the slot that moves to slot i (a ring unrolls this way). */
  grow(order: (i: number) => number, count: number): void {
    const old = { times: this.times, seqs: this.seqs, fields: this.fields };
    const capacity = this.times.length * 2;
    this.times = new Float64Array(capacity);
    this.seqs = new Float64Array(capacity);
    this.fields = new Int32Array(capacity * 4);
    for (let i = 0; i < count; i++) {
      const j = order(i);
      this.times[i] = old.times[j] as number;
      this.seqs[i] = old.seqs[j] as number;
      this.fields.set(old.fields.subarray(j * 4, j * 4 + 4), i * 4);
    }
  }
}

export class EventQueue {
  private readonly heap = new EventArrays(1024);
  private heapSize = 0;
  /** The FIFO lane: a ring of `laneSize` events from `laneHead`. */
  private readonly lane = new EventArrays(1024);
  private laneHead = 0;
  private laneSize = 0;
  private nextSeq = 0;
  /** The event last popped: its time and fields. */
  time = 0;
  kind = 0;
  a = 0;
  b = 0;
  c = 0;

  get size(): number {
    return this.heapSize + this.laneSize;
  }

  push(time: number, kind: number, a: number, b: number, c: number): void {
    const heap = this.heap;
    if (this.heapSize === heap.capacity) heap.grow((i) => i, this.heapSize);
    let i = this.heapSize++;
    const seq = this.nextSeq++;
    // Sift up: move parents down until the new event's place is found.
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(time, seq, heap, parent)) break;
      heap.copy(parent, i);
      i = parent;
    }
    heap.set(i, time, seq, kind, a, b, c);
  }

  /**
   * `push` for an event scheduled no earlier than any other pushed this way (one sent now to arrive
   * after a fixed delay): it joins the FIFO lane. An earlier one goes to the heap, so order always holds.
   */
  pushInOrder(time: number, kind: number, a: number, b: number, c: number): void {
    const lane = this.lane;
    if (this.laneSize > 0) {
      const tail = (this.laneHead + this.laneSize - 1) % lane.capacity;
      if (time < (lane.times[tail] as number)) {
        this.push(time, kind, a, b, c);
        return;
      }
    }
    if (this.laneSize === lane.capacity) {
      const head = this.laneHead;
      const capacity = lane.capacity;
      lane.grow((i) => (head + i) % capacity, this.laneSize);
      this.laneHead = 0;
    }
    const slot = (this.laneHead + this.laneSize) % lane.capacity;
    lane.set(slot, time, this.nextSeq++, kind, a, b, c);
    this.laneSize++;
  }

  /** Pops the earliest event into `time`, `kind`, `a`, `b`, `c`; false when empty. */
  pop(): boolean {
    if (this.laneSize > 0) {
      const head = this.laneHead;
      const lane = this.lane;
      const laneFirst =
        this.heapSize === 0 || before(lane.times[head] as number, lane.seqs[head] as number, this.heap, 0);
      if (laneFirst) {
        this.take(lane, head);
        this.laneHead = (head + 1) % lane.capacity;
        this.laneSize--;
        return true;
      }
    }
    if (this.heapSize === 0) return false;
    this.take(this.heap, 0);
    const last = --this.heapSize;
    if (last > 0) this.siftDownFrom(last);
    return true;
  }

  peekTime(): number {
    const heapTime = this.heapSize === 0 ? Number.POSITIVE_INFINITY : (this.heap.times[0] as number);
    const laneTime =
      this.laneSize === 0 ? Number.POSITIVE_INFINITY : (this.lane.times[this.laneHead] as number);
    return Math.min(heapTime, laneTime);
  }

  private take(events: EventArrays, i: number): void {
    this.time = events.times[i] as number;
    const f = i * 4;
    this.kind = events.fields[f] as number;
    this.a = events.fields[f + 1] as number;
    this.b = events.fields[f + 2] as number;
    this.c = events.fields[f + 3] as number;
  }

  private siftDownFrom(last: number): void {
    const heap = this.heap;
    const time = heap.times[last] as number;
    const seq = heap.seqs[last] as number;
    const f = last * 4;
    const kind = heap.fields[f] as number;
    const a = heap.fields[f + 1] as number;
    const b = heap.fields[f + 2] as number;
    const c = heap.fields[f + 3] as number;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= last) break;
      const right = left + 1;
      const child =
        right < last && before(heap.times[right] as number, heap.seqs[right] as number, heap, left)
          ? right
          : left;
      if (before(time, seq, heap, child)) break;
      heap.copy(child, i);
      i = child;
    }
    heap.set(i, time, seq, kind, a, b, c);
  }
}

/** Whether an event at (time, seq) comes before the one at slot j of `events`. */
function before(time: number, seq: number, events: EventArrays, j: number): boolean {
  const tj = events.times[j] as number;
  return time < tj || (time === tj && seq < (events.seqs[j] as number));
}
