import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventQueue } from '../../src/util/event-queue.ts';

type Op =
  | { readonly kind: 'push'; readonly time: number }
  | { readonly kind: 'in-order'; readonly delay: number }
  | { readonly kind: 'pop' };

// Times on a coarse grid, so that ties (broken by insertion order) are common.
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('push' as const), time: fc.integer({ min: 0, max: 40 }) }),
  fc.record({ kind: fc.constant('in-order' as const), delay: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ kind: fc.constant('pop' as const) }),
);

interface Pending {
  readonly time: number;
  readonly id: number;
}

describe('EventQueue', () => {
  it('pops in (time, insertion) order whichever way events were pushed, through growth', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 3000 }), (ops) => {
        const queue = new EventQueue();
        const reference: Pending[] = [];
        let id = 0;
        let now = 0;
        const popBoth = () => {
          reference.sort((x, y) => x.time - y.time || x.id - y.id);
          const expected = reference.shift();
          expect(queue.peekTime()).toBe(expected?.time ?? Number.POSITIVE_INFINITY);
          expect(queue.pop()).toBe(expected !== undefined);
          if (expected === undefined) return;
          expect([queue.time, queue.a, queue.b, queue.c]).toEqual([
            expected.time,
            expected.id,
            1000 + expected.id,
            7,
          ]);
          now = expected.time;
        };
        for (const op of ops) {
          if (op.kind === 'pop') {
            popBoth();
            continue;
          }
          // In-order events are "sent now, after a delay": their times need not rise if the delay
          // varies, and the queue must still order them.
          const time = op.kind === 'push' ? now + op.time : now + op.delay;
          if (op.kind === 'push') queue.push(time, 1, id, 1000 + id, 7);
          else queue.pushInOrder(time, 2, id, 1000 + id, 7);
          reference.push({ time, id });
          id++;
          expect(queue.size).toBe(reference.length);
        }
        while (reference.length > 0) popBoth();
        expect(queue.pop()).toBe(false);
        expect(queue.size).toBe(0);
      }),
      { numRuns: 60 },
    );
  });

  it('keeps the events of a lane that wraps around and grows in order', () => {
    const queue = new EventQueue();
    let next = 0;
    let expected = 0;
    // Interleave pushes and pops so that the lane's ring wraps, then outgrow it while wrapped.
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 700 * (round + 1); i++) queue.pushInOrder(next++, 0, 0, 0, 0);
      for (let i = 0; i < 600; i++) {
        expect(queue.pop()).toBe(true);
        expect(queue.time).toBe(expected++);
      }
    }
    while (queue.pop()) expect(queue.time).toBe(expected++);
    expect(expected).toBe(next);
  });
});
