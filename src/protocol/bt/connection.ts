// One end of a connection between two peers: the four BitTorrent flags, what the other end has, the
// requests each way, and the byte counts the choker ranks neighbours by.
import type { Bitset } from './bitset.ts';
import type { PeerStore } from './peer-store.ts';
import type { PeerId } from './wire.ts';

export class Connection {
  amChoking = true;
  amInterested = false;
  peerInterested = false;
  /** Pieces we asked it for and have not received. */
  readonly inFlight: number[] = [];
  /** Pieces it asked us for, in order; the head is being sent while `uploading`. */
  readonly uploadQueue: number[] = [];
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

  removeInFlight(piece: number): boolean {
    const at = this.inFlight.indexOf(piece);
    if (at < 0) return false;
    this.inFlight.splice(at, 1);
    return true;
  }

  endRound(): void {
    this.chokedRounds = this.amInterested && this.peerChoking ? this.chokedRounds + 1 : 0;
    this.receivedLastRound = this.receivedThisRound;
    this.sentLastRound = this.sentThisRound;
    this.receivedThisRound = 0;
    this.sentThisRound = 0;
  }
}
