import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { appendAll, maxOf, minOf } from '../../src/util/arrays.ts';

// Past about 125,000 items, spreading an array into a call overflows the stack (issue 11, item 1).
const HUGE = 1_000_000;

describe('array helpers for arrays of any length', () => {
  it('append, and find the largest and smallest of, a million items', () => {
    const target = [-1];
    const items = Array.from({ length: HUGE }, (_, i) => i);
    appendAll(target, items);
    expect(target.length).toBe(HUGE + 1);
    expect(target[HUGE]).toBe(HUGE - 1);
    expect(maxOf(items)).toBe(HUGE - 1);
    expect(minOf(items)).toBe(0);
  });

  it('agree with Math.max and Math.min on small arrays', () => {
    fc.assert(
      fc.property(fc.array(fc.double()), (values) => {
        expect(maxOf(values)).toBe(Math.max(...values));
        expect(minOf(values)).toBe(Math.min(...values));
      }),
      { seed: 11 },
    );
  });
});
