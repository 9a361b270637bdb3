// A torrent's shape: how many pieces of what length, cut into blocks of what length. Pieces are all
// `pieceBytes` long but the last; blocks all `blockBytes` long but the last of each piece. Blocks are
// numbered across the torrent (piece i's first block is i * blocksPerPiece), so that per-block state
// fits in flat arrays.

export class TorrentGeometry {
  readonly pieces: number;
  /** Blocks in every piece but the last. */
  readonly blocksPerPiece: number;
  /** One past the highest block number. */
  readonly blocks: number;

  constructor(
    readonly totalBytes: number,
    readonly pieceBytes: number,
    /** The length this peer asks for (the wire's 16 KiB; a simulator may ask for whole pieces). */
    readonly blockBytes: number,
  ) {
    if (!(totalBytes > 0 && pieceBytes > 0 && blockBytes > 0)) throw new RangeError('sizes must be positive');
    this.pieces = Math.ceil(totalBytes / pieceBytes);
    this.blocksPerPiece = Math.ceil(pieceBytes / blockBytes);
    this.blocks = (this.pieces - 1) * this.blocksPerPiece + this.blocksIn(this.pieces - 1);
  }

  pieceLength(index: number): number {
    return index === this.pieces - 1
      ? this.totalBytes - this.pieceBytes * (this.pieces - 1)
      : this.pieceBytes;
  }

  blocksIn(index: number): number {
    return Math.ceil(this.pieceLength(index) / this.blockBytes);
  }

  /** The number of the block at `begin` in piece `index`. */
  blockAt(index: number, begin: number): number {
    return index * this.blocksPerPiece + Math.floor(begin / this.blockBytes);
  }

  pieceOf(block: number): number {
    return Math.floor(block / this.blocksPerPiece);
  }

  beginOf(block: number): number {
    return (block % this.blocksPerPiece) * this.blockBytes;
  }

  blockLength(block: number): number {
    const index = this.pieceOf(block);
    return Math.min(this.blockBytes, this.pieceLength(index) - this.beginOf(block));
  }

  /** Whether a request for these bytes stays inside one piece (any offset; `maxLength` at most). */
  fits(index: number, begin: number, length: number, maxLength: number): boolean {
    return (
      Number.isInteger(index) &&
      index >= 0 &&
      index < this.pieces &&
      begin >= 0 &&
      length > 0 &&
      length <= maxLength &&
      begin + length <= this.pieceLength(index)
    );
  }

  /** Whether these bytes are exactly one of the blocks this peer asks for. */
  isBlock(index: number, begin: number, length: number): boolean {
    return (
      this.fits(index, begin, length, this.blockBytes) &&
      begin % this.blockBytes === 0 &&
      length === this.blockLength(this.blockAt(index, begin))
    );
  }
}
