// An array-based binary min-heap ordered by a numeric key, ties broken by insertion order,
// so that equal keys pop first-in first-out and runs stay deterministic.

export class MinHeap<T> {
  private readonly keys: number[] = [];
  private readonly seqs: number[] = [];
  private readonly items: T[] = [];
  private nextSeq = 0;

  get size(): number {
    return this.items.length;
  }

  push(key: number, item: T): void {
    this.keys.push(key);
    this.seqs.push(this.nextSeq++);
    this.items.push(item);
    this.siftUp(this.items.length - 1);
  }

  peekKey(): number | undefined {
    return this.keys[0];
  }

  pop(): T | undefined {
    const n = this.items.length;
    if (n === 0) return undefined;
    const top = this.items[0] as T;
    const last = n - 1;
    this.move(last, 0);
    this.keys.pop();
    this.seqs.pop();
    this.items.pop();
    if (last > 0) this.siftDown(0);
    return top;
  }

  private less(i: number, j: number): boolean {
    const ki = this.keys[i] as number;
    const kj = this.keys[j] as number;
    return ki < kj || (ki === kj && (this.seqs[i] as number) < (this.seqs[j] as number));
  }

  private move(from: number, to: number): void {
    this.keys[to] = this.keys[from] as number;
    this.seqs[to] = this.seqs[from] as number;
    this.items[to] = this.items[from] as T;
  }

  private swap(i: number, j: number): void {
    const k = this.keys[i] as number;
    const s = this.seqs[i] as number;
    const it = this.items[i] as T;
    this.move(j, i);
    this.keys[j] = k;
    this.seqs[j] = s;
    this.items[j] = it;
  }

  private siftUp(i: number): void {
    let child = i;
    while (child > 0) {
      const parent = (child - 1) >> 1;
      if (!this.less(child, parent)) return;
      this.swap(child, parent);
      child = parent;
    }
  }

  private siftDown(i: number): void {
    const n = this.items.length;
    let parent = i;
    for (;;) {
      const left = 2 * parent + 1;
      if (left >= n) return;
      const right = left + 1;
      const smaller = right < n && this.less(right, left) ? right : left;
      if (!this.less(smaller, parent)) return;
      this.swap(smaller, parent);
      parent = smaller;
    }
  }
}
