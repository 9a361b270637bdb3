// One end of a connection between two peers: the four BitTorrent flags, what the other end has, the
// requests each way, and the byte counts the choker ranks neighbours by.
import type { Bitset } from './bitset.ts';
import type { PeerStore } from './peer-store.ts';
import type { PeerId } from './wire.ts';

export class Connection {
  amChoking = true;
  amInterested = false;
  peerInterested = false;
  /** The head of the upload queue is being sent. */
  uploading = false;
  /**
   * Blocks already counted of the piece under way each way (a transfer reports its bytes as they
   * arrive, so that tit-for-tat ranks neighbours by what they sent, not by whole pieces finished).
   */
  blocksInPiece = -1;
  blocksIn = 0;
  blocksOutPiece = -1;
  blocksOut = 0;
  receivedThisRound = 0;
  sentThisRound = 0;
  receivedLastRound = 0;
  sentLastRound = 0;
  sentTotal = 0;
  /** Rechoke rounds in a row in which we wanted something from it and it kept us choked. */
  chokedRounds = 0;
  /** Where this connection sits in its peer's `links`. */
  slot = -1;
  /**
   * The other end's Connection, when both ends live in one process (the simulator links them), so
   * that a `have` reaches every neighbour without a lookup per neighbour.
   */
  mirror: Connection | null = null;

  constructor(
    /** Where this end's interest count and choked flag live (peer-store.ts), and its slot there. */
    private readonly store: PeerStore,
    readonly end: number,
    /** The store index of the peer this end belongs to. */
    readonly owner: number,
    readonly peer: PeerId,
    /**
     * What the other end has announced: its bitfield, then its haves. Either our own copy, or (in a
     * runtime where every neighbour hears a peer's have at the same instant) that peer's one shared
     * announced set, which saves a copy per connection and a write per neighbour per have.
     */
    readonly remote: Bitset,
  ) {}

  get peerChoking(): boolean {
    return this.store.peerChoking[this.end] === 1;
  }

  set peerChoking(choking: boolean) {
    this.store.peerChoking[this.end] = choking ? 1 : 0;
  }

  /** Pieces the other end has that we lack: we are interested while this is above zero. */
  get interesting(): number {
    return this.store.interesting[this.end] as number;
  }

  set interesting(count: number) {
    this.store.interesting[this.end] = count;
  }

  // Requests each way live in the store's slots (peer-store.ts), in order.

  /** Pieces we asked it for and have not received, in the order asked (a copy). */
  get inFlight(): number[] {
    return copyOf(this.store.inFlight, this.inFlightFrom(), this.inFlightCount);
  }

  get inFlightCount(): number {
    return this.store.inFlightCount[this.end] as number;
  }

  isInFlight(piece: number): boolean {
    return indexIn(this.store.inFlight, this.inFlightFrom(), this.inFlightCount, piece) >= 0;
  }

  /** Records a request sent; the caller keeps within the peer's pieces in flight. */
  addInFlight(piece: number): void {
    const { inFlight, inFlightCount, slots } = this.store;
    if (!append(inFlight, inFlightCount, this.end, slots.inFlight, piece)) {
      throw new RangeError('more pieces in flight than the store has slots for');
    }
  }

  removeInFlight(piece: number): boolean {
    const { inFlight, inFlightCount, slots } = this.store;
    const at = indexIn(inFlight, this.inFlightFrom(), this.inFlightCount, piece);
    if (at >= 0) removeAt(inFlight, inFlightCount, this.end, slots.inFlight, at);
    return at >= 0;
  }

  /** Forgets every request in flight, and returns them. */
  takeInFlight(): number[] {
    const { inFlight, inFlightCount, slots } = this.store;
    return takeAfter(inFlight, inFlightCount, this.end, slots.inFlight, 0);
  }

  /** Pieces it asked us for, in order; the head is being sent while `uploading` (a copy). */
  get uploadQueue(): number[] {
    return copyOf(this.store.queued, this.queuedFrom(), this.queuedCount);
  }

  get queuedCount(): number {
    return this.store.queuedCount[this.end] as number;
  }

  /** The piece at the head of the upload queue, or -1. */
  get queueHead(): number {
    return this.queuedCount === 0 ? -1 : (this.store.queued[this.queuedFrom()] as number);
  }

  /** Queues a request; false when the queue is full (the request is then rejected). */
  enqueue(piece: number): boolean {
    const { queued, queuedCount, slots } = this.store;
    return append(queued, queuedCount, this.end, slots.queued, piece);
  }

  /** Where `piece` is in the upload queue (0: the head), or -1. */
  queuedAt(piece: number): number {
    return indexIn(this.store.queued, this.queuedFrom(), this.queuedCount, piece);
  }

  /** Removes the request at `at` in the upload queue, keeping the others in order. */
  dequeueAt(at: number): void {
    const { queued, queuedCount, slots } = this.store;
    removeAt(queued, queuedCount, this.end, slots.queued, at);
  }

  /** Removes the requests queued after the first `keep`, and returns them. */
  takeQueuedAfter(keep: number): number[] {
    const { queued, queuedCount, slots } = this.store;
    return takeAfter(queued, queuedCount, this.end, slots.queued, keep);
  }

  private inFlightFrom(): number {
    return this.end * this.store.slots.inFlight;
  }

  private queuedFrom(): number {
    return this.end * this.store.slots.queued;
  }

  endRound(): void {
    this.chokedRounds = this.amInterested && this.peerChoking ? this.chokedRounds + 1 : 0;
    this.receivedLastRound = this.receivedThisRound;
    this.sentLastRound = this.sentThisRound;
    this.receivedThisRound = 0;
    this.sentThisRound = 0;
  }
}

// A connection end's requests one way: `width` slots from end * width, counts[end] of them in use.

function copyOf(slots: Int32Array, from: number, count: number): number[] {
  return Array.from(slots.subarray(from, from + count));
}

function indexIn(slots: Int32Array, from: number, count: number, piece: number): number {
  for (let i = 0; i < count; i++) if (slots[from + i] === piece) return i;
  return -1;
}

function append(slots: Int32Array, counts: Int32Array, end: number, width: number, piece: number): boolean {
  const count = counts[end] as number;
  if (count === width) return false;
  slots[end * width + count] = piece;
  counts[end] = count + 1;
  return true;
}

/** Removes the slots after the first `keep`, and returns their pieces. */
function takeAfter(
  slots: Int32Array,
  counts: Int32Array,
  end: number,
  width: number,
  keep: number,
): number[] {
  const count = counts[end] as number;
  if (count <= keep) return [];
  counts[end] = keep;
  return copyOf(slots, end * width + keep, count - keep);
}

function removeAt(slots: Int32Array, counts: Int32Array, end: number, width: number, at: number): void {
  const from = end * width;
  const count = counts[end] as number;
  slots.copyWithin(from + at, from + at + 1, from + count);
  counts[end] = count - 1;
}
