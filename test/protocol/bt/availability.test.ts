import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Availability } from '../../../src/protocol/bt/availability.ts';

type Op = { readonly kind: 'increment' | 'decrement' | 'hold'; readonly piece: number };

const scenarioArb = fc
  .record({ pieces: fc.integer({ min: 1, max: 30 }), maxAvailability: fc.integer({ min: 1, max: 6 }) })
  .chain(({ pieces, maxAvailability }) =>
    fc.record({
      pieces: fc.constant(pieces),
      maxAvailability: fc.constant(maxAvailability),
      ops: fc.array(
        fc.record({
          kind: fc.constantFrom<Op['kind']>('increment', 'increment', 'decrement', 'decrement', 'hold'),
          piece: fc.nat(pieces - 1),
        }),
        { maxLength: 300 },
      ),
    }),
  );

/** Checks every invariant of `availability` against the reference counts and held set. */
function checkInvariants(availability: Availability, counts: readonly number[], held: ReadonlySet<number>) {
  const { pieces, order, missingEnd, buckets } = availability;
  // order is a permutation of all pieces.
  expect([...order].sort((a, b) => a - b)).toEqual([...Array(pieces).keys()]);
  // order[0 .. missingEnd) are exactly the pieces not held.
  expect(missingEnd).toBe(pieces - held.size);
  const missing = new Set(order.subarray(0, missingEnd));
  for (let piece = 0; piece < pieces; piece++) expect(missing.has(piece)).toBe(!held.has(piece));
  // The buckets tile [0, missingEnd) in order, and every piece in bucket a has availability a.
  let expectedStart = 0;
  for (let a = 0; a < buckets; a++) {
    const [start, end] = availability.bucketBounds(a);
    expect(start).toBe(expectedStart);
    expect(end).toBeGreaterThanOrEqual(start);
    for (let i = start; i < end; i++) expect(availability.of(order[i] as number)).toBe(a);
    expectedStart = end;
  }
  expect(expectedStart).toBe(missingEnd);
  expect(availability.bucketBounds(buckets)).toEqual([missingEnd, pieces]);
  // Non-decreasing availability over the missing pieces, equal to the reference count.
  for (let i = 1; i < missingEnd; i++) {
    expect(availability.of(order[i] as number)).toBeGreaterThanOrEqual(
      availability.of(order[i - 1] as number),
    );
  }
  for (let piece = 0; piece < pieces; piece++) {
    if (!held.has(piece)) expect(availability.of(piece)).toBe(counts[piece]);
  }
}

describe('Availability', () => {
  it('starts with every piece missing at availability 0, in bucket 0', () => {
    const availability = new Availability(5, 3);
    expect(availability.missingEnd).toBe(5);
    expect(availability.bucketBounds(0)).toEqual([0, 5]);
    expect(availability.bucketBounds(1)).toEqual([5, 5]);
    for (let piece = 0; piece < 5; piece++) expect(availability.of(piece)).toBe(0);
    expect(availability.buckets).toBe(4);
  });

  it('keeps counts, order, buckets and the held tail consistent under any increment/decrement/hold sequence', () => {
    fc.assert(
      fc.property(scenarioArb, ({ pieces, maxAvailability, ops }) => {
        const availability = new Availability(pieces, maxAvailability);
        const counts = new Array<number>(pieces).fill(0);
        const held = new Set<number>();
        for (const { kind, piece } of ops) {
          const count = counts[piece] as number;
          if (kind === 'increment') {
            // A peer has at most maxConnections neighbours: the count never exceeds maxAvailability.
            if (count >= maxAvailability) continue;
            availability.increment(piece);
            counts[piece] = count + 1;
          } else if (kind === 'decrement') {
            // The peer only decrements what a neighbour had: never below zero.
            if (count === 0) continue;
            availability.decrement(piece);
            counts[piece] = count - 1;
          } else {
            availability.hold(piece);
            held.add(piece);
          }
          checkInvariants(availability, counts, held);
        }
      }),
    );
  });

  it('moves a piece to a later bucket on increment and back on decrement', () => {
    const availability = new Availability(4, 3);
    availability.increment(2);
    availability.increment(2);
    availability.increment(0);
    expect(availability.of(2)).toBe(2);
    expect(availability.of(0)).toBe(1);
    expect(availability.bucketBounds(0)).toEqual([0, 2]);
    expect(availability.bucketBounds(1)).toEqual([2, 3]);
    expect(availability.bucketBounds(2)).toEqual([3, 4]);
    expect(availability.order[3]).toBe(2);
    availability.decrement(2);
    expect(availability.of(2)).toBe(1);
    expect(availability.bucketBounds(1)).toEqual([2, 4]);
  });

  it('puts held pieces in the last bucket, past missingEnd, and ignores their counts', () => {
    const availability = new Availability(4, 2);
    availability.increment(1);
    availability.hold(1);
    availability.hold(3);
    expect(availability.missingEnd).toBe(2);
    expect(new Set(availability.order.subarray(2))).toEqual(new Set([1, 3]));
    // A neighbour announcing or dropping a held piece changes nothing offered.
    availability.increment(3);
    availability.decrement(1);
    availability.decrement(1);
    expect(availability.missingEnd).toBe(2);
    expect(new Set(availability.order.subarray(0, 2))).toEqual(new Set([0, 2]));
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
