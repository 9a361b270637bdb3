// The seed's strategy: ask a member chosen uniformly at random, spreading requests over the swarm.
import type { Rng } from '../../../util/rng.ts';
import type { CandidateList } from '../candidates.ts';
import type { Rank } from '../messages.ts';
import type { PeerSelector } from './peer-selector.ts';

export class RandomPeerSelector implements PeerSelector {
  pick(candidates: CandidateList, rng: Rng): Rank {
    // As rng.pick would on the list as an array: one draw, the same member.
    return candidates.at(rng.int(candidates.length)) as Rank;
  }

  observe(): void {}
}
