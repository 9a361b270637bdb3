// What a peer knows of its neighbours' pieces can be kept for it by a runtime that holds many peers and
// delivers each have to all of a sender's links in one instant (the simulator with a fixed latency). Then
// every link from the same neighbour knows the same set: the neighbour's announced pieces, one copy for
// the whole swarm, instead of a copy per link; and how many neighbours hold each piece is counted by the
// runtime as it delivers, in one tight loop, instead of by a call into each receiving peer. The structures
// belong to the runtime; the peer only reads them, and tells the runtime which haves it must still hear.
import type { Counts } from './availability.ts';
import type { LinkId } from './ids.ts';

export interface AnnouncedView<Address> {
  /**
   * Every neighbour's announced pieces as the peer's links have heard them (a bitfield, then the haves
   * that followed), laid out as a Bitset's words. Read-only to the peer.
   */
  readonly words: Uint32Array;
  /** Where `address`'s announced pieces start in `words`. */
  wordsOf(address: Address): number;
  /** Where an empty set starts in `words`: what a link knows before its first message. */
  readonly emptyFrom: number;
  /**
   * This peer's availability: per piece, how many of its links past their first message have it. The
   * runtime adds a link's set when it delivers the link's first message, each have as it delivers it, and
   * takes the set away when the link closes (by either end).
   */
  readonly availability: Counts;
  /**
   * Whether a have of a piece the peer lacks must reach it on this link, because its interest or its asks
   * may change (it is not interested in the link, or the link serves it). Any other have goes to the
   * view alone, except the one that makes a neighbour a seed, which reaches a peer that is one too.
   */
  wantHaves(link: LinkId, wanted: boolean): void;
  /** A clock of haves: it moves on with every have the runtime delivers. */
  haveClock(): number;
  /** The have clock when a have of `address` last reached the links that were to hear it. */
  lastHaveOf(address: Address): number;
}
