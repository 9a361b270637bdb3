import { describe, expect, it } from 'vitest';
import { differenceInterval, meanInterval, tQuantile975 } from '../../src/util/confidence.ts';

describe("Student's t quantiles", () => {
  it('matches published 0.975 quantiles, in the table and beyond it', () => {
    expect(tQuantile975(1)).toBeCloseTo(12.706, 3);
    expect(tQuantile975(9)).toBeCloseTo(2.262, 3);
    // Beyond the table, published values: 2.040 (31), 2.000 (60), 1.980 (120), 1.960 (infinite).
    expect(tQuantile975(31)).toBeCloseTo(2.0395, 3);
    expect(tQuantile975(60)).toBeCloseTo(2.0003, 3);
    expect(tQuantile975(120)).toBeCloseTo(1.9799, 3);
    expect(tQuantile975(1e9)).toBeCloseTo(1.96, 3);
    expect(tQuantile975(2.5)).toBeGreaterThan(tQuantile975(3));
    expect(tQuantile975(2.5)).toBeLessThan(tQuantile975(2));
  });
});

describe('intervals', () => {
  it('gives the mean of 1..10 with its t interval', () => {
    const interval = meanInterval([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(interval.mean).toBe(5.5);
    expect(interval.n).toBe(10);
    expect(interval.ci95?.[0]).toBeCloseTo(3.3341, 3);
    expect(interval.ci95?.[1]).toBeCloseTo(7.6659, 3);
  });

  it('has no interval from one value, and no mean from none', () => {
    expect(meanInterval([4])).toEqual({ mean: 4, ci95: null, n: 1 });
    expect(meanInterval([])).toEqual({ mean: null, ci95: null, n: 0 });
  });

  it("gives Welch's interval for a difference of means", () => {
    const diff = differenceInterval([1, 2, 3], [4, 5, 6]);
    expect(diff?.difference).toBe(3);
    // se = sqrt(1/3 + 1/3), 4 degrees of freedom: t = 2.776.
    expect(diff?.ci95?.[0]).toBeCloseTo(3 - 2.776 * Math.sqrt(2 / 3), 3);
    expect(diff?.ci95?.[1]).toBeCloseTo(3 + 2.776 * Math.sqrt(2 / 3), 3);
    expect(differenceInterval([1], [2, 3])).toEqual({ difference: 1.5, ci95: null });
    expect(differenceInterval([], [2])).toBeNull();
  });
});
