import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Rank } from '../../../src/classic/protocol/messages.ts';
import {
  createPeerSelector,
  isPeerStrategy,
  PEER_STRATEGIES,
  type PeerSelector,
} from '../../../src/classic/protocol/strategies/index.ts';
import { LeastLoadedPeerSelector } from '../../../src/classic/protocol/strategies/least-loaded.ts';
import { RandomPeerSelector } from '../../../src/classic/protocol/strategies/random.ts';
import { Rng } from '../../../src/util/rng.ts';

const candidatesArb = fc.uniqueArray(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 12 });

/** How often each candidate is picked in `draws` picks. */
function tally(
  selector: PeerSelector,
  candidates: readonly Rank[],
  rng: Rng,
  draws: number,
): Map<Rank, number> {
  const counts = new Map<Rank, number>(candidates.map((c) => [c, 0]));
  for (let i = 0; i < draws; i++) {
    const pick = selector.pick(candidates, rng);
    counts.set(pick, (counts.get(pick) ?? 0) + 1);
  }
  return counts;
}

/** Pearson's chi-square statistic of counts against the uniform distribution over `among`. */
function chiSquare(counts: Map<Rank, number>, among: readonly Rank[]): number {
  const total = among.reduce((sum, rank) => sum + (counts.get(rank) ?? 0), 0);
  const expected = total / among.length;
  return among.reduce((sum, rank) => sum + ((counts.get(rank) ?? 0) - expected) ** 2 / expected, 0);
}

describe('random peer selection', () => {
  it('picks only among the candidates', () => {
    fc.assert(
      fc.property(candidatesArb, fc.integer(), (candidates, seed) => {
        const selector = new RandomPeerSelector();
        const rng = new Rng(seed);
        for (let i = 0; i < 50; i++) expect(candidates).toContain(selector.pick(candidates, rng));
      }),
    );
  });

  it('reaches every candidate over many draws with a seeded Rng', () => {
    fc.assert(
      fc.property(candidatesArb, fc.integer(), (candidates, seed) => {
        const counts = tally(new RandomPeerSelector(), candidates, new Rng(seed), 40 * candidates.length);
        for (const candidate of candidates) expect(counts.get(candidate)).toBeGreaterThan(0);
        expect(counts.size).toBe(candidates.length);
      }),
    );
  });

  it('picks roughly uniformly, and what it observes changes nothing', () => {
    const selector = new RandomPeerSelector();
    for (let i = 0; i < 100; i++) selector.observe();
    const candidates = [4, 8, 15, 16, 23];
    const counts = tally(selector, candidates, new Rng(7), 20_000);
    // 4 degrees of freedom: 18.5 is the 0.1% tail; the run is seeded, so this cannot flake.
    expect(chiSquare(counts, candidates)).toBeLessThan(18.5);
  });

  it('makes the same picks from the same seed', () => {
    const picks = (seed: number) => {
      const rng = new Rng(seed);
      const selector = new RandomPeerSelector();
      return Array.from({ length: 30 }, () => selector.pick([1, 2, 3, 4, 5, 6], rng));
    };
    expect(picks(11)).toEqual(picks(11));
    expect(picks(11)).not.toEqual(picks(12));
  });
});

describe('least-loaded peer selection', () => {
  it('always picks a candidate with the fewest granted segments observed, counting no refusals', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ observe: fc.integer({ min: 1, max: 8 }), granted: fc.boolean() }),
            fc.record({
              pick: fc.uniqueArray(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 8 }),
            }),
          ),
          { maxLength: 80 },
        ),
        fc.integer(),
        (steps, seed) => {
          const selector = new LeastLoadedPeerSelector();
          const rng = new Rng(seed);
          const granted = new Map<Rank, number>();
          for (const step of steps) {
            if ('observe' in step) {
              selector.observe(step.observe, step.granted);
              if (step.granted) granted.set(step.observe, (granted.get(step.observe) ?? 0) + 1);
              continue;
            }
            const chosen = selector.pick(step.pick, rng);
            expect(step.pick).toContain(chosen);
            const min = Math.min(...step.pick.map((peer) => granted.get(peer) ?? 0));
            expect(granted.get(chosen) ?? 0).toBe(min);
          }
        },
      ),
    );
  });

  it('keeps choosing an unloaded member however often it refused', () => {
    const selector = new LeastLoadedPeerSelector();
    for (let i = 0; i < 50; i++) selector.observe(2, false);
    selector.observe(3, true);
    const rng = new Rng(1);
    for (let i = 0; i < 20; i++) expect(selector.pick([3, 2], rng)).toBe(2);
  });

  it('moves away from a member once it has served more than the others', () => {
    const selector = new LeastLoadedPeerSelector();
    const rng = new Rng(3);
    const picks: Rank[] = [];
    for (let i = 0; i < 9; i++) {
      const pick = selector.pick([1, 2, 3], rng);
      picks.push(pick);
      selector.observe(pick, true);
    }
    // Granting every request spreads them evenly: each member serves one of every three in turn.
    for (let round = 0; round < 3; round++) {
      expect([...picks.slice(3 * round, 3 * round + 3)].sort()).toEqual([1, 2, 3]);
    }
  });

  it('breaks ties roughly uniformly among the least loaded, wherever they stand in the list', () => {
    const selector = new LeastLoadedPeerSelector();
    // Loads: 7 -> 2, 3 -> 1; 9, 1, 5 and 11 have served nothing (refusals do not count).
    for (const [peer, granted] of [
      [7, true],
      [7, true],
      [3, true],
      [9, false],
      [5, false],
    ] as const) {
      selector.observe(peer, granted);
    }
    const candidates = [9, 7, 1, 3, 5, 11];
    const tied = [9, 1, 5, 11];
    const counts = tally(selector, candidates, new Rng(2024), 20_000);
    expect(counts.get(7)).toBe(0);
    expect(counts.get(3)).toBe(0);
    for (const peer of tied) expect(counts.get(peer)).toBeGreaterThan(20_000 / tied.length / 2);
    // 3 degrees of freedom: 16.3 is the 0.1% tail; the run is seeded, so this cannot flake.
    expect(chiSquare(counts, tied)).toBeLessThan(16.3);
  });

  it('breaks ties roughly uniformly for many seeds and tie sizes', () => {
    for (const size of [2, 3, 5, 8]) {
      for (const seed of [1, 2, 3]) {
        const candidates = Array.from({ length: size }, (_, i) => i + 1);
        const counts = tally(new LeastLoadedPeerSelector(), candidates, new Rng(seed, size), 2_000 * size);
        // Loose bound: the 0.1% tail of chi-square is below 27 for up to 7 degrees of freedom.
        expect(chiSquare(counts, candidates), `size ${size}, seed ${seed}`).toBeLessThan(27);
      }
    }
  });

  it('does not count its own picks as load: only observations do', () => {
    const selector = new LeastLoadedPeerSelector();
    const counts = tally(selector, [1, 2], new Rng(5), 1_000);
    expect(counts.get(1)).toBeGreaterThan(350);
    expect(counts.get(2)).toBeGreaterThan(350);
  });
});

describe('peer strategies by name', () => {
  it('lists random and least-loaded', () => {
    expect(PEER_STRATEGIES).toEqual(['random', 'least-loaded']);
  });

  it('recognises exactly the listed names', () => {
    for (const name of PEER_STRATEGIES) expect(isPeerStrategy(name)).toBe(true);
    for (const name of [
      '',
      'Random',
      'least_loaded',
      'leastLoaded',
      'toString',
      'constructor',
      '__proto__',
    ]) {
      expect(isPeerStrategy(name), name).toBe(false);
    }
  });

  it('creates a selector of the named strategy', () => {
    expect(createPeerSelector('random')).toBeInstanceOf(RandomPeerSelector);
    expect(createPeerSelector('least-loaded')).toBeInstanceOf(LeastLoadedPeerSelector);
  });

  it('creates a fresh selector each time, so clients never share what they have observed', () => {
    const first = createPeerSelector('least-loaded');
    const second = createPeerSelector('least-loaded');
    expect(first).not.toBe(second);
    first.observe(1, true);
    const rng = new Rng(9);
    for (let i = 0; i < 10; i++) expect(first.pick([1, 2], rng)).toBe(2);
    expect(new Set(Array.from({ length: 50 }, () => second.pick([1, 2], rng)))).toEqual(new Set([1, 2]));
  });

  it('creates selectors that pick only among the candidates, whatever the strategy', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...PEER_STRATEGIES),
        candidatesArb,
        fc.integer(),
        (name, candidates, seed) => {
          const selector = createPeerSelector(name);
          const rng = new Rng(seed);
          for (let i = 0; i < 20; i++) {
            const pick = selector.pick(candidates, rng);
            expect(candidates).toContain(pick);
            selector.observe(pick, i % 3 !== 0);
          }
        },
      ),
    );
  });
});
