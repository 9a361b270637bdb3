import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BtTracker } from '../../../src/bittorrent/core/tracker.ts';
import { Rng } from '../../../src/util/rng.ts';

function trackerWith(peersPerRequest: number, members: Iterable<number>): BtTracker {
  const tracker = new BtTracker(peersPerRequest);
  for (const member of members) tracker.join(member);
  return tracker;
}

const range = (n: number) => [...Array(n).keys()];

describe('BtTracker', () => {
  it('answers with at most peersPerRequest distinct members, never the asker', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 120 }),
        fc.integer({ min: 0, max: 60 }),
        fc.nat(130),
        fc.integer(),
        (size, peersPerRequest, asker, seed) => {
          const tracker = trackerWith(peersPerRequest, range(size));
          const answer = tracker.announce(asker, new Rng(seed));
          const others = size - (asker < size ? 1 : 0);
          expect(answer).toHaveLength(Math.min(peersPerRequest, others));
          expect(new Set(answer).size).toBe(answer.length);
          expect(answer).not.toContain(asker);
          for (const peer of answer) expect(peer).toBeLessThan(size);
        },
      ),
    );
  });

  it('returns every other member when there are no more than peersPerRequest of them', () => {
    const tracker = trackerWith(50, range(8));
    expect(tracker.size).toBe(8);
    expect(new Set(tracker.announce(3, new Rng(1)))).toEqual(new Set([0, 1, 2, 4, 5, 6, 7]));
    // An asker that has not joined gets everyone.
    expect(new Set(tracker.announce(99, new Rng(1)))).toEqual(new Set(range(8)));
  });

  it('returns nobody to the only member', () => {
    expect(trackerWith(50, [4]).announce(4, new Rng(1))).toEqual([]);
  });

  it('counts a member that joins twice once', () => {
    const tracker = trackerWith(50, [1, 2, 1]);
    expect(tracker.size).toBe(2);
    expect(tracker.announce(2, new Rng(1))).toEqual([1]);
  });

  it('never returns a member that left', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 80 }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer(),
        (size, peersPerRequest, seed) => {
          const tracker = trackerWith(peersPerRequest, range(size));
          const rng = new Rng(seed);
          const gone = new Set(range(size).filter(() => rng.next() < 0.4));
          for (const peer of gone) tracker.leave(peer);
          tracker.leave(size + 5); // not a member: nothing happens
          expect(tracker.size).toBe(size - gone.size);
          for (let round = 0; round < 10; round++) {
            const answer = tracker.announce(rng.int(size), rng);
            for (const peer of answer) expect(gone.has(peer)).toBe(false);
          }
          // Whoever stayed is still reachable.
          const stayed = range(size).filter((peer) => !gone.has(peer));
          const all = new BtTracker(size);
          for (const peer of stayed) all.join(peer);
          expect(new Set(all.announce(-1, rng))).toEqual(new Set(stayed));
        },
      ),
    );
  });

  it('keeps the remaining members answerable after the last member leaves', () => {
    const tracker = trackerWith(50, [1, 2, 3]);
    tracker.leave(3);
    tracker.leave(1);
    expect(tracker.announce(9, new Rng(1))).toEqual([2]);
    tracker.join(1);
    expect(new Set(tracker.announce(9, new Rng(1)))).toEqual(new Set([1, 2]));
  });

  it('is deterministic for a seed', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer(),
        (size, k, seed) => {
          const a = trackerWith(k, range(size)).announce(0, new Rng(seed));
          const b = trackerWith(k, range(size)).announce(0, new Rng(seed));
          expect(a).toEqual(b);
        },
      ),
    );
  });

  it('samples at random from a large swarm: every member is returned to someone', () => {
    const tracker = trackerWith(5, range(100));
    const rng = new Rng(3);
    const seen = new Set<number>();
    for (let round = 0; round < 200; round++) for (const peer of tracker.announce(0, rng)) seen.add(peer);
    expect(seen).toEqual(new Set(range(100).slice(1)));
  });

  // docs/simulator.md: "answers an announce with a uniform random sample of the peers present"; the code
  // comment: "chosen at random". When peersPerRequest < others but 2 * peersPerRequest > members, the
  // "take everyone" branch keeps the first peersPerRequest members in join order, every time.
  it('samples at random when the sample is more than half the swarm but not all of it', () => {
    const tracker = trackerWith(6, range(10));
    const rng = new Rng(3);
    const seen = new Set<number>();
    for (let round = 0; round < 200; round++) for (const peer of tracker.announce(9, rng)) seen.add(peer);
    expect(seen).toEqual(new Set(range(9)));
  });
});
