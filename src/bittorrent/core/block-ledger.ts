// A downloading peer's account of blocks: how many neighbours each block is asked of, which blocks are
// in, and per piece how many blocks are still open (neither in nor asked for). Pickers choose among
// pieces with open blocks; end game begins when no missing piece has one.
import type { TorrentGeometry } from './geometry.ts';

export class BlockLedger {
  /** How many neighbours each block is asked of right now. */
  readonly asked: Uint8Array;
  /** 1 once a block is in (until its piece passes or fails its hash check). */
  readonly received: Uint8Array;
  /** Per piece: blocks neither in nor asked for (0 for a piece held). */
  readonly open: Int32Array;
  /** Per piece: blocks in. */
  readonly receivedInPiece: Int32Array;
  /** Open blocks over every missing piece: end game begins at 0. */
  openTotal = 0;
  /**
   * Pieces of more than one block that have been started and may still have open blocks: they are
   * finished before new ones are begun, so that fewer pieces are half done. Pruned as they are read.
   */
  readonly started: number[] = [];

  constructor(
    readonly geometry: TorrentGeometry,
    held: (index: number) => boolean,
  ) {
    this.asked = new Uint8Array(geometry.blocks);
    this.received = new Uint8Array(geometry.blocks);
    this.open = new Int32Array(geometry.pieces);
    this.receivedInPiece = new Int32Array(geometry.pieces);
    for (let index = 0; index < geometry.pieces; index++) {
      if (held(index)) continue;
      const blocks = geometry.blocksIn(index);
      this.open[index] = blocks;
      this.openTotal += blocks;
    }
  }

  /** One more neighbour is asked for `block`. */
  ask(block: number): void {
    const before = this.asked[block] as number;
    this.asked[block] = before + 1;
    if (before !== 0 || this.received[block] === 1) return;
    const index = this.geometry.pieceOf(block);
    this.open[index] = (this.open[index] as number) - 1;
    this.openTotal--;
    if (this.geometry.blocksIn(index) > 1 && this.receivedInPiece[index] === 0 && this.isFirstAsk(index)) {
      this.started.push(index);
    }
  }

  /** A neighbour no longer is asked for `block` (it came, was refused, or the ask was withdrawn). */
  unask(block: number, pieceHeld: boolean): void {
    const after = (this.asked[block] as number) - 1;
    this.asked[block] = after;
    if (after !== 0 || this.received[block] === 1 || pieceHeld) return;
    const index = this.geometry.pieceOf(block);
    this.open[index] = (this.open[index] as number) + 1;
    this.openTotal++;
  }

  /** Records a block in; false if it was in already. True with `pieceDone` set when its piece is whole. */
  receive(block: number): boolean {
    if (this.received[block] === 1) return false;
    this.received[block] = 1;
    const index = this.geometry.pieceOf(block);
    this.receivedInPiece[index] = (this.receivedInPiece[index] as number) + 1;
    if (this.asked[block] === 0) {
      // Not asked of anyone now (its ask timed out, say): it was open until now.
      this.open[index] = (this.open[index] as number) - 1;
      this.openTotal--;
    }
    return true;
  }

  isWhole(index: number): boolean {
    return this.receivedInPiece[index] === this.geometry.blocksIn(index);
  }

  /** The piece passed its hash check: nothing of it is open or pending any more. */
  pass(index: number): void {
    this.openTotal -= this.open[index] as number;
    this.open[index] = 0;
    this.receivedInPiece[index] = 0;
    this.forBlocks(index, (block) => {
      this.received[block] = 0;
    });
  }

  /** The piece failed its hash check: its blocks are dropped, open again unless asked of someone. */
  fail(index: number): void {
    this.receivedInPiece[index] = 0;
    this.forBlocks(index, (block) => {
      if (this.received[block] === 0) return;
      this.received[block] = 0;
      if (this.asked[block] !== 0) return;
      this.open[index] = (this.open[index] as number) + 1;
      this.openTotal++;
    });
  }

  /** The first block of the piece that is open, or -1. */
  firstOpen(index: number): number {
    const first = index * this.geometry.blocksPerPiece;
    const end = first + this.geometry.blocksIn(index);
    for (let block = first; block < end; block++) {
      if (this.asked[block] === 0 && this.received[block] === 0) return block;
    }
    return -1;
  }

  forBlocks(index: number, visit: (block: number) => void): void {
    const first = index * this.geometry.blocksPerPiece;
    const end = first + this.geometry.blocksIn(index);
    for (let block = first; block < end; block++) visit(block);
  }

  /** Whether `block` is the only block of its piece asked for (so the piece was not started before). */
  private isFirstAsk(index: number): boolean {
    let asked = 0;
    this.forBlocks(index, (block) => {
      if ((this.asked[block] as number) > 0) asked++;
    });
    return asked === 1;
  }
}
