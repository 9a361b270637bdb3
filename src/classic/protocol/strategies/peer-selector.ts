// How a download side chooses which swarm member to ask for a segment. One selector per client:
// it may remember what that client has seen (never what other clients know).
import type { Rng } from '../../../util/rng.ts';
import type { CandidateList } from '../candidates.ts';
import type { Rank } from '../messages.ts';

export interface PeerSelector {
  /** Chooses one of `candidates` (never empty, never the asking client itself). */
  pick(candidates: CandidateList, rng: Rng): Rank;
  /** Told how each request ended, so that selectors can learn from it. */
  observe(peer: Rank, granted: boolean): void;
}
