import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Availability } from '../../../src/bittorrent/core/availability.ts';

type Op = { readonly kind: 'increment' | 'decrement'; readonly piece: number };

const scenarioArb = fc
  .record({ pieces: fc.integer({ min: 1, max: 30 }), maxAvailability: fc.integer({ min: 1, max: 300 }) })
  .chain(({ pieces, maxAvailability }) =>
    fc.record({
      pieces: fc.constant(pieces),
      maxAvailability: fc.constant(maxAvailability),
      ops: fc.array(
        fc.record({ kind: fc.constantFrom<Op['kind']>('increment', 'decrement'), piece: fc.nat(pieces - 1) }),
        { maxLength: 600 },
      ),
    }),
  );

describe('Availability', () => {
  it('starts with every piece at availability 0', () => {
    const availability = new Availability(5, 3);
    for (let piece = 0; piece < 5; piece++) expect(availability.of(piece)).toBe(0);
  });

  it('counts exactly as a reference under any increment/decrement sequence, up to the limit', () => {
    fc.assert(
      fc.property(scenarioArb, ({ pieces, maxAvailability, ops }) => {
        const availability = new Availability(pieces, maxAvailability);
        const counts = new Array<number>(pieces).fill(0);
        for (const { kind, piece } of ops) {
          const count = counts[piece] as number;
          if (kind === 'increment') {
            // A peer has at most maxConnections neighbours: the count never exceeds maxAvailability.
            if (count >= maxAvailability) continue;
            availability.increment(piece);
            counts[piece] = count + 1;
          } else {
            // The peer only decrements what a neighbour had: never below zero.
            if (count === 0) continue;
            availability.decrement(piece);
            counts[piece] = count - 1;
          }
        }
        for (let piece = 0; piece < pieces; piece++) expect(availability.of(piece)).toBe(counts[piece]);
      }),
    );
  });

  it('holds counts up to the limit whatever its size (byte, 16-bit and 32-bit counters)', () => {
    for (const limit of [255, 256, 65_535, 65_536]) {
      const availability = new Availability(2, limit);
      for (let i = 0; i < limit; i++) availability.increment(1);
      expect(availability.of(1)).toBe(limit);
      expect(availability.of(0)).toBe(0);
    }
  });

  it('throws a RangeError when a count would go below zero', () => {
    const availability = new Availability(3, 2);
    expect(() => availability.decrement(0)).toThrow(RangeError);
    availability.increment(1);
    availability.decrement(1);
    expect(() => availability.decrement(1)).toThrow(RangeError);
    expect(availability.of(1)).toBe(0);
  });
});
