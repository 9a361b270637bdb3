// The state every `have` touches, for all the peers of one process, in flat typed arrays: what each peer
// holds, how many neighbours hold each piece, and per connection end its interest count, whether it is
// choked, and its requests each way. A swarm of thousands of peers hears billions of haves; reaching
// this state through objects costs a cache miss per hop, through these arrays about one per array. A
// lone peer gets a store of its own.

import { doubled } from '../../util/arrays.ts';
import { type Counts, newCounts } from './availability.ts';
import { Bitset } from './bitset.ts';
import type { BtPeer } from './peer.ts';

/** How many requests a connection end holds each way: asked and not received; received and not served. */
export interface RequestSlots {
  /** At least the most pieces any peer of the store keeps asked of one neighbour. */
  readonly inFlight: number;
  /**
   * Requests from one neighbour queued for service; a request beyond these is rejected (BEP 6). When
   * every requester is a peer of the same store, their `inFlight` is enough.
   */
  readonly queued: number;
}

export class PeerStore {
  /** Words of 32 pieces per peer. */
  readonly words: number;
  /** Peer `i` holds piece p when bit p of have[i * words ..] is set. */
  readonly have: Uint32Array;
  /**
   * What each peer's neighbours have heard it has, laid out as `have`: in a runtime where all of a
   * peer's neighbours hear its haves at the same instant, one view serves as the remote view of every
   * connection to it.
   */
  readonly announced: Uint32Array;
  private readonly announcedSets: (Bitset | undefined)[];
  /** counts[i * pieces + p]: how many of peer i's neighbours hold piece p. */
  readonly counts: Counts;
  /** Per connection end: pieces the other end has that this end lacks. */
  interesting = new Int32Array(1024);
  /** Per connection end: 1 while the other end chokes this one. */
  peerChoking = new Uint8Array(1024);
  /**
   * Per connection end, in order: the pieces asked of the other end (inFlight[end * slots.inFlight ..],
   * inFlightCount[end] of them), and the pieces it asked of this end, the head being sent (queued,
   * queuedCount). Fixed slots in flat arrays, not two arrays per connection: a 100k-peer swarm has
   * millions of connection ends. The slots cost 4 bytes each, used or not: with the usual few pieces
   * in flight, much less than two arrays.
   */
  inFlight: Int32Array;
  inFlightCount = new Int32Array(1024);
  queued: Int32Array;
  queuedCount = new Int32Array(1024);
  /** The peer at each index, for the rare have that needs more than counting. */
  readonly owners: (BtPeer | undefined)[];
  private readonly freeEnds: number[] = [];
  private usedEnds = 0;

  constructor(
    readonly peers: number,
    readonly pieces: number,
    /** The most neighbours a peer can have: it bounds every count. */
    maxNeighbours: number,
    readonly slots: RequestSlots = { inFlight: 8, queued: 8 },
  ) {
    this.inFlight = new Int32Array(1024 * slots.inFlight);
    this.queued = new Int32Array(1024 * slots.queued);
    this.words = (pieces + 31) >>> 5;
    this.have = new Uint32Array(peers * this.words);
    this.announced = new Uint32Array(peers * this.words);
    this.announcedSets = new Array(peers).fill(undefined);
    this.counts = newCounts(peers * pieces, maxNeighbours);
    this.owners = new Array(peers).fill(undefined);
  }

  haveOf(index: number): Uint32Array {
    return this.have.subarray(index * this.words, (index + 1) * this.words);
  }

  /** Peer `index`'s announced pieces, as one Bitset that every view of them shares. */
  announcedOf(index: number): Bitset {
    let set = this.announcedSets[index];
    if (set === undefined) {
      set = new Bitset(this.pieces, this.announced.subarray(index * this.words, (index + 1) * this.words));
      this.announcedSets[index] = set;
    }
    return set;
  }

  countsOf(index: number): Counts {
    return this.counts.subarray(index * this.pieces, (index + 1) * this.pieces);
  }

  /** A connection end's slot in the per-end arrays, reset: nothing interesting, choked. */
  openEnd(): number {
    const reused = this.freeEnds.pop();
    const end = reused ?? this.usedEnds++;
    if (end === this.interesting.length) this.grow();
    this.interesting[end] = 0;
    this.peerChoking[end] = 1;
    this.inFlightCount[end] = 0;
    this.queuedCount[end] = 0;
    return end;
  }

  closeEnd(end: number): void {
    this.freeEnds.push(end);
  }

  private grow(): void {
    this.interesting = doubled(this.interesting);
    this.peerChoking = doubled(this.peerChoking);
    this.inFlight = doubled(this.inFlight);
    this.inFlightCount = doubled(this.inFlightCount);
    this.queued = doubled(this.queued);
    this.queuedCount = doubled(this.queuedCount);
  }
}
