// The BitTorrent tracker: it knows who is in the swarm and answers an announce with a random sample of
// them (50 by default), as real trackers do. It knows nothing of pieces.
import type { Rng } from '../../util/rng.ts';
/** A peer as the tracker knows it: whatever the runtime names peers by. */
export type PeerId = number;

export class BtTracker {
  /** Members, densely packed so that a random sample costs O(sample), and leaving costs O(1). */
  private readonly members: PeerId[] = [];
  private readonly slot = new Map<PeerId, number>();

  constructor(private readonly peersPerRequest: number) {}

  get size(): number {
    return this.members.length;
  }

  join(peer: PeerId): void {
    if (this.slot.has(peer)) return;
    this.slot.set(peer, this.members.length);
    this.members.push(peer);
  }

  leave(peer: PeerId): void {
    const at = this.slot.get(peer);
    if (at === undefined) return;
    const last = this.members.pop() as PeerId;
    this.slot.delete(peer);
    if (last !== peer) {
      this.members[at] = last;
      this.slot.set(last, at);
    }
  }

  /** Up to `peersPerRequest` members other than `peer`, a uniform random sample without repeats. */
  announce(peer: PeerId, rng: Rng): PeerId[] {
    const others = this.members.length - (this.slot.has(peer) ? 1 : 0);
    const wanted = Math.min(this.peersPerRequest, others);
    if (wanted * 2 <= this.members.length) {
      // A small sample of a large swarm: rejection sampling costs O(sample).
      const chosen = new Set<PeerId>();
      while (chosen.size < wanted) {
        const member = this.members[rng.int(this.members.length)] as PeerId;
        if (member !== peer) chosen.add(member);
      }
      return [...chosen];
    }
    // A large part of the swarm: a partial Fisher-Yates shuffle of the others.
    const pool = this.members.filter((member) => member !== peer);
    for (let i = 0; i < wanted; i++) {
      const j = i + rng.int(pool.length - i);
      const picked = pool[j] as PeerId;
      pool[j] = pool[i] as PeerId;
      pool[i] = picked;
    }
    return pool.slice(0, wanted);
  }
}
