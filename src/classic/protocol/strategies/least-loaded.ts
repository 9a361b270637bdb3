// Ask the member that has served this client the fewest segments so far, ties broken at random:
// a client-local approximation of balancing the upload load over the swarm.
import type { Rng } from '../../../util/rng.ts';
import type { CandidateList } from '../candidates.ts';
import type { Rank } from '../messages.ts';
import type { PeerSelector } from './peer-selector.ts';

export class LeastLoadedPeerSelector implements PeerSelector {
  private readonly served = new Map<Rank, number>();

  pick(candidates: CandidateList, rng: Rng): Rank {
    let best = Number.POSITIVE_INFINITY;
    let ties = 0;
    let chosen = candidates.at(0) as Rank;
    for (const peer of candidates) {
      const load = this.served.get(peer) ?? 0;
      if (load < best) {
        best = load;
        ties = 1;
        chosen = peer;
      } else if (load === best) {
        // Reservoir sampling over the tied members: each is chosen with equal probability.
        ties++;
        if (rng.int(ties) === 0) chosen = peer;
      }
    }
    return chosen;
  }

  observe(peer: Rank, granted: boolean): void {
    if (granted) this.served.set(peer, (this.served.get(peer) ?? 0) + 1);
  }
}
