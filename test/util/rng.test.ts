import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/util/rng.ts';

const draws = (rng: Rng, count: number) => Array.from({ length: count }, () => rng.nextUint32());

describe('Rng', () => {
  it('gives the same sequence for the same seed and stream', () => {
    fc.assert(
      fc.property(fc.integer(), fc.nat(1000), (seed, stream) => {
        expect(draws(new Rng(seed, stream), 50)).toEqual(draws(new Rng(seed, stream), 50));
      }),
    );
  });

  it('uses stream 0 when no stream is given', () => {
    expect(draws(new Rng(42), 20)).toEqual(draws(new Rng(42, 0), 20));
  });

  it('gives different sequences for different seeds', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer(), (a, b) => {
        fc.pre(a !== b);
        expect(draws(new Rng(a), 4)).not.toEqual(draws(new Rng(b), 4));
      }),
    );
    // Neighbouring seeds, where a weak seeding would show first.
    const firsts = new Set(Array.from({ length: 1000 }, (_, seed) => new Rng(seed).nextUint32()));
    expect(firsts.size).toBe(1000);
  });

  it('gives different sequences for different streams of one seed', () => {
    fc.assert(
      fc.property(fc.integer(), fc.nat(1 << 20), fc.nat(1 << 20), (seed, s, t) => {
        fc.pre(s !== t);
        expect(draws(new Rng(seed, s), 4)).not.toEqual(draws(new Rng(seed, t), 4));
      }),
    );
    const firsts = new Set(Array.from({ length: 1000 }, (_, stream) => new Rng(7, stream).nextUint32()));
    expect(firsts.size).toBe(1000);
  });

  it('returns unsigned 32-bit integers from nextUint32', () => {
    const values = draws(new Rng(3), 10_000);
    expect(values.every((value) => Number.isInteger(value) && value >= 0 && value < 2 ** 32)).toBe(true);
    // The top bit is set about half of the time: the values use the whole 32-bit range.
    const high = values.filter((value) => value >= 2 ** 31).length;
    expect(high).toBeGreaterThan(4_500);
    expect(high).toBeLessThan(5_500);
  });

  it('returns floats in [0, 1) from next, spread over the interval', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const rng = new Rng(seed);
        const values = Array.from({ length: 2000 }, () => rng.next());
        expect(values.filter((value) => !(value >= 0 && value < 1))).toEqual([]);
        const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
        // The mean of 2000 uniform draws has a standard deviation of about 0.0065.
        expect(mean).toBeGreaterThan(0.45);
        expect(mean).toBeLessThan(0.55);
      }),
      { numRuns: 30 },
    );
  });

  it('returns whole numbers in [0, n) from int(n)', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 2 ** 31 }), (seed, n) => {
        const rng = new Rng(seed);
        const values = Array.from({ length: 50 }, () => rng.int(n));
        expect(values.filter((value) => !(Number.isInteger(value) && value >= 0 && value < n))).toEqual([]);
      }),
    );
  });

  it('reaches every value of int(n) for small n', () => {
    for (let n = 1; n <= 16; n++) {
      const rng = new Rng(n);
      const seen = new Set(Array.from({ length: 60 * n }, () => rng.int(n)));
      expect(seen, `n = ${n}`).toEqual(new Set(Array.from({ length: n }, (_, i) => i)));
    }
  });

  it('returns whole numbers between lo and hi, both included, and reaches both ends', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: -1000, max: 1000 }), fc.nat(6), (seed, lo, span) => {
        const hi = lo + span;
        const rng = new Rng(seed);
        const values = Array.from({ length: 200 }, () => rng.between(lo, hi));
        expect(values.filter((value) => !(Number.isInteger(value) && value >= lo && value <= hi))).toEqual(
          [],
        );
        expect(values).toContain(lo);
        expect(values).toContain(hi);
      }),
    );
  });

  it('returns lo from between(lo, lo)', () => {
    const rng = new Rng(1);
    for (let i = 0; i < 20; i++) expect(rng.between(5, 5)).toBe(5);
  });

  it('picks an item of the list, reaching each one', () => {
    const rng = new Rng(8);
    const items = ['a', 'b', 'c', 'd'];
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const item = rng.pick(items);
      expect(items).toContain(item);
      seen.add(item);
    }
    expect(seen).toEqual(new Set(items));
    expect(rng.pick([undefined])).toBeUndefined();
  });

  it('throws a RangeError when picking from an empty list', () => {
    expect(() => new Rng(1).pick([])).toThrow(RangeError);
  });

  it('forks deterministically: the same parent state and stream give the same child', () => {
    fc.assert(
      fc.property(fc.integer(), fc.nat(1000), (seed, stream) => {
        const a = new Rng(seed);
        const b = new Rng(seed);
        expect(draws(a.fork(stream), 20)).toEqual(draws(b.fork(stream), 20));
        // Forking advances the parent by the same amount on both sides.
        expect(draws(a, 10)).toEqual(draws(b, 10));
      }),
    );
  });

  it('forks children that differ from each other and from their parent', () => {
    const parent = new Rng(5);
    const copy = new Rng(5);
    const first = parent.fork(1);
    copy.nextUint32();
    // The parent moves on after a fork, so its next fork of the same stream is another child.
    const second = parent.fork(1);
    const otherStream = new Rng(5).fork(2);
    const sequences = [draws(first, 8), draws(second, 8), draws(otherStream, 8), draws(copy, 8)];
    expect(new Set(sequences.map((seq) => seq.join(','))).size).toBe(sequences.length);
  });
});
