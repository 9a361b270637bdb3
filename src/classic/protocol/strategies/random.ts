// The seed's strategy: ask a member chosen uniformly at random, spreading requests over the swarm.
import type { Rng } from '../../../util/rng.ts';
import type { Rank } from '../messages.ts';
import type { PeerSelector } from './peer-selector.ts';

export class RandomPeerSelector implements PeerSelector {
  pick(candidates: readonly Rank[], rng: Rng): Rank {
    return rng.pick(candidates);
  }

  observe(): void {}
}
