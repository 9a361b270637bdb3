// The simulator's event queue: a binary min-heap on (time, insertion order) whose events are four
// integers kept in typed arrays, so the hot loop allocates nothing per event.

export class EventQueue {
  private times = new Float64Array(1024);
  private seqs = new Float64Array(1024);
  private fields = new Int32Array(1024 * 4);
  private length = 0;
  private nextSeq = 0;
  /** The event last popped: its time and fields. */
  time = 0;
  kind = 0;
  a = 0;
  b = 0;
  c = 0;

  get size(): number {
    return this.length;
  }

  push(time: number, kind: number, a: number, b: number, c: number): void {
    if (this.length === this.times.length) this.grow();
    let i = this.length++;
    const seq = this.nextSeq++;
    // Sift up: move parents down until the new event's place is found.
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(time, seq, parent)) break;
      this.copy(parent, i);
      i = parent;
    }
    this.times[i] = time;
    this.seqs[i] = seq;
    const f = i * 4;
    this.fields[f] = kind;
    this.fields[f + 1] = a;
    this.fields[f + 2] = b;
    this.fields[f + 3] = c;
  }

  /** Pops the earliest event into `time`, `kind`, `a`, `b`, `c`; false when empty. */
  pop(): boolean {
    if (this.length === 0) return false;
    this.time = this.times[0] as number;
    this.kind = this.fields[0] as number;
    this.a = this.fields[1] as number;
    this.b = this.fields[2] as number;
    this.c = this.fields[3] as number;
    const last = --this.length;
    if (last > 0) this.siftDownFrom(last);
    return true;
  }

  peekTime(): number {
    return this.length === 0 ? Number.POSITIVE_INFINITY : (this.times[0] as number);
  }

  private siftDownFrom(last: number): void {
    const time = this.times[last] as number;
    const seq = this.seqs[last] as number;
    const f = last * 4;
    const kind = this.fields[f] as number;
    const a = this.fields[f + 1] as number;
    const b = this.fields[f + 2] as number;
    const c = this.fields[f + 3] as number;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= last) break;
      const right = left + 1;
      const child = right < last && this.lessThan(right, left) ? right : left;
      if (this.before(time, seq, child)) break;
      this.copy(child, i);
      i = child;
    }
    this.times[i] = time;
    this.seqs[i] = seq;
    const g = i * 4;
    this.fields[g] = kind;
    this.fields[g + 1] = a;
    this.fields[g + 2] = b;
    this.fields[g + 3] = c;
  }

  /** Whether an event at (time, seq) comes before the one at slot j. */
  private before(time: number, seq: number, j: number): boolean {
    const tj = this.times[j] as number;
    return time < tj || (time === tj && seq < (this.seqs[j] as number));
  }

  private lessThan(i: number, j: number): boolean {
    return this.before(this.times[i] as number, this.seqs[i] as number, j);
  }

  private copy(from: number, to: number): void {
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

  private grow(): void {
    const size = this.times.length * 2;
    const times = new Float64Array(size);
    times.set(this.times);
    const seqs = new Float64Array(size);
    seqs.set(this.seqs);
    const fields = new Int32Array(size * 4);
    fields.set(this.fields);
    this.times = times;
    this.seqs = seqs;
    this.fields = fields;
  }
}
