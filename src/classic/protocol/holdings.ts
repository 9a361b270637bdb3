// What one client holds: for each file it knows, which segments it has. The download side writes it,
// the upload side reads it (the seed shared this between its two threads).

export class FileHoldings {
  private readonly have: Uint8Array;
  private held = 0;
  /** Every segment before this one is held. */
  private searchFrom = 0;

  constructor(readonly hashes: readonly string[]) {
    this.have = new Uint8Array(hashes.length);
  }

  static complete(hashes: readonly string[]): FileHoldings {
    const file = new FileHoldings(hashes);
    file.have.fill(1);
    file.held = hashes.length;
    return file;
  }

  get size(): number {
    return this.hashes.length;
  }

  get count(): number {
    return this.held;
  }

  get isComplete(): boolean {
    return this.held === this.hashes.length;
  }

  has(index: number): boolean {
    return this.have[index] === 1;
  }

  add(index: number): void {
    if (this.have[index] === 1) return;
    this.have[index] = 1;
    this.held++;
  }

  /**
   * The first missing segment, or -1. Segments are only ever added, so the search resumes where the
   * last one stopped: a whole file costs one pass, not one pass per segment.
   */
  firstMissing(): number {
    while (this.searchFrom < this.have.length && this.have[this.searchFrom] === 1) this.searchFrom++;
    return this.searchFrom < this.have.length ? this.searchFrom : -1;
  }
}

export class Holdings {
  private readonly files = new Map<string, FileHoldings>();

  get(file: string): FileHoldings | undefined {
    return this.files.get(file);
  }

  /** Starts tracking a file; keeps what is already held if it is known. */
  track(file: string, hashes: readonly string[]): FileHoldings {
    let held = this.files.get(file);
    if (held === undefined) {
      held = new FileHoldings(hashes);
      this.files.set(file, held);
    }
    return held;
  }

  own(file: string, hashes: readonly string[]): void {
    this.files.set(file, FileHoldings.complete(hashes));
  }

  has(file: string, index: number): boolean {
    return this.files.get(file)?.has(index) ?? false;
  }
}
