// One connection as one peer sees it, for what is read only when that link is in play: the handshake's
// outcome, the blocks asked each way, the bytes of a block under way. What every `have` touches (what
// the other end has, interest, choking) is in the peer's LinkTable, and what its choker rounds read
// (bytes per round, times) in its LinkMeters, so that loops over every link do not visit this object.
// Owned by one BtPeer.
import type { LinkId } from './ids.ts';
import type { BlockRef } from './messages.ts';

export class Link {
  /** Both ends speak BEP 6 (rejects, have-all, have-none). */
  fast = false;
  /** Its peer id (hex), once its handshake has come. */
  peerKey = '';
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
  /** Blocks to keep asked of it, as its runtime measures the link (0: the peer's `requestsPerLink`). */
  requestsInFlight = 0;
  /** Asked blocks have gone unanswered for a request time-out: it gets one ask at a time until data comes. */
  snubbed = false;
  /** Where this link sits in its peer's dense list. */
  slot = -1;

  constructor(readonly id: LinkId) {}
}
