// Whole pieces kept in memory to serve blocks from: a piece is read from disk once for its 16 KiB
// blocks, not once per block. Least recently used pieces go first, within a byte budget; a read under
// way is shared by every block that waits for it.

export class PieceCache {
  private readonly pieces = new Map<number, Uint8Array>();
  private readonly loading = new Map<number, Promise<Uint8Array>>();
  private bytes = 0;

  constructor(
    private readonly budgetBytes: number,
    private readonly read: (index: number) => Promise<Uint8Array>,
  ) {}

  /** The piece if it is in memory (and marks it used). */
  get(index: number): Uint8Array | undefined {
    const piece = this.pieces.get(index);
    if (piece === undefined) return undefined;
    this.pieces.delete(index);
    this.pieces.set(index, piece);
    return piece;
  }

  load(index: number): Promise<Uint8Array> {
    const cached = this.get(index);
    if (cached !== undefined) return Promise.resolve(cached);
    const pending = this.loading.get(index);
    if (pending !== undefined) return pending;
    const loaded = this.read(index).then(
      (piece) => {
        this.loading.delete(index);
        this.put(index, piece);
        return piece;
      },
      (error: unknown) => {
        this.loading.delete(index);
        throw error;
      },
    );
    this.loading.set(index, loaded);
    return loaded;
  }

  put(index: number, piece: Uint8Array): void {
    const old = this.pieces.get(index);
    if (old !== undefined) this.bytes -= old.length;
    this.pieces.delete(index);
    this.pieces.set(index, piece);
    this.bytes += piece.length;
    for (const [oldest, data] of this.pieces) {
      if (this.bytes <= this.budgetBytes || oldest === index) break;
      this.pieces.delete(oldest);
      this.bytes -= data.length;
    }
  }
}
