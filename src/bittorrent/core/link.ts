// One connection as one peer sees it: the handshake's outcome, the four BitTorrent flags, the blocks
// asked each way, the bytes the choker ranks it by. What every `have` touches (what the other end has,
// interest, when we last heard from it) is in the peer's LinkTable instead. Owned by one BtPeer.
import type { LinkId } from './ids.ts';
import type { BlockRef } from './messages.ts';

export class Link<Address> {
  /** Both ends speak BEP 6 (rejects, have-all, have-none). */
  fast = false;
  /** Its peer id (hex), once its handshake has come. */
  peerKey = '';
  amChoking = true;
  amInterested = false;
  peerChoking = true;
  peerInterested = false;
  /** Blocks we asked of it, oldest first. */
  readonly asked: number[] = [];
  /** What it asked of us and we will serve, oldest first. */
  readonly queued: BlockRef[] = [];
  /** Blocks handed to the runtime to send, not yet sent. */
  readonly sending: BlockRef[] = [];
  /** Bytes already counted of a block under way each way (the runtime may report a block as it moves). */
  creditedIn = 0;
  creditedInAt = -1;
  creditedOut = 0;
  creditedOutAt = -1;
  receivedThisRound = 0;
  sentThisRound = 0;
  receivedLastRound = 0;
  sentLastRound = 0;
  sentTotal = 0;
  /** Rechoke rounds in a row in which we wanted something from it and it kept us choked. */
  chokedRounds = 0;
  /** Blocks to keep asked of it, as its runtime measures the link (0: the peer's `requestsPerLink`). */
  requestsInFlight = 0;
  /** Asked blocks have gone unanswered for a request time-out: it gets one ask at a time until data comes. */
  snubbed = false;
  /** Where this link sits in its peer's dense list. */
  slot = -1;
  /** The link's id, as the choker names the neighbours it ranks (a ChokeCandidate). */
  readonly peer: number;
  /** When data last came, or when asking began after a pause: the request time-out runs from here. */
  lastDataAt: number;

  constructor(
    readonly id: LinkId,
    /** Where it can be reached, when known (we dialled it, or the runtime knows its listening address). */
    readonly address: Address | undefined,
    readonly outbound: boolean,
    readonly openedAt: number,
  ) {
    this.peer = id;
    this.lastDataAt = openedAt;
  }

  /** Closes the choker's round: this round's bytes become the last round's. */
  endRound(): void {
    this.chokedRounds = this.amInterested && this.peerChoking ? this.chokedRounds + 1 : 0;
    this.receivedLastRound = this.receivedThisRound;
    this.sentLastRound = this.sentThisRound;
    this.receivedThisRound = 0;
    this.sentThisRound = 0;
  }
}
