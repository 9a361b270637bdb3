import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ChokeCandidate,
  type Choker,
  leastLoadedChoker,
  randomChoker,
  shuffle,
  titForTat,
} from '../../../src/bittorrent/core/choker.ts';
import { Rng } from '../../../src/util/rng.ts';

const candidateArb = (peer: number): fc.Arbitrary<ChokeCandidate> =>
  fc.record({
    peer: fc.constant(peer),
    // Small ranges, so that ties are common.
    receivedLastRound: fc.nat(4),
    sentLastRound: fc.nat(4),
    sentTotal: fc.nat(4),
  });

const candidatesArb: fc.Arbitrary<ChokeCandidate[]> = fc
  .uniqueArray(fc.integer({ min: 1, max: 100 }), { maxLength: 12 })
  .chain((peers) => fc.tuple(...peers.map(candidateArb)));

const CHOKERS: readonly [string, Choker][] = [
  ['tit-for-tat', titForTat],
  ['random', randomChoker],
  ['least-loaded', leastLoadedChoker],
];

function candidate(peer: number, fields: Partial<Omit<ChokeCandidate, 'peer'>> = {}): ChokeCandidate {
  return { peer, receivedLastRound: 0, sentLastRound: 0, sentTotal: 0, ...fields };
}

/** Checks that `chosen` is `slots` (or all) candidates, each scoring at least as well as any left out. */
function expectTop(
  chosen: readonly number[],
  candidates: readonly ChokeCandidate[],
  slots: number,
  score: (c: ChokeCandidate) => number,
) {
  expect(chosen).toHaveLength(Math.min(slots, candidates.length));
  const byPeer = new Map(candidates.map((c) => [c.peer, c]));
  const chosenScores = chosen.map((peer) => score(byPeer.get(peer) as ChokeCandidate));
  const leftOut = candidates.filter((c) => !chosen.includes(c.peer)).map(score);
  if (chosenScores.length > 0 && leftOut.length > 0) {
    expect(Math.min(...chosenScores)).toBeGreaterThanOrEqual(Math.max(...leftOut));
  }
}

describe.each(CHOKERS)('%s choker', (_name, choker) => {
  it('returns at most `slots` distinct candidates, and all of them when there are few', () => {
    fc.assert(
      fc.property(candidatesArb, fc.nat(8), fc.boolean(), fc.integer(), (candidates, slots, isSeed, seed) => {
        const chosen = choker.choose(candidates, slots, isSeed, new Rng(seed));
        expect(chosen).toHaveLength(Math.min(slots, candidates.length));
        expect(new Set(chosen).size).toBe(chosen.length);
        const peers = candidates.map((c) => c.peer);
        for (const peer of chosen) expect(peers).toContain(peer);
      }),
    );
  });

  it('chooses nobody among no candidates', () => {
    expect(choker.choose([], 4, false, new Rng(1))).toEqual([]);
  });

  it('does not reorder or change the candidate list it is given', () => {
    const candidates = [candidate(1, { receivedLastRound: 1 }), candidate(2), candidate(3, { sentTotal: 5 })];
    const copy = candidates.map((c) => ({ ...c }));
    choker.choose(candidates, 2, false, new Rng(4));
    expect(candidates).toEqual(copy);
  });
});

describe('tit-for-tat choker', () => {
  it('keeps an optimistic slot', () => {
    expect(titForTat.optimistic).toBe(true);
  });

  it('as a leecher, picks the top `slots` by bytes received from them last round', () => {
    fc.assert(
      fc.property(candidatesArb, fc.nat(6), fc.integer(), (candidates, slots, seed) => {
        const chosen = titForTat.choose(candidates, slots, false, new Rng(seed));
        expectTop(chosen, candidates, slots, (c) => c.receivedLastRound);
      }),
    );
  });

  it('as a seed, picks the top `slots` by bytes sent to them last round', () => {
    fc.assert(
      fc.property(candidatesArb, fc.nat(6), fc.integer(), (candidates, slots, seed) => {
        const chosen = titForTat.choose(candidates, slots, true, new Rng(seed));
        expectTop(chosen, candidates, slots, (c) => c.sentLastRound);
      }),
    );
  });

  it('ranks a leecher by what it received and a seed by what it sent', () => {
    const candidates = [
      candidate(1, { receivedLastRound: 100, sentLastRound: 0 }),
      candidate(2, { receivedLastRound: 0, sentLastRound: 100 }),
      candidate(3, { receivedLastRound: 50, sentLastRound: 50 }),
    ];
    for (let seed = 0; seed < 20; seed++) {
      expect(titForTat.choose(candidates, 1, false, new Rng(seed))).toEqual([1]);
      expect(titForTat.choose(candidates, 1, true, new Rng(seed))).toEqual([2]);
      expect(new Set(titForTat.choose(candidates, 2, false, new Rng(seed)))).toEqual(new Set([1, 3]));
    }
  });

  it('breaks ties at random: each tied candidate gets the last slot sometimes', () => {
    const candidates = [
      candidate(1, { receivedLastRound: 9 }),
      candidate(2, { receivedLastRound: 5 }),
      candidate(3, { receivedLastRound: 5 }),
      candidate(4, { receivedLastRound: 5 }),
      candidate(5, { receivedLastRound: 1 }),
    ];
    const lastSlot = new Set<number>();
    const rng = new Rng(11);
    for (let draw = 0; draw < 200; draw++) {
      const chosen = titForTat.choose(candidates, 2, false, rng);
      expect(chosen).toContain(1);
      lastSlot.add(chosen.find((peer) => peer !== 1) as number);
    }
    expect([...lastSlot].sort()).toEqual([2, 3, 4]);
  });
});

describe('random choker', () => {
  it('has no optimistic slot', () => {
    expect(randomChoker.optimistic).toBe(false);
  });

  it('reaches every candidate over many rounds, whatever they gave', () => {
    const candidates = [1, 2, 3, 4, 5, 6, 7].map((peer) =>
      candidate(peer, { receivedLastRound: peer * 100 }),
    );
    const seen = new Set<number>();
    const rng = new Rng(5);
    for (let draw = 0; draw < 100; draw++)
      for (const peer of randomChoker.choose(candidates, 2, false, rng)) seen.add(peer);
    expect(seen.size).toBe(7);
  });
});

describe('least-loaded choker', () => {
  it('has no optimistic slot', () => {
    expect(leastLoadedChoker.optimistic).toBe(false);
  });

  it('picks the `slots` candidates it has sent least to in total', () => {
    fc.assert(
      fc.property(candidatesArb, fc.nat(6), fc.boolean(), fc.integer(), (candidates, slots, isSeed, seed) => {
        const chosen = leastLoadedChoker.choose(candidates, slots, isSeed, new Rng(seed));
        expectTop(chosen, candidates, slots, (c) => -c.sentTotal);
      }),
    );
  });

  it('ignores what was received or sent last round', () => {
    const candidates = [
      candidate(1, { sentTotal: 50, receivedLastRound: 1000, sentLastRound: 1000 }),
      candidate(2, { sentTotal: 10 }),
      candidate(3, { sentTotal: 30 }),
    ];
    for (let seed = 0; seed < 10; seed++) {
      expect(leastLoadedChoker.choose(candidates, 2, false, new Rng(seed)).sort()).toEqual([2, 3]);
    }
  });
});

describe('ranking choker', () => {
  it('chooses exactly the first `slots` of a shuffle then a stable sort by score, with the same draws', () => {
    const rankers: readonly [Choker, (c: ChokeCandidate, isSeed: boolean) => number][] = [
      [titForTat, (c, isSeed) => (isSeed ? c.sentLastRound : c.receivedLastRound)],
      [leastLoadedChoker, (c) => -c.sentTotal],
    ];
    fc.assert(
      fc.property(candidatesArb, fc.nat(6), fc.boolean(), fc.nat(), (candidates, slots, isSeed, seed) => {
        for (const [choker, score] of rankers) {
          const reference = shuffle([...candidates], new Rng(seed))
            .sort((a, b) => score(b, isSeed) - score(a, isSeed))
            .slice(0, slots)
            .map((c) => c.peer);
          expect(choker.choose(candidates, slots, isSeed, new Rng(seed))).toEqual(reference);
        }
      }),
    );
  });
});
