// Chart data of a configuration run over several seeds: the mean of its runs with a 95% band, so that
// one colour shows one configuration and the band shows how much the seed alone moves it.
import type { SwarmResults } from '../results/swarm.ts';
import { meanInterval } from '../util/confidence.ts';

export interface Band {
  readonly x: number[];
  readonly mean: number[];
  /** The 95% interval of the mean at each x; absent for a single run. */
  readonly lo?: number[];
  readonly hi?: number[];
}

const CDF_POINTS = 160;

/** Download times of the leechers that completed, in seconds. */
function downloadTimes(run: SwarmResults): number[] {
  return run.peers
    .filter((peer) => peer.role === 'leecher' && peer.completedS !== null)
    .map((peer) => (peer.completedS as number) - peer.arrivalS);
}

/** The fraction of leechers done within each download time, averaged over the runs, on a shared grid. */
export function meanCdf(runs: readonly SwarmResults[]): Band {
  const times = runs.map((run) => downloadTimes(run).sort((a, b) => a - b));
  const leechers = runs.map((run) => Math.max(run.peers.filter((peer) => peer.role === 'leecher').length, 1));
  const last = Math.max(0, ...times.flat());
  const x = Array.from({ length: CDF_POINTS + 1 }, (_, i) => (last * i) / CDF_POINTS);
  const fractions = x.map((t) => times.map((sorted, r) => countAtMost(sorted, t) / (leechers[r] as number)));
  return band(x, fractions, [0, 1]);
}

/** One series of the runs' samples (matched by sample index), averaged. */
export function meanSeries(
  runs: readonly SwarmResults[],
  pick: (run: SwarmResults) => readonly number[],
): Band {
  const longest = runs.reduce((best, run) =>
    run.series.timeS.length > best.series.timeS.length ? run : best,
  );
  const x = [...longest.series.timeS];
  const values = x.map((_, i) =>
    runs.flatMap((run) => {
      const value = pick(run)[i];
      return value === undefined ? [] : [value];
    }),
  );
  return band(x, values, [0, Number.POSITIVE_INFINITY]);
}

function band(x: number[], values: number[][], [min, max]: [number, number]): Band {
  const intervals = values.map(meanInterval);
  const mean = intervals.map((interval) => interval.mean ?? 0);
  if (values.every((at) => at.length < 2)) return { x, mean };
  const clamp = (v: number) => Math.min(max, Math.max(min, v));
  return {
    x,
    mean,
    lo: intervals.map((interval, i) => clamp(interval.ci95?.[0] ?? (mean[i] as number))),
    hi: intervals.map((interval, i) => clamp(interval.ci95?.[1] ?? (mean[i] as number))),
  };
}

function countAtMost(sorted: readonly number[], t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
