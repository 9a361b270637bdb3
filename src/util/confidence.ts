// 95% confidence intervals over a few seeds: Student's t for one mean, Welch's t for a difference of
// two. Runs of one configuration differ only in their seed, so their figures are independent draws.

/** Student's t 0.975 quantiles for 1..30 degrees of freedom (two-sided 95%). */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
  2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];
const Z975 = 1.959964;

/**
 * The 0.975 quantile of Student's t with `df` degrees of freedom (df may be fractional, as Welch's is):
 * the table up to 30, then the Cornish-Fisher expansion around the normal quantile (within 0.001 there).
 */
export function tQuantile975(df: number): number {
  if (!(df >= 1)) return Number.NaN;
  if (df <= 30) {
    const low = Math.floor(df);
    const high = Math.min(Math.ceil(df), 30);
    const [a, b] = [T975[low - 1] as number, T975[high - 1] as number];
    return a + (b - a) * (df - low);
  }
  const z = Z975;
  return z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df * df);
}

export interface MeanInterval {
  /** Null when there is no value. */
  readonly mean: number | null;
  /** The 95% interval of the mean; null with fewer than two values (no spread to judge by). */
  readonly ci95: readonly [number, number] | null;
  readonly n: number;
}

export function meanInterval(values: readonly number[]): MeanInterval {
  const n = values.length;
  if (n === 0) return { mean: null, ci95: null, n };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, ci95: null, n };
  const half = tQuantile975(n - 1) * Math.sqrt(variance(values, mean) / n);
  return { mean, ci95: [mean - half, mean + half], n };
}

export interface DifferenceInterval {
  /** mean(b) - mean(a). */
  readonly difference: number;
  readonly ci95: readonly [number, number] | null;
}

/** The difference of two means, b minus a, with Welch's 95% interval (unequal variances). */
export function differenceInterval(a: readonly number[], b: readonly number[]): DifferenceInterval | null {
  if (a.length === 0 || b.length === 0) return null;
  const meanA = a.reduce((x, y) => x + y, 0) / a.length;
  const meanB = b.reduce((x, y) => x + y, 0) / b.length;
  const difference = meanB - meanA;
  if (a.length < 2 || b.length < 2) return { difference, ci95: null };
  const va = variance(a, meanA) / a.length;
  const vb = variance(b, meanB) / b.length;
  const se = Math.sqrt(va + vb);
  if (se === 0) return { difference, ci95: [difference, difference] };
  const df = (va + vb) ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1));
  const half = tQuantile975(df) * se;
  return { difference, ci95: [difference - half, difference + half] };
}

/** The sample variance (n - 1 in the denominator). */
function variance(values: readonly number[], mean: number): number {
  return values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (values.length - 1);
}
