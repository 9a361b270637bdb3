import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Bitset } from '../../../src/bittorrent/core/bitset.ts';

function members(bits: Bitset): number[] {
  const out: number[] = [];
  bits.forEach((index) => {
    out.push(index);
  });
  return out;
}

/** A capacity and some indices below it (repeats allowed). */
const contentArb = fc
  .integer({ min: 1, max: 200 })
  .chain((capacity) =>
    fc.tuple(fc.constant(capacity), fc.array(fc.nat(capacity - 1), { maxLength: 2 * capacity })),
  );

describe('Bitset', () => {
  it('starts empty', () => {
    const bits = new Bitset(40);
    expect(bits.count).toBe(0);
    expect(bits.isFull).toBe(false);
    expect(members(bits)).toEqual([]);
    for (let i = 0; i < 40; i++) expect(bits.has(i)).toBe(false);
  });

  it('adds, reports membership and counts', () => {
    const bits = new Bitset(70);
    expect(bits.add(0)).toBe(true);
    expect(bits.add(31)).toBe(true);
    expect(bits.add(32)).toBe(true);
    expect(bits.add(69)).toBe(true);
    expect(bits.count).toBe(4);
    for (const i of [0, 31, 32, 69]) expect(bits.has(i)).toBe(true);
    for (const i of [1, 30, 33, 63, 64, 68]) expect(bits.has(i)).toBe(false);
  });

  it('returns false when adding an index again, and does not count it twice', () => {
    const bits = new Bitset(10);
    expect(bits.add(7)).toBe(true);
    expect(bits.add(7)).toBe(false);
    expect(bits.count).toBe(1);
    expect(members(bits)).toEqual([7]);
  });

  it('is full once every index is added, and only then', () => {
    const bits = new Bitset(5);
    for (let i = 0; i < 5; i++) {
      expect(bits.isFull).toBe(false);
      bits.add(i);
    }
    expect(bits.isFull).toBe(true);
    expect(bits.count).toBe(5);
  });

  it('agrees with a Set: has, count, add results, and forEach visits the members in ascending order', () => {
    fc.assert(
      fc.property(contentArb, ([capacity, indices]) => {
        const bits = new Bitset(capacity);
        const model = new Set<number>();
        for (const index of indices) {
          expect(bits.add(index)).toBe(!model.has(index));
          model.add(index);
        }
        expect(bits.count).toBe(model.size);
        expect(bits.isFull).toBe(model.size === capacity);
        for (let i = 0; i < capacity; i++) expect(bits.has(i)).toBe(model.has(i));
        expect(members(bits)).toEqual([...model].sort((a, b) => a - b));
      }),
    );
  });

  it('visits the high bit of a word (index 31, 63) correctly', () => {
    const bits = new Bitset(64);
    bits.add(63);
    bits.add(31);
    bits.add(30);
    bits.add(32);
    expect(members(bits)).toEqual([30, 31, 32, 63]);
  });

  it('copyFrom makes an independent copy of the other set, replacing what was there', () => {
    fc.assert(
      fc.property(contentArb, fc.array(fc.nat(), { maxLength: 50 }), ([capacity, indices], before) => {
        const source = new Bitset(capacity);
        for (const index of indices) source.add(index);
        const copy = new Bitset(capacity);
        for (const index of before) copy.add(index % capacity);
        copy.copyFrom(source);
        expect(members(copy)).toEqual(members(source));
        expect(copy.count).toBe(source.count);
        expect(copy.isFull).toBe(source.isFull);
        // Independent: adding to the copy leaves the source alone.
        const missing = [...Array(capacity).keys()].find((i) => !source.has(i));
        if (missing !== undefined) {
          copy.add(missing);
          expect(source.has(missing)).toBe(false);
          expect(source.count).toBe(copy.count - 1);
        }
      }),
    );
  });

  it('full(n) holds exactly 0..n-1, for sizes that are and are not multiples of 32', () => {
    for (const capacity of [0, 1, 31, 32, 33, 63, 64, 65, 100, 257]) {
      const bits = Bitset.full(capacity);
      expect(bits.count).toBe(capacity);
      expect(bits.isFull).toBe(true);
      expect(members(bits)).toEqual([...Array(capacity).keys()]);
      // Nothing beyond the capacity, in the unused bits of the last word.
      expect(bits.has(capacity)).toBe(false);
      if (capacity > 0) expect(bits.add(capacity - 1)).toBe(false);
    }
  });

  it('handles the last index of a size that is not a multiple of 32', () => {
    const bits = new Bitset(33);
    expect(bits.add(32)).toBe(true);
    expect(bits.has(32)).toBe(true);
    expect(bits.has(0)).toBe(false);
    expect(members(bits)).toEqual([32]);
    for (let i = 0; i < 32; i++) bits.add(i);
    expect(bits.isFull).toBe(true);
  });
});
