// The simulator's announced views (core/announced-view.ts): with a fixed latency a have reaches all of a
// sender's neighbours in one instant, so what every link from that sender knows of its pieces is one set,
// kept here once per peer instead of once per link. Delivering a have then costs a count and a test per
// neighbour, in the simulator's own arrays; only a neighbour whose interest or asks may change is called.
// A peer's availability counts live here too, as the simulator is the one that delivers what they count.
// Everything here belongs to the simulator: a peer reads its own view and writes nothing but its wishes.

import type { AnnouncedView } from '../core/announced-view.ts';
import { type Counts, newCounts } from '../core/availability.ts';
import { Bitset } from '../core/bitset.ts';
import type { LinkId } from '../core/ids.ts';

export class AnnouncedViews {
  /** Words of 32 pieces per peer. */
  readonly words: number;
  /** Per peer, what its neighbours have heard it announce (slot `peers` stays empty). */
  readonly heard: Uint32Array;
  private readonly heardCount: Int32Array;
  /** Per peer, the pieces it holds now (its announcements as they leave). */
  private readonly own: Uint32Array;
  /** Per peer and piece: how many of its links past their first message hold the piece. */
  readonly availability: Counts;
  /** Per peer and link id: 1 if a have of a piece the peer lacks must reach it on that link. */
  private readonly wants: Uint8Array;
  /** Per peer: the have clock when its last have was delivered. */
  private readonly lastHave: Float64Array;
  private clock = 0;

  constructor(
    private readonly peers: number,
    readonly pieces: number,
    private readonly maxConnections: number,
  ) {
    this.words = (pieces + 31) >>> 5;
    this.heard = new Uint32Array((peers + 1) * this.words);
    this.heardCount = new Int32Array(peers);
    this.own = new Uint32Array(peers * this.words);
    this.availability = newCounts(peers * pieces, maxConnections);
    this.wants = new Uint8Array(peers * maxConnections);
    this.lastHave = new Float64Array(peers);
  }

  /** The view a peer arriving now reads; a seed arrives holding (and announcing) every piece. */
  arrive(peer: number, seed: boolean): AnnouncedView<number> {
    if (seed) {
      const from = peer * this.words;
      for (const words of [this.own, this.heard]) {
        new Bitset(this.pieces, words.subarray(from, from + this.words)).addAll();
      }
      this.heardCount[peer] = this.pieces;
    }
    return new PeerView(this, peer);
  }

  /** The peer holds `piece` now (it has broadcast its have). */
  hold(peer: number, piece: number): void {
    const at = peer * this.words + (piece >>> 5);
    this.own[at] = (this.own[at] as number) | (1 << (piece & 31));
  }

  lacks(peer: number, piece: number): boolean {
    return ((this.own[peer * this.words + (piece >>> 5)] as number) & (1 << (piece & 31))) === 0;
  }

  /** A have of `from` arrives at its links: true if it made `from` a seed. */
  heardHave(from: number, piece: number): boolean {
    const at = from * this.words + (piece >>> 5);
    this.heard[at] = (this.heard[at] as number) | (1 << (piece & 31));
    this.lastHave[from] = ++this.clock;
    this.heardCount[from] = (this.heardCount[from] as number) + 1;
    return this.heardCount[from] === this.pieces;
  }

  /** A have of `piece` is delivered to `peer` (it counts, whether or not the peer is called). */
  count(peer: number, piece: number): void {
    const at = peer * this.pieces + piece;
    this.availability[at] = (this.availability[at] as number) + 1;
  }

  wantsHaves(peer: number, link: LinkId): boolean {
    return this.wants[peer * this.maxConnections + link] === 1;
  }

  setWantsHaves(peer: number, link: LinkId, wanted: boolean): void {
    this.wants[peer * this.maxConnections + link] = wanted ? 1 : 0;
  }

  /** `peer`'s link from `from` had its first message: it now knows (and counts) what `from` announced. */
  link(peer: number, from: number): void {
    this.addSet(peer, from, 1);
  }

  /** `peer`'s link from `from`, past its first message, closed: what it knew no longer counts. */
  unlink(peer: number, from: number): void {
    this.addSet(peer, from, -1);
  }

  private addSet(peer: number, from: number, sign: 1 | -1): void {
    const counts = this.availability;
    const base = peer * this.pieces;
    const heardFrom = from * this.words;
    for (let w = 0; w < this.words; w++) {
      let bits = this.heard[heardFrom + w] as number;
      while (bits !== 0) {
        const low = bits & -bits;
        bits ^= low;
        const at = base + (w << 5) + 31 - Math.clz32(low);
        counts[at] = (counts[at] as number) + sign;
      }
    }
  }

  haveClock(): number {
    return this.clock;
  }

  lastHaveOf(peer: number): number {
    return this.lastHave[peer] as number;
  }

  /** Where the empty set is: what a link knows before its first message. */
  get emptyFrom(): number {
    return this.peers * this.words;
  }
}

/** One peer's view of the shared sets. */
class PeerView implements AnnouncedView<number> {
  readonly words: Uint32Array;
  readonly emptyFrom: number;
  readonly availability: Counts;

  constructor(
    private readonly views: AnnouncedViews,
    private readonly peer: number,
  ) {
    this.words = views.heard;
    this.emptyFrom = views.emptyFrom;
    this.availability = views.availability.subarray(peer * views.pieces, (peer + 1) * views.pieces);
  }

  wordsOf(address: number): number {
    return address * this.views.words;
  }

  wantHaves(link: LinkId, wanted: boolean): void {
    this.views.setWantsHaves(this.peer, link, wanted);
  }

  haveClock(): number {
    return this.views.haveClock();
  }

  lastHaveOf(address: number): number {
    return this.views.lastHaveOf(address);
  }
}
