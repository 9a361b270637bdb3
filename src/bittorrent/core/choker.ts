// Who a peer uploads to: each strategy picks the neighbours to unchoke, among those interested, at every
// rechoke round (every 10 s). Every strategy has the same number of upload slots, so that comparisons
// between them are about choice, not capacity.
import type { Rng } from '../../util/rng.ts';

/** What a choker knows of one interested neighbour. */
export interface ChokeCandidate {
  readonly peer: number;
  /** Bytes received from it in the last round (what it gave us). */
  readonly receivedLastRound: number;
  /** Bytes sent to it in the last round. */
  readonly sentLastRound: number;
  /** Bytes sent to it since we met. */
  readonly sentTotal: number;
}

export interface Choker {
  /** Chooses up to `slots` peers to unchoke among `candidates`. */
  choose(candidates: readonly ChokeCandidate[], slots: number, isSeed: boolean, rng: Rng): number[];
  /** Whether this strategy also keeps one optimistic slot, rotated every 30 s. */
  readonly optimistic: boolean;
}

function top(
  candidates: readonly ChokeCandidate[],
  slots: number,
  score: (c: ChokeCandidate) => number,
  rng: Rng,
) {
  // Shuffle first so that equal scores are broken at random, then keep the best `slots` in a stable
  // insertion (what a stable sort by score would put first, without sorting every neighbour).
  const shuffled = shuffle([...candidates], rng);
  const best: ChokeCandidate[] = [];
  const bestScores: number[] = [];
  for (const candidate of shuffled) {
    const value = score(candidate);
    let at = best.length;
    while (at > 0 && (bestScores[at - 1] as number) < value) at--;
    if (at >= slots) continue;
    best.splice(at, 0, candidate);
    bestScores.splice(at, 0, value);
    if (best.length > slots) {
      best.pop();
      bestScores.pop();
    }
  }
  return best.map((c) => c.peer);
}

export function shuffle<T>(items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const item = items[i] as T;
    items[i] = items[j] as T;
    items[j] = item;
  }
  return items;
}

/** BitTorrent's choker: leechers reward who gave them most; seeds serve who takes fastest. */
export const titForTat: Choker = {
  optimistic: true,
  choose: (candidates, slots, isSeed, rng) =>
    top(candidates, slots, (c) => (isSeed ? c.sentLastRound : c.receivedLastRound), rng),
};

/** The seed's spirit: any interested neighbours, at random. */
export const randomChoker: Choker = {
  optimistic: false,
  choose: (candidates, slots, _isSeed, rng) =>
    shuffle([...candidates], rng)
      .slice(0, slots)
      .map((c) => c.peer),
};

/** Spread the upload: the neighbours this peer has sent least to so far. */
export const leastLoadedChoker: Choker = {
  optimistic: false,
  choose: (candidates, slots, _isSeed, rng) => top(candidates, slots, (c) => -c.sentTotal, rng),
};
