// The incremental max-min solver against hand-computed allocations, and against a from-scratch
// progressive filling (test/bittorrent/support/max-min-reference.ts) on random instances.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MaxMinRates } from '../../../src/bittorrent/sim/max-min.ts';
import { maxMinReference, type Transfer } from '../support/max-min-reference.ts';

function capacities(uploadBps: readonly number[], downloadBps: readonly number[]): Float64Array {
  return Float64Array.from(uploadBps.flatMap((up, p) => [up, downloadBps[p] as number]));
}

/** Rates of `transfers` (started in order, flow ids 0, 1, ...) after one settle. */
function solved(uploadBps: number[], downloadBps: number[], transfers: Transfer[]): number[] {
  const rates = new MaxMinRates(capacities(uploadBps, downloadBps));
  transfers.forEach(({ from, to }, flow) => {
    rates.add(flow, 2 * from, 2 * to + 1);
  });
  rates.settle(() => {});
  return transfers.map((_, flow) => rates.rate(flow));
}

describe('MaxMinRates by hand', () => {
  it('lends an uploader the capacity a transfer limited at its downloader cannot use', () => {
    // Uplink 1000; peer 1 downloads at 300: 0->1 gets 300, 0->2 the other 700 (an equal split gave 500).
    expect(
      solved(
        [1000, 0, 0],
        [1e12, 300, 1e12],
        [
          { from: 0, to: 1 },
          { from: 0, to: 2 },
        ],
      ),
    ).toEqual([300, 700]);
  });

  it('gives a fast seed what slow uploaders leave of a downloader', () => {
    // Peer 3 downloads at 1000 from a seed (4000 up) and from peers 1 and 2 uploading 50 each: the
    // seed's transfer gets 900, not the 50 that a third of the downloader used to give.
    expect(
      solved(
        [4000, 50, 50, 0],
        [0, 0, 0, 1000],
        [
          { from: 0, to: 3 },
          { from: 1, to: 3 },
          { from: 2, to: 3 },
        ],
      ),
    ).toEqual([900, 50, 50]);
  });

  it('gives transfers across an empty capacity nothing, and the others their share', () => {
    expect(
      solved(
        [0, 600, 0],
        [1e12, 1e12, 1e12],
        [
          { from: 0, to: 2 },
          { from: 1, to: 2 },
          { from: 1, to: 0 },
        ],
      ),
    ).toEqual([0, 300, 300]);
  });

  it('re-solves a chain of saturated capacities when one transfer ends', () => {
    // 0 -> 2 <- 1 -> 3: 2's download (100) is shared by both, 1's upload (200) sends the rest to 3.
    const rates = new MaxMinRates(capacities([1000, 200, 0, 0], [0, 0, 100, 1e12]));
    rates.add(0, 0, 5);
    rates.add(1, 2, 5);
    rates.add(2, 2, 7);
    rates.settle(() => {});
    expect([0, 1, 2].map((f) => rates.rate(f))).toEqual([50, 50, 150]);
    const changed: number[] = [];
    rates.remove(0);
    rates.settle((flow) => changed.push(flow));
    expect([1, 2].map((f) => rates.rate(f))).toEqual([100, 100]);
    expect(changed.sort()).toEqual([1, 2]);
  });
  it('re-solves an unsaturated downloader that a rising transfer fills past its capacity', () => {
    // Peer 0 (100 up) sends to 2 and to 3; peer 1 (60 up) sends to 2 (120 down): 2 carries 50 + 60 and is
    // not full. When 0 -> 3 ends, 0 -> 2 would rise to 100, which 2 cannot take: 2 must be re-solved (its
    // load bound does not clear it), and the two transfers into it share its 120.
    const rates = new MaxMinRates(capacities([100, 60, 0, 0], [0, 0, 120, 1e12]));
    rates.add(0, 0, 5);
    rates.add(1, 0, 7);
    rates.add(2, 2, 5);
    rates.settle(() => {});
    expect([0, 1, 2].map((f) => rates.rate(f))).toEqual([50, 50, 60]);
    rates.remove(1);
    rates.settle(() => {});
    expect([0, 2].map((f) => rates.rate(f))).toEqual([60, 60]);
  });
});

describe('MaxMinRates on a long chain', () => {
  it('follows a change down a chain of saturated capacities, past its rounds, to the reference', () => {
    // A path u0 -> d1 <- u1 -> d2 <- u2 ... with capacities growing along it: each capacity's level
    // hangs on the one before, so ending the first transfer moves every rate down the path.
    const peers = 40;
    const uploadBps = Array.from({ length: peers }, (_, i) => 100 + 4 * i);
    const downloadBps = Array.from({ length: peers }, (_, i) => 98 + 4 * i);
    const transfers: Transfer[] = [];
    for (let i = 0; i + 1 < peers; i++) transfers.push({ from: i, to: i + 1 }, { from: i + 1, to: i + 1 });
    const rates = new MaxMinRates(capacities(uploadBps, downloadBps));
    transfers.forEach(({ from, to }, flow) => {
      rates.add(flow, 2 * from, 2 * to + 1);
    });
    rates.settle(() => {});
    rates.remove(0);
    rates.settle(() => {});
    const live = transfers.slice(1);
    const expected = maxMinReference(uploadBps, downloadBps, live);
    live.forEach((_, i) => {
      expect(rates.rate(i + 1)).toBeCloseTo(expected[i] as number, 6);
    });
    expect(rates.componentSolves).toBeGreaterThan(0);
  });
});

/** A random instance: capacities with zeros and ties, and a sequence of starts and ends. */
const instanceArb = fc.integer({ min: 2, max: 10 }).chain((peers) =>
  fc.record({
    uploadBps: fc.array(fc.constantFrom(0, 1, 50, 100, 100, 300, 1000, 2500), {
      minLength: peers,
      maxLength: peers,
    }),
    downloadBps: fc.array(fc.constantFrom(0, 50, 100, 300, 800, 1000, 1e9), {
      minLength: peers,
      maxLength: peers,
    }),
    ops: fc.array(
      fc.record({
        from: fc.integer({ min: 0, max: peers - 1 }),
        to: fc.integer({ min: 0, max: peers - 1 }),
        // An end, of the live transfer at this position (modulo), instead of a start.
        endAt: fc.option(fc.nat(), { freq: 3 }),
      }),
      { minLength: 1, maxLength: 100 },
    ),
  }),
);

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-7 * Math.max(1, Math.abs(a), Math.abs(b));
}

describe('MaxMinRates against a from-scratch progressive filling', () => {
  it('gives every transfer its max-min fair rate after every start and end, and reports every change', () => {
    fc.assert(
      fc.property(instanceArb, ({ uploadBps, downloadBps, ops }) => {
        const rates = new MaxMinRates(capacities(uploadBps, downloadBps));
        const live: { flow: number; transfer: Transfer }[] = [];
        const freeSlots: number[] = [];
        let slots = 0;
        for (const op of ops) {
          const before = new Map(live.map(({ flow }) => [flow, rates.rate(flow)]));
          if (op.endAt !== null && live.length > 0) {
            const [gone] = live.splice(op.endAt % live.length, 1);
            rates.remove(gone?.flow as number);
            freeSlots.push(gone?.flow as number);
          } else if (op.from !== op.to) {
            const flow = freeSlots.pop() ?? slots++;
            rates.add(flow, 2 * op.from, 2 * op.to + 1);
            live.push({ flow, transfer: { from: op.from, to: op.to } });
            before.set(flow, 0);
          }
          const reported = new Set<number>();
          rates.settle((flow, oldRate) => {
            expect(oldRate).toBe(before.get(flow));
            reported.add(flow);
          });
          const expected = maxMinReference(
            uploadBps,
            downloadBps,
            live.map(({ transfer }) => transfer),
          );
          live.forEach(({ flow }, i) => {
            const got = rates.rate(flow);
            expect(close(got, expected[i] as number), `flow ${flow}: ${got} against ${expected[i]}`).toBe(
              true,
            );
            if (got !== before.get(flow)) expect(reported.has(flow), `change of ${flow} reported`).toBe(true);
          });
        }
      }),
      { numRuns: 300 },
    );
  });
});
