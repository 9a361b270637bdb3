// Max-min fair rates computed from scratch by plain progressive filling, the textbook way: raise every
// unfrozen transfer's rate together; when a capacity fills, freeze the transfers across it. Quadratic
// and obvious, for tests to hold the incremental solver (src/bittorrent/sim/max-min.ts) against.

export interface Transfer {
  readonly from: number;
  readonly to: number;
}

/**
 * The max-min fair rates of `transfers`, each across its uploader's upload (`uploadBps[from]`) and its
 * downloader's download (`downloadBps[to]`).
 */
export function maxMinReference(
  uploadBps: readonly number[],
  downloadBps: readonly number[],
  transfers: readonly Transfer[],
): number[] {
  // Capacities: 2 p is p's upload, 2 p + 1 its download.
  const capacity = [...uploadBps.flatMap((up, p) => [up, downloadBps[p] as number])];
  const ends = transfers.map(({ from, to }) => [2 * from, 2 * to + 1]);
  const rates = transfers.map(() => Number.NaN);
  const used = capacity.map(() => 0);
  let level = 0;
  for (let round = 0; round <= transfers.length; round++) {
    const open = (flow: number) => Number.isNaN(rates[flow] as number);
    // The next capacity to fill: the smallest spare over the unfrozen transfers across it.
    let next = Number.POSITIVE_INFINITY;
    for (let c = 0; c < capacity.length; c++) {
      const crossing = ends.filter((e, flow) => open(flow) && e.includes(c)).length;
      if (crossing === 0) continue;
      const spare = (capacity[c] as number) - (used[c] as number);
      next = Math.min(next, level + Math.max(0, spare) / crossing);
    }
    if (next === Number.POSITIVE_INFINITY) break;
    const rise = next - level;
    level = next;
    for (let flow = 0; flow < ends.length; flow++) {
      if (!open(flow)) continue;
      for (const c of ends[flow] as number[]) used[c] = (used[c] as number) + rise;
    }
    for (let c = 0; c < capacity.length; c++) {
      if ((used[c] as number) < (capacity[c] as number) * (1 - 1e-12)) continue;
      ends.forEach((e, flow) => {
        if (open(flow) && e.includes(c)) rates[flow] = level;
      });
    }
  }
  return rates;
}
