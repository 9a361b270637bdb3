import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MinHeap } from '../../src/util/heap.ts';

describe('MinHeap', () => {
  it('pops keys in ascending order, equal keys first-in first-out', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20 })), (keys) => {
        const heap = new MinHeap<number>();
        for (const [i, key] of keys.entries()) heap.push(key, i);
        const popped: number[] = [];
        while (heap.size > 0) popped.push(heap.pop() as number);
        const expected = keys.map((key, i) => ({ key, i })).sort((a, b) => a.key - b.key || a.i - b.i);
        expect(popped).toEqual(expected.map((entry) => entry.i));
      }),
    );
  });
});
