// What a BtPeer asks of the runtime that drives it: messages to send, connections to open and close,
// announces, hash checks, and events to record. Every call is made during one of the peer's own calls;
// the runtime acts on it after that call returns, never by calling back into the peer from here.
import type { LinkId } from './ids.ts';
import type { BlockRef, PeerMessage } from './messages.ts';

export type AnnounceEvent = 'started' | 'completed' | 'stopped' | 'periodic';

export interface AnnounceRequest {
  readonly event: AnnounceEvent;
  /** How many peers it would like (0 when it has all the connections it may have). */
  readonly numwant: number;
  readonly uploaded: number;
  readonly downloaded: number;
  readonly left: number;
}

/** Why the peer closed a link. */
export type CloseReason =
  | { readonly kind: 'protocol'; readonly detail: string }
  | { readonly kind: 'wrong-torrent' }
  | { readonly kind: 'self' }
  | { readonly kind: 'duplicate' }
  | { readonly kind: 'banned' }
  | { readonly kind: 'both-seeds' }
  | { readonly kind: 'useless' }
  | { readonly kind: 'handshake-timeout' }
  | { readonly kind: 'idle' }
  | { readonly kind: 'stopped' };

export type PeerEvent =
  /** A block we asked for came: the runtime stores `data` (absent in simulation). */
  | ({ readonly kind: 'block'; readonly link: LinkId; readonly data: Uint8Array | undefined } & BlockRef)
  | { readonly kind: 'piece-completed'; readonly index: number }
  | { readonly kind: 'completed' }
  | { readonly kind: 'hash-failed'; readonly index: number }
  | { readonly kind: 'snubbed'; readonly link: LinkId }
  /** It sent data that failed the hash check too often: its links are closed and it is refused. */
  | { readonly kind: 'banned'; readonly peerKey: string };

export interface PeerOutbox<Address> {
  send(link: LinkId, message: PeerMessage): void;
  /**
   * Send one message to every link on which the peer has sent its first message (its bitfield, or
   * have-all/have-none): BEP 3's have, which goes to every neighbour. One call, not one per link, so
   * that a runtime holding many peers can carry it as one event.
   */
  broadcast(message: PeerMessage): void;
  /** The peer has forgotten the link; the runtime closes its transport. */
  close(link: LinkId, reason: CloseReason): void;
  /** Open a connection; the runtime answers with openLink or handleConnectFailure. */
  connect(address: Address): void;
  /** Ask the tracker; the runtime answers with handlePeers or handleAnnounceFailure. */
  announce(request: AnnounceRequest): void;
  /** Check the piece against its hash; the runtime answers with handlePieceVerified. */
  verify(index: number): void;
  /**
   * Withdraw a `piece` message handed over earlier: true if it will not be sent (then the runtime never
   * reports it sent), false if it is too late (it will be sent and reported).
   */
  withdraw(link: LinkId, block: BlockRef): boolean;
  event(event: PeerEvent): void;
}
